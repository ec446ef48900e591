#!/usr/bin/env bash
# backfill of the same generated tree from a local directory and from moto's S3 on loopback:
# records/s, requests per 1,000 files and peak memory (release build). Never talks to AWS.
# usage: Benchmarks/s3-backfill.sh [RECORDS [DAYS]]   (default 200000 3; CONFIG=debug for a debug build,
#        BIN=PATH to measure an already built binary instead of building one)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
records=${1:-200000}
days=${2:-3}
config=${CONFIG:-release}
gen=../shared/tools/gen-cloudtrail
work=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null || true; rm -rf "$work"' EXIT
if [[ -n ${BIN:-} ]]; then
    bin=$BIN
    config="given ($BIN)"
else
    swift build -c "$config" --product trailwatch >/dev/null
    bin=.build/$config/trailwatch
fi

"$gen" -o "$work/tree" -n "$records" --days "$days" --accounts 3 --regions 2 --org -q -j 2
files=$(find "$work/tree/AWSLogs" -path '*/CloudTrail/*' -name '*.json.gz' | wc -l)

# moto on a free port, fed from a pipe that stays open until this script ends.
mkfifo "$work/moto-stdin"
python3 Tests/TrailwatchCLITests/Fixtures/moto_s3.py --log "$work/requests.log" --upload "$work/tree=bench-bucket" \
    <"$work/moto-stdin" >"$work/moto-stdout" 2>"$work/moto-stderr" &
exec 3>"$work/moto-stdin"
for _ in $(seq 1 600); do grep -q READY "$work/moto-stdout" 2>/dev/null && break; sleep 0.5; done
port=$(awk '/READY/ {print $2}' "$work/moto-stdout")

run() {  # label, then trailwatch arguments
    local label=$1; shift
    /usr/bin/time -f "%M" -o "$work/rss" "$bin" backfill "$@" --no-progress --db "$work/$label.db" >/dev/null 2>"$work/$label.err"
    echo "$label: $(grep '^trailwatch: files' "$work/$label.err" | sed 's/.*records: /records: /'); peak RSS $(( $(cat "$work/rss") / 1024 )) MiB"
}

echo "tree: $records records, $files log files (3 accounts, 2 regions, $days days, organization layout); $config build"
run local "$work/tree/AWSLogs"
: >"$work/requests.log"
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
    run s3 s3://bench-bucket --endpoint-url "http://127.0.0.1:$port"
lists=$(grep -c 'list-type=2' "$work/requests.log" || true)
total=$(wc -l <"$work/requests.log")
echo "s3 requests: $total ($lists LIST, $((total - lists)) GET): $(( total * 1000 / files )) per 1,000 files"
