#!/usr/bin/env python3
"""Runs the benchmarks and prints each Cybernetic path as a ratio of its baseline (p50 wall clock).

Usage: cd Benchmarks && python3 ratios.py [--target NAME ...]   (runs them; pairs not run are left out)
       python3 ratios.py SAVED.json ...                         (a saved `--format jmh` export)
"""
import json, subprocess, sys, glob, os, tempfile

PAIRS = [
    ("Spawn/CommandRunner sh -c true", "Spawn/raw posix_spawn sh -c true"),
    ("Workload/Engine 50 x true", "Workload/bare TaskGroup 50 x true"),
    ("Queue/WorkQueue 10000 no-op", "Queue/bare TaskGroup 10000 no-op"),
    ("Heap/Heap 10000 push+pop", "Heap/sorted array 10000 push+pop"),
    ("Cache/hit /bin/true", "Cache/spawn /bin/true"),
    ("Cache/remote hit 4 KiB", "Cache/disk hit 4 KiB"), ("Cache/remote hit 4 KiB", "Cache/spawn /bin/true"),
    ("Outputs/tsc hit restoring out/", "Outputs/tsc -p . cold"),
    ("Pool/warm node script", "Pool/cold node script"),
    ("Pool/npx fast path hello", "Pool/real npx hello"),
    ("Frame/dashboard 80x24", "Frame/grid fill 80x24"), ("Frame/dashboard 240x70", "Frame/grid fill 240x70"),
    ("Loop/Engine 50 x true, loop on", "Loop/Engine 50 x true, loop off"),
    ("AB/Mann-Whitney U 2x1000", "AB/sort both arms 2x1000"),
    ("Memory/output tail 256 B", "Memory/array 256 B"), ("Memory/output tail 256 B", "Memory/malloc 256 B"),
    ("Memory/output tail 4096 B", "Memory/array 4096 B"), ("Memory/output tail 4096 B", "Memory/malloc 4096 B"),
    ("Memory/output tail 32768 B", "Memory/array 32768 B"), ("Memory/output tail 32768 B", "Memory/malloc 32768 B"),
    ("Memory/pool 256 B", "Memory/array 256 B"), ("Memory/pool 256 B", "Memory/malloc 256 B"),
    ("Memory/pool 4096 B", "Memory/array 4096 B"), ("Memory/pool 4096 B", "Memory/malloc 4096 B"),
    ("Memory/pool 32768 B", "Memory/array 32768 B"), ("Memory/pool 32768 B", "Memory/malloc 32768 B"),
    ("Memory/pool unique 256 B", "Memory/array 256 B"), ("Memory/pool unique 256 B", "Memory/malloc 256 B"),
    ("Memory/pool unique 4096 B", "Memory/array 4096 B"), ("Memory/pool unique 4096 B", "Memory/malloc 4096 B"),
    ("Memory/pool unique 32768 B", "Memory/array 32768 B"), ("Memory/pool unique 32768 B", "Memory/malloc 32768 B"),
]

def load(args):
    if args and args[0].endswith(".json"):
        paths = args
    else:
        out = tempfile.mkdtemp()
        subprocess.run(["swift", "package", "--allow-writing-to-package-directory", "benchmark",
                        "--format", "jmh", "--path", out, "--no-progress"] + args, check=True)
        paths = glob.glob(os.path.join(out, "*.json"))
    entries = [entry for path in paths for entry in json.load(open(path))]
    results, custom = {}, {}
    for entry in entries:
        # JMH names are package.benchmark.TARGET.NAME with spaces turned into underscores.
        name = entry["benchmark"].split(".", 3)[-1].replace("_", " ")
        metric = entry["primaryMetric"]
        results[name] = (metric.get("scoreUnit", ""), metric["scorePercentiles"]["50.0"])
        for key, secondary in (entry.get("secondaryMetrics") or {}).items():
            if "×1000" in key:
                custom[key] = secondary["scorePercentiles"]["50.0"] / 1000
    return results, custom

def main():
    results, custom = load(sys.argv[1:])
    for ours, base in PAIRS:
        a = next((v for k, v in results.items() if k.endswith(ours)), None)
        b = next((v for k, v in results.items() if k.endswith(base)), None)
        if not a or not b:
            continue
        unit, va = a
        _, vb = b
        # Throughput (ops/s) is the primary metric: speed-up = ours / baseline.
        speedup = va / vb if "/ s" in unit or "/s" in unit else vb / va
        print(f"{ours} vs {base}: {speedup:.2f}x as fast (p50 {va:.1f} vs {vb:.1f} {unit})")
    # Ratios a suite measures itself, within each iteration (Startup: coordinator / bare DAG).
    for key, value in sorted(custom.items()):
        print(f"{key.replace(' ×1000', '')}: {value:.3f} (p50)")

if __name__ == "__main__":
    main()
