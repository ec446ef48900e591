#!/bin/sh
# Build the benchmark inputs (100,000 CloudTrail events as EventBridge events; 100 and 1,000
# rules) and run `trailwatch pattern bench` on a release build.
#   Benchmarks/patterns/run.sh [WORKDIR]   (default /tmp/trailwatch-pattern-bench)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-/tmp/trailwatch-pattern-bench}
gen=${GEN_CLOUDTRAIL:-$root/../shared/tools/gen-cloudtrail}
[ -x "$gen" ] || { echo "gen-cloudtrail not found at $gen (set GEN_CLOUDTRAIL)" >&2; exit 2; }
mkdir -p "$work"
if [ ! -s "$work/records.jsonl" ]; then
    "$gen" -o "$work/out" -n 100000 --jsonl "$work/records.jsonl" --no-tree -q
fi
[ -s "$work/events.jsonl" ] || python3 "$here/envelope.py" "$work/records.jsonl" "$work/events.jsonl"
python3 "$here/make-rules.py" 100 "$work/records.jsonl" "$work/rules-100.jsonl"
python3 "$here/make-rules.py" 1000 "$work/records.jsonl" "$work/rules-1000.jsonl"
(cd "$root" && swift build -c release --product trailwatch >/dev/null)
bin="$root/.build/release/trailwatch"
for n in 100 1000; do
    echo "== $n rules"
    "$bin" pattern bench --patterns "$work/rules-$n.jsonl" --events "$work/events.jsonl"
done
