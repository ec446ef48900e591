#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (AddressSanitizer on) and runs one of them, or each in turn.
#
#   Scripts/fuzz.sh TARGET [SECONDS]     TARGET: json gunzip decode match rules time, or all
#   Scripts/fuzz.sh all 20               what .ci/run does: 20 s per target
#   Scripts/fuzz.sh json 600 -only_ascii=1   extra arguments go to libFuzzer
#   Scripts/fuzz.sh all 0                build and replay the saved findings only
#
# Each run first replays the inputs saved under Fuzz/Crashes/TARGET/ (earlier findings, fixed
# since: each has a regression test in the normal suite), then fuzzes for SECONDS (default 60)
# from the seeds in Fuzz/Corpus/TARGET/ plus a working corpus kept in Fuzz/.build/corpus/TARGET/
# (not committed). A crash, leak, timeout (10 s per input) or out-of-memory (2 GB) saves the input
# under Fuzz/Crashes/TARGET/ and makes the script exit non-zero. One fuzzer runs at a time, in
# one process: the machine is shared.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

targets=(json gunzip decode match rules time)
usage() { echo "usage: Scripts/fuzz.sh {${targets[*]// /|}|all} [SECONDS] [libFuzzer args...]" >&2; exit 2; }
(($# >= 1)) || usage
target=$1; shift
seconds=60
if (($# >= 1)) && [[ $1 =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
if [[ $target == all ]]; then
    selected=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $target "* ]]; then
    selected=("$target")
else
    usage
fi

# Optimised (3 to 8 times the executions per second of a debug build) but with assertions kept
# (-assert-config Debug). -use-ld=lld: gold stops with an internal error on the instrumented objects.
echo "--- building fuzz targets (Fuzz/, release, -sanitize=fuzzer,address)" >&2
swift build --package-path Fuzz -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld \
    -Xswiftc -assert-config -Xswiftc Debug </dev/null \
    | grep -v "Cannot export local symbol" >&2 || true
bin=Fuzz/.build/release
for t in "${selected[@]}"; do
    [[ -x $bin/fuzz-$t ]] || { echo "fuzz.sh: build failed: $bin/fuzz-$t missing" >&2; exit 1; }
done

status=0
for t in "${selected[@]}"; do
    seeds=Fuzz/Corpus/$t
    crashes=Fuzz/Crashes/$t
    work=Fuzz/.build/corpus/$t
    mkdir -p "$work" "$crashes"
    dict=()
    case $t in json|decode|match|rules) dict=(-dict=Fuzz/json.dict) ;; esac
    common=(-rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 "${dict[@]}")

    mapfile -t saved < <(find "$crashes" -type f ! -name '*.md' | sort)
    if ((${#saved[@]} > 0)); then
        echo "--- fuzz-$t: replaying ${#saved[@]} saved input(s) from $crashes" >&2
        if ! "$bin/fuzz-$t" "${common[@]}" "${saved[@]}" </dev/null; then
            echo "fuzz.sh: fuzz-$t fails on a saved input again" >&2
            status=1
            continue
        fi
    fi

    ((seconds > 0)) || continue
    echo "--- fuzz-$t: ${seconds} s" >&2
    if ! "$bin/fuzz-$t" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$@" "$work" "$seeds" </dev/null; then
        echo "fuzz.sh: fuzz-$t found a problem; the input is saved under $crashes/" >&2
        status=1
    fi
done
exit $status
