#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and then ThreadSanitizer, each in its own
# build directory (.build-asan, .build-tsan), so the ordinary .build is left alone.
#
#   Scripts/sanitize.sh            both
#   Scripts/sanitize.sh address    one of them (address or thread)
#   Scripts/sanitize.sh thread --filter TrailStoreTests   extra arguments go to `swift test`
#
# The executables the CLI tests start (trailwatch) are built with the same sanitizer, so they are
# checked too. Any report fails the run: halt_on_error makes the first report fatal.
# No test is excluded. LeakSanitizer (part of AddressSanitizer on Linux) is on, with the
# suppressions in Scripts/lsan-suppressions.txt: memory held at exit by the test harness,
# Foundation's Process and swift-argument-parser, each with its reason; none in Sources/.
# ThreadSanitizer builds define TRAILWATCH_TSAN, which makes `Mutex.locked` (Sources/TrailSync)
# tell the sanitizer of each lock's acquire and release: Synchronization's Mutex locks under
# contention inside the toolchain's uninstrumented library, which the sanitizer cannot see
# (Scripts/tsan-mutex-probe.swift shows the false reports). No ThreadSanitizer suppressions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sanitizers=(address thread)
if (($# >= 1)) && [[ $1 == address || $1 == thread ]]; then sanitizers=("$1"); shift; fi

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$PWD/Scripts/lsan-suppressions.txt:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

for s in "${sanitizers[@]}"; do
    scratch=.build-asan
    [[ $s == thread ]] && scratch=.build-tsan
    echo "--- swift test --sanitize=$s (--scratch-path $scratch)" >&2
    flags=()
    [[ $s == thread ]] && flags=(-Xswiftc -DTRAILWATCH_TSAN)
    swift test --sanitize="$s" --scratch-path "$scratch" "${flags[@]}" "$@" </dev/null
done
