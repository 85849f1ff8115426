#!/usr/bin/env bash
# Peak resident memory of Cybernetic with 10,000 runs waiting in its queue (issue 11's target:
# at most 50 MiB). Three workloads, each run headless for a few seconds and then stopped, which
# cancels whatever is still queued; the figure is `process.peakResidentMiB` from the report
# (getrusage's ru_maxrss of the cybernetic process alone, never of its children):
#
#   baseline   one run of one task: what the binary costs with (almost) nothing queued
#   counted    one [[task]] with count = 10000: 10,000 runs of one spec
#   distinct   10,000 [[task]] tables, one run each: 10,000 specs, 10,000 runs
#
# Each run is `sleep 60` and at most 4 run at a time, so about 9,996 wait in the queue for the
# whole measurement.
#
#   Benchmarks/queued-memory.sh [SECONDS] [REPEATS]     defaults: 5 seconds, 3 repeats
#
# Builds the release binary first; CYBERNETIC_BINARY=PATH measures that binary instead.
# Prints one line per workload with every repeat's figure and the largest; exits 1 when the
# largest queued figure is over QUEUED_MEMORY_LIMIT_MIB (default 50; 0 never fails).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
repeats=${2:-3}
limit=${QUEUED_MEMORY_LIMIT_MIB:-50}
runs=${QUEUED_RUNS:-10000}
command -v jq > /dev/null || { echo "queued-memory.sh needs jq (apt-get install -y jq)" >&2; exit 2; }
if [ -z "${CYBERNETIC_BINARY:-}" ]; then
    swift build -c release --product cybernetic > /dev/null
fi
binary=${CYBERNETIC_BINARY:-$PWD/.build/release/cybernetic}

work=$(mktemp -d /tmp/cybernetic-queued-memory.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

header() {
    printf '[queue]\nmax_concurrency = 4\nmin_concurrency = 4\n\n[cache]\ndir = "%s/cache"\n' "$work"
    printf '\n[optimizer]\nlearning_file = "%s/learning.json"\n' "$work"
}
{
    header
    printf '\n[[task]]\nname = "one"\nrun = "sleep 60"\n'
} > baseline.toml
{
    header
    printf '\n[[task]]\nname = "sleeper"\nrun = "sleep 60"\ncount = %d\n' "$runs"
} > counted.toml
{
    header
    for ((i = 0; i < runs; i++)); do
        printf '\n[[task]]\nname = "sleeper%d"\nrun = "sleep 60"\n' "$i"
    done
} > distinct.toml

worst=0
printf '%s, %s s each, %s repeats, %s runs\n' "$binary" "$seconds" "$repeats" "$runs"
for workload in baseline counted distinct; do
    figures=()
    peak=0
    for ((r = 0; r < repeats; r++)); do
        rm -f report.json
        "$binary" run --headless --duration "$seconds" --config "$workload.toml" --report report.json > "$workload.log" 2>&1 || true
        [ -s report.json ] || { echo "no report from the $workload run:" >&2; tail -20 "$workload.log" >&2; exit 1; }
        mib=$(jq '.process.peakResidentMiB' report.json)
        queued=$(jq '.queue.maxDepth' report.json)
        figures+=("$mib")
        [ "$mib" -gt "$peak" ] && peak=$mib
    done
    printf '%-9s peak RSS MiB: %-14s max %4d MiB  (max queue depth %s)\n' "$workload" "${figures[*]}" "$peak" "$queued"
    if [ "$workload" != baseline ] && [ "$peak" -gt "$worst" ]; then worst=$peak; fi
done
[ "$limit" -gt 0 ] || exit 0
if [ "$worst" -gt "$limit" ]; then
    echo "over the ${limit} MiB target by $((worst - limit)) MiB"
    exit 1
fi
echo "within the ${limit} MiB target"
