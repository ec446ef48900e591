#!/usr/bin/env bash
# `trailwatch verify` against `gzip -dc | sha256sum` over the same files (issue 12's benchmark).
#
#   Benchmarks/verify.sh [TREE]     TREE defaults to /work/bench-signed-1m
#
# TREE is a signed tree: gen-cloudtrail -o TREE -n 1000000 --sign (generated when missing).
# Environment: RUNS (3, alternating the two), JOBS (2), BIN (.build/release/trailwatch; BUILD=0
# skips `swift build -c release`), GEN (../shared/tools/gen-cloudtrail).
# The baseline streams every log and digest file (sorted, concatenated: gzip reads them as one
# multi-member stream) through `gzip -dc | sha256sum`, which runs on two cores as a pipeline.
# Prints each run's wall time, verify's peak RSS and the ratio of the medians.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tree=${1:-/work/bench-signed-1m}
runs=${RUNS:-3}
jobs=${JOBS:-2}
bin=${BIN:-.build/release/trailwatch}
gen=${GEN:-../shared/tools/gen-cloudtrail}

if [[ ! -f $tree/public-keys.json ]]; then
    [[ -x $gen ]] || { echo "gen-cloudtrail not found at $gen (set GEN=...)" >&2; exit 2; }
    echo "generating a signed 1,000,000-record tree into $tree ..." >&2
    "$gen" -o "$tree.tmp-$$" -n 1000000 --sign -q && mv "$tree.tmp-$$" "$tree"
fi
if [[ ${BUILD:-1} != 0 ]]; then
    swift build -c release --product trailwatch >&2
fi
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "$tree" -name '*.json.gz' \( -path '*/CloudTrail/*' -o -path '*/CloudTrail-Digest/*' \) -print0 | sort -z > "$work/files"
echo "files: $(tr -cd '\0' < "$work/files" | wc -c)" >&2

now() { date +%s.%N; }
v=(); b=()
for i in $(seq "$runs"); do
    start=$(now)
    xargs -0 cat < "$work/files" | gzip -dc | sha256sum >/dev/null
    b+=("$(echo "$(now) - $start" | bc)")
    start=$(now)
    status=0
    /usr/bin/time -f '%M' -o "$work/rss" "$bin" verify --public-keys "$tree/public-keys.json" --jobs "$jobs" "$tree" \
        >/dev/null 2>"$work/stderr" || status=$?
    v+=("$(echo "$(now) - $start" | bc)")
    echo "run $i: gzip -dc | sha256sum ${b[-1]} s; trailwatch verify ${v[-1]} s (exit $status, peak RSS $(tail -n1 "$work/rss") KB)" >&2
    grep '^verify:' "$work/stderr" >&2 || cat "$work/stderr" >&2
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mv_=$(median "${v[@]}"); mb=$(median "${b[@]}")
echo "median: verify $mv_ s, gzip -dc | sha256sum $mb s, ratio $(echo "scale=2; $mv_ / $mb" | bc)"
