#!/usr/bin/env bash
# Backfill throughput on a generated 1,000,000-record archive (issue 3's benchmark).
#
#   Benchmarks/backfill.sh [TREE]      TREE defaults to $TMPDIR/trailwatch-bench-<RECORDS>
#
# Environment: RECORDS (1000000), JOBS (2), GEN (../shared/tools/gen-cloudtrail),
#   BIN (.build/release/trailwatch; set BUILD=0 to skip `swift build -c release`),
#   BASELINE=1 also times `gzip -dc` over the same files for comparison.
# Prints records/s, MB/s of JSON (manifest.json uncompressedBytes) and peak RSS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

records=${RECORDS:-1000000}
jobs=${JOBS:-2}
gen=${GEN:-../shared/tools/gen-cloudtrail}
bin=${BIN:-.build/release/trailwatch}
tree=${1:-${TMPDIR:-/tmp}/trailwatch-bench-$records}

if [[ ! -f $tree/manifest.json ]]; then
    [[ -x $gen ]] || { echo "gen-cloudtrail not found at $gen (set GEN=...)" >&2; exit 2; }
    echo "generating $records records into $tree ..." >&2
    "$gen" -o "$tree" -n "$records" -q
fi
if [[ ${BUILD:-1} != 0 ]]; then
    swift build -c release --product trailwatch >&2
fi
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
/usr/bin/time -v -o "$work/time" "$bin" backfill "$tree/AWSLogs" --jobs "$jobs" --db "$work/bench.db" \
    >/dev/null 2>"$work/stderr" || status=$?
tail -n 3 "$work/stderr" | sed 's/^/trailwatch: /' >&2

baseline=""
if [[ ${BASELINE:-0} != 0 ]]; then
    start=$(date +%s.%N)
    find "$tree/AWSLogs" -path '*/CloudTrail/*' -name '*.json.gz' -print0 | xargs -0 cat | gzip -dc >/dev/null
    baseline=$(echo "$(date +%s.%N) - $start" | bc)
fi

python3 - "$tree/manifest.json" "$work/time" "$status" "$jobs" "$baseline" <<'PY'
import json, re, sys
manifest, timefile, status, jobs, baseline = sys.argv[1:6]
counts = json.load(open(manifest))["counts"]
t = open(timefile).read()
def field(name):
    m = re.search(re.escape(name) + r":\s*(\S+)", t)
    return m.group(1) if m else "0"
wall = 0.0
for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
    wall = wall * 60 + float(part)
rss_mb = int(field("Maximum resident set size (kbytes)")) / 1024
recs, json_mb, gz_mb = counts["records"], counts["uncompressedBytes"] / 1e6, counts["compressedBytes"] / 1e6
print(f"tree:       {counts['logFiles']} files, {recs:,} records, {json_mb:,.0f} MB of JSON, {gz_mb:,.0f} MB gzipped")
print(f"backfill:   --jobs {jobs}, exit {status}, wall {wall:.2f} s, user {float(field('User time (seconds)')):.2f} s, "
      f"sys {float(field('System time (seconds)')):.2f} s")
if status != "0":
    print("warning:    trailwatch failed; the figures below are not a measurement")
if wall > 0:
    print(f"throughput: {recs / wall:,.0f} records/s, {json_mb / wall:,.1f} MB/s of JSON")
print(f"peak RSS:   {rss_mb:,.1f} MB")
if baseline:
    b = float(baseline)
    print(f"gzip -dc:   {b:.2f} s ({recs / b:,.0f} records/s)")
PY
exit "$status"
