#!/usr/bin/env bash
# Builds the package and its tests with a sanitizer, in a scratch folder of its own (the normal
# .build is untouched), and runs the test suite under it.
#   Tests/Sanitizers/run.sh thread                     ThreadSanitizer  (.build-tsan)
#   Tests/Sanitizers/run.sh address                    AddressSanitizer (.build-asan)
#   Tests/Sanitizers/run.sh thread --filter EndToEndTests   extra arguments go to `swift test`
# The `cybernetic` binary the end-to-end tests start is built with the same sanitizer, so it is
# checked too. Every process writes its reports to a file of its own (log_path): reports of a
# child that a test kills, or whose stderr a test only searches, are not lost. Exits 1 if the
# tests fail or any process wrote a sanitizer report, and prints the reports.
# SANITIZER_SCRATCH overrides the scratch folder; SANITIZER_REPORTS keeps the reports in a folder
# of your choice (default: a temporary one, removed on a clean run). The tests' waits and the limits
# of commands they expect to finish are stretched by CYBERNETIC_TEST_TIME_SCALE (default 4 for
# address, 8 for thread; see Tests/TestSupport/Sanitized.swift); a plain `swift test` leaves it at 1.
set -uo pipefail
# One function, read whole before it runs: editing this file during a run cannot change the run.
main() {
    cd "$(dirname "$0")/../.."
    root="$PWD"

    kind="${1:-}"
    case "$kind" in
        thread)  scratch=.build-tsan ;;
        address) scratch=.build-asan ;;
        *) echo "usage: Tests/Sanitizers/run.sh thread|address [swift test arguments...]" >&2; exit 2 ;;
    esac
    shift
    scratch="${SANITIZER_SCRATCH:-$scratch}"
    reports="${SANITIZER_REPORTS:-$(mktemp -d)}"
    mkdir -p "$reports"

    start=$(date +%s)
    echo "== build: swift build --build-tests --sanitize=$kind --scratch-path $scratch"
    swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" || exit 1
    built=$(date +%s)

    # Common to both: a report names the source line (symbolized), and the Swift backtracer stays out
    # of the way of the sanitizer's own crash handling.
    export SWIFT_BACKTRACE=enable=no
    case "$kind" in
        thread)
            # Teach ThreadSanitizer the contended paths of Swift's Mutex (see tsan-mutex.c): without it
            # every lock handed over under contention shows up as a false race.
            clang="$(dirname "$(command -v swift)")/clang"
            [ -x "$clang" ] || clang=clang
            "$clang" -shared -fPIC -O1 -Wall -Werror -o "$scratch/tsan-mutex.so" Tests/Sanitizers/tsan-mutex.c || exit 1
            export LD_PRELOAD="$root/$scratch/tsan-mutex.so${LD_PRELOAD:+:$LD_PRELOAD}"
            # halt_on_error=0: collect every race of the run, not just the first.
            export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:history_size=4:suppressions=$root/Tests/Sanitizers/tsan.supp:log_path=$reports/tsan"
            ;;
        address)
            export ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan"
            # Shadow memory, red zones and the quarantine of freed blocks add a few hundred MiB to the
            # peaks the memory-bound tests measure (407-511 MiB where the bounds are 256-400).
            export CYBERNETIC_TEST_MEMORY_SLACK_MIB="${CYBERNETIC_TEST_MEMORY_SLACK_MIB:-384}"
            if [ -f "$root/Tests/Sanitizers/lsan.supp" ]; then
                export LSAN_OPTIONS="suppressions=$root/Tests/Sanitizers/lsan.supp"
            fi
            ;;
    esac
    # Sanitized code runs several times slower: give a single test more time before the watchdog ends
    # the run (unless the caller chose a limit).
    export CYBERNETIC_TEST_LIMIT="${CYBERNETIC_TEST_LIMIT:-2700}"
    # ... and stretch the tests' own waits and the time limits of commands they expect to finish
    # (TestSupport's Sanitized.timeScale): ThreadSanitizer slows the engine down more than
    # AddressSanitizer does. A plain `swift test` leaves it unset (1), so normal runs are not loosened.
    # ThreadSanitizer's shadow memory and history add to every process's resident memory as
    # well (a debug binary that is 41 MiB with 10,000 queued runs measured 91 under it).
    [ "$kind" = thread ] && export CYBERNETIC_TEST_MEMORY_SLACK_MIB="${CYBERNETIC_TEST_MEMORY_SLACK_MIB:-384}"
    case "$kind" in
        thread)  export CYBERNETIC_TEST_TIME_SCALE="${CYBERNETIC_TEST_TIME_SCALE:-8}" ;;
        address) export CYBERNETIC_TEST_TIME_SCALE="${CYBERNETIC_TEST_TIME_SCALE:-4}" ;;
    esac

    echo "== test: swift test --skip-build --sanitize=$kind --scratch-path $scratch $* (time scale $CYBERNETIC_TEST_TIME_SCALE)"
    swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" "$@"
    status=$?
    end=$(date +%s)

    # A file holds a report when the sanitizer says so; LeakSanitizer also writes a file with only the
    # "Suppressions used" statistics, which is not one.
    found=$(grep -lE "^(SUMMARY: |==[0-9]+==ERROR: |WARNING: ThreadSanitizer)" "$reports"/* 2>/dev/null | sort)
    if [ -n "$found" ]; then
        echo "== sanitizer reports ($(echo "$found" | wc -l) process(es) wrote one; kept in $reports):"
        for file in $found; do
            echo "--- $file"
            cat "$file"
        done
        status=1
    elif [ -z "${SANITIZER_REPORTS:-}" ]; then
        rm -rf "$reports"
    fi
    echo "== $kind: build $((built - start)) s, tests $((end - built)) s, $([ $status -eq 0 ] && echo clean || echo FAILED)"
    exit $status
}
main "$@"
