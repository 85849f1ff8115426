#!/usr/bin/env bash
# The same job list run five ways on this machine, side by side: xargs -P, GNU parallel -j,
# Cybernetic with every flag off, Cybernetic with its defaults on a cold cache, and again on the
# warm cache. Prints wall time, CPU time (the whole process tree) and peak memory, with ratios
# against GNU parallel, and Cybernetic's own CPU share (from its report).
#
#   Benchmarks/compare.sh [JOBS] [PARALLELISM]       defaults: 2000 jobs, 8 at a time
#
# Jobs: a quarter each `sh`, `node` and `python3` scripts and a local npx tool (node_modules/.bin),
# the second half repeating the first. Needs GNU parallel and GNU time (Debian: parallel, time),
# node, npx and python3. Builds the release binary first (CYBERNETIC_BINARY=PATH uses that one).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-2000}
width=${2:-8}
for tool in parallel /usr/bin/time node npx python3; do
    command -v "$tool" > /dev/null || { echo "compare.sh needs $tool (apt-get install -y parallel time nodejs python3)" >&2; exit 2; }
done
if [ -z "${CYBERNETIC_BINARY:-}" ]; then
    swift build -c release --product cybernetic > /dev/null
fi
binary=${CYBERNETIC_BINARY:-$PWD/.build/release/cybernetic}

work=$(mktemp -d /tmp/cybernetic-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p s n p node_modules/.bin
cat > node_modules/.bin/hello <<'JS'
#!/usr/bin/env node
console.log("hello " + process.argv.slice(2).join(" "));
JS
chmod +x node_modules/.bin/hello
unique=$((jobs / 2))
: > jobs.txt
for ((i = 0; i < jobs; i++)); do
    k=$((i % unique))
    case $((k % 4)) in
        0) echo "echo sh job $k; i=0; while [ \$i -lt 200 ]; do i=\$((i + 1)); done; echo \$i" > "s/$k.sh"
           echo "sh s/$k.sh" >> jobs.txt ;;
        1) echo "let x = 0; for (let i = 0; i < 20000; i++) x += i; console.log('node job $k', x);" > "n/$k.js"
           echo "node n/$k.js" >> jobs.txt ;;
        2) echo "print('python job $k', sum(range(20000)))" > "p/$k.py"
           echo "python3 p/$k.py" >> jobs.txt ;;
        3) echo "npx hello $k" >> jobs.txt ;;
    esac
done

# The workload: one task per line, keyed on the script it runs (the npx tool on its bin).
{
    echo "[queue]"
    echo "max_concurrency = $width"
    echo
    # The warm run must find what the cold run stored: on a slow or busy machine the cold run alone
    # can outlast the default 5-minute TTL (it did once, and the "warm" run ran everything again).
    echo "[cache]"
    echo "ttl = \"2h\""
    echo
    echo "[process_pool]"
    echo "runtimes = [\"node\", \"python3\", \"sh\"]"
    i=0
    while read -r line; do
        input=$(echo "$line" | awk '{ print ($1 == "npx") ? "node_modules/.bin/hello" : $2 }')
        printf '\n[[task]]\nname = "job%d"\nrun = "%s"\ninputs = ["%s"]\n' "$i" "$line" "$input"
        i=$((i + 1))
    done < jobs.txt
} > workload.toml

off=()
for flag in command_cache process_pool npx_fast_path memory_pool adaptive_concurrency self_optimization; do
    off+=(--flag "$flag=off")
done

declare -A wall cpu rss own ownrss
measure() { # NAME COMMAND...
    local name=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o time.txt "$@" > out.txt 2> err.txt || { echo "$name failed:" >&2; tail -5 err.txt >&2; exit 1; }
    read -r e u s m < time.txt
    wall[$name]=$e
    cpu[$name]=$(echo "$u + $s" | bc)
    rss[$name]=$((m / 1024))
    if [ -f report.json ]; then
        own[$name]=$(python3 -c 'import json,sys; print(json.load(open("report.json"))["process"]["cpuMs"] / 1000)')
        ownrss[$name]=$(python3 -c 'import json,sys; print(json.load(open("report.json"))["process"]["peakResidentMiB"])')
        rm -f report.json
    fi
}

measure "xargs -P $width" xargs -P "$width" -d '\n' -n 1 sh -c < jobs.txt
measure "parallel -j $width" parallel -j "$width" < jobs.txt
rm -rf .cybernetic
measure "cybernetic, flags off" "$binary" --headless --until-idle --config workload.toml --report report.json "${off[@]}"
rm -rf .cybernetic
measure "cybernetic, cold cache" "$binary" --headless --until-idle --config workload.toml --report report.json
measure "cybernetic, warm cache" "$binary" --headless --until-idle --config workload.toml --report report.json

base=${wall["parallel -j $width"]}
echo
echo "$jobs jobs (sh, node, python3, npx; half repeats), $width at a time; $(nproc) cores, $(uname -sr)"
# peak MiB: the largest single process of the run (GNU time), which is a node or npm child for every way;
# own MiB: Cybernetic's own peak resident memory (its report's VmHWM).
printf '%-26s %9s %9s %10s %13s %11s %9s\n' "way" "wall s" "CPU s" "peak MiB" "vs parallel" "own CPU" "own MiB"
for name in "xargs -P $width" "parallel -j $width" "cybernetic, flags off" "cybernetic, cold cache" "cybernetic, warm cache"; do
    ratio=$(echo "scale=2; $base / ${wall[$name]}" | bc)
    share="-"
    if [ -n "${own[$name]:-}" ]; then share=$(echo "scale=1; 100 * ${own[$name]} / ${cpu[$name]}" | bc)%; fi
    printf '%-26s %9s %9s %10s %12sx %11s %9s\n' "$name" "${wall[$name]}" "${cpu[$name]}" "${rss[$name]}" "$ratio" "$share" "${ownrss[$name]:--}"
done
