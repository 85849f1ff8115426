#!/usr/bin/env bash
# Builds the libFuzzer targets (swift build -Xswiftc -sanitize=fuzzer) and runs each for a bounded time.
#   Fuzz/run.sh                                 60 s per target, random seed (exploration)
#   FUZZ_SECONDS=3600 Fuzz/run.sh               longer, on demand
#   FUZZ_SEED=1 FUZZ_RUNS=100000 Fuzz/run.sh    what CI runs: the same inputs every time
# Seeds: Examples/*.toml and themes/*.theme, plus Fuzz/Regressions/ (inputs that once crashed,
# kept so they are replayed on every run). New crashes are written to Fuzz/Crashes/ and the script
# exits 1: turn each into a regression file (and a unit test) once it is fixed.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-60}"
# CI passes a seed and a run count: the same inputs every time, so a red CI means a change broke
# something, not that this run was luckier. Exploration (no seed, longer) runs on demand.
seed="${FUZZ_SEED:-0}"
runs="${FUZZ_RUNS:--1}"
scratch="${FUZZ_SCRATCH:-../.build-fuzz}"

# Debug, so that the assertions of the C++ TOML parser are live (one of them aborted on `[#`).
# lld: gold fails inside its DWARF reader on these binaries.
flags=(--scratch-path "$scratch" -c debug -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld)
swift build "${flags[@]}" --product FuzzWorkload
swift build "${flags[@]}" --product FuzzTheme
bin="$(swift build --scratch-path "$scratch" -c debug --show-bin-path)"
# Let libFuzzer, not Swift's backtracer, handle a crash, so it writes the input that caused it.
export SWIFT_BACKTRACE=enable=no

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p Crashes "$work/workload" "$work/theme"
cp ../Examples/*.toml Regressions/workload/* "$work/workload/" 2>/dev/null || true
cp ../themes/*.theme Regressions/theme/* "$work/theme/" 2>/dev/null || true

status=0
for target in workload theme; do
    name="Fuzz$(tr '[:lower:]' '[:upper:]' <<< "${target:0:1}")${target:1}"
    echo "== $name: ${seconds}s, seeds: $(ls "$work/$target" | wc -l)"
    if ! "$bin/$name" "$work/$target" -max_total_time="$seconds" -seed="$seed" -runs="$runs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="Crashes/$target-" -print_final_stats=1 2> "$work/$target.log"; then
        status=1
        tail -40 "$work/$target.log"
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|DONE|cov:" "$work/$target.log" | tail -4
done
exit $status
