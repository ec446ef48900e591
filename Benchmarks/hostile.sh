#!/usr/bin/env bash
# Record shapes an attacker can make, timed: each shape of Benchmarks/hostile-shapes.py backfilled
# into a fresh SQLite store by BIN (and by BASE_BIN, when set, in the same order), wall time and
# peak RSS, and whether both printed the same alerts.
#
#   Benchmarks/hostile.sh [SCALE]      SCALE records per shape, default 20000
#
# Environment: BIN (.build/release/trailwatch), BASE_BIN (a baseline build, e.g. an earlier
#   commit's trailwatch; unset: none), BUILD=0 to skip `swift build -c release`, TIMEOUT (seconds
#   per run, default 600: a run cut off is reported as such), SHAPES (the shapes to run, default
#   all). A shape with rules of its own (OUT/<shape>.rules) is backfilled with --rules there.
# Quadratic work shows as time growing four times when SCALE doubles; run two scales to see it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scale=${1:-20000}
bin=${BIN:-.build/release/trailwatch}
base_bin=${BASE_BIN:-}
limit=${TIMEOUT:-600}
[[ -z $base_bin || -x $base_bin ]] || { echo "BASE_BIN $base_bin is not an executable" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
if [[ ${BUILD:-1} != 0 ]]; then swift build -c release --product trailwatch >&2; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/hostile-shapes.py "$work/trees" "$scale"

run() {   # run NAME BINARY SHAPE: prints "wall peak-MB" (or "cut off"), alerts to $work/NAME.SHAPE.out
    local name=$1 binary=$2 shape=$3 status=0
    local rules=()
    [[ -d $work/trees/$shape.rules ]] && rules=(--rules "$work/trees/$shape.rules")
    rm -f "$work/store.db"*
    timeout "$limit" /usr/bin/time -f '%e %M' -o "$work/time" "$binary" backfill "$work/trees/$shape" --db "$work/store.db" \
        "${rules[@]}" --no-progress >"$work/$name.$shape.out" 2>"$work/$name.$shape.err" || status=$?
    if [[ $status == 124 ]]; then echo "cut off after ${limit} s"; return; fi
    [[ $status == 0 ]] || { echo "$name failed on $shape (exit $status):" >&2; tail -n 3 "$work/$name.$shape.err" >&2; exit 1; }
    awk '{ printf "%7.2f s %7.1f MB", $1, $2 / 1024 }' "$work/time"
}

printf '%-11s %-26s %-26s %s\n' shape "trailwatch" "${base_bin:+baseline}" "${base_bin:+same alerts}"
for shape in ${SHAPES:-denied distinct first-seen hot nested array-pair}; do
    now=$(run candidate "$bin" "$shape")
    before="" same=""
    if [[ -n $base_bin ]]; then
        before=$(run baseline "$base_bin" "$shape")
        if [[ $before == cut* || $now == cut* ]]; then same="-"
        elif cmp -s "$work/candidate.$shape.out" "$work/baseline.$shape.out"; then same="yes"
        else same="DIFFERENT"; fi
    fi
    printf '%-11s %-26s %-26s %s\n' "$shape" "$now" "$before" "$same"
done
echo "scale: $scale records per shape${SHAPES:+ (shapes: $SHAPES)}"
[[ ! -f $work/candidate.first-seen.out ]] || echo "$(wc -l < "$work/candidate.first-seen.out") first-seen alerts"
