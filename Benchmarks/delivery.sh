#!/usr/bin/env bash
# Alert delivery figures (issue 11):
#  1. backfill throughput with a webhook sink that is down (connection refused) against the
#     default standard output sink, on a generated tree with a rule that alerts on every
#     GetSecretValue, so the outbox fills while ingestion runs;
#  2. alerts/s delivered to a loopback endpoint (Scripts/webhook-test-server.py, one Python
#     process: the receiver is likely the limit), from its request log.
#
#   Benchmarks/delivery.sh        Environment: RECORDS (200000), JOBS (2), RUNS (2),
#                                 BIN (.build/release/trailwatch), GEN (../shared/tools/gen-cloudtrail)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
records=${RECORDS:-200000}
jobs=${JOBS:-2}
runs=${RUNS:-2}
bin=${BIN:-.build/release/trailwatch}
gen=${GEN:-../shared/tools/gen-cloudtrail}
tree=${TMPDIR:-/tmp}/trailwatch-bench-$records
[[ -f $tree/manifest.json ]] || "$gen" -o "$tree" -n "$records" -q

work=$(mktemp -d)
server_pid=""
trap '[[ -n $server_pid ]] && kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
mkdir "$work/rules"
cp Rules/*.json "$work/rules/"
echo '{"name":"every-read","severity":"low","pattern":{"detail":{"eventName":["GetSecretValue"]}}}' > "$work/rules/every-read.json"

rate() { grep -o '[0-9]* records/s' "$1" | tail -1 | cut -d' ' -f1; }
alerts() { grep -o 'alerts: [0-9]*' "$1" | tail -1 | cut -d' ' -f2; }
for run in $(seq "$runs"); do
    rm -f "$work"/*.db*
    "$bin" backfill "$tree/AWSLogs" --jobs "$jobs" --db "$work/a.db" --rules "$work/rules" --no-progress >/dev/null 2>"$work/none.err" || true
    rm -f "$work"/*.db*
    "$bin" backfill "$tree/AWSLogs" --jobs "$jobs" --db "$work/b.db" --rules "$work/rules" --no-progress \
        --sink webhook:http://127.0.0.1:9/down --drain-timeout 0 >/dev/null 2>"$work/down.err" || true
    echo "run $run: stdout sink $(rate "$work/none.err") records/s; webhook down $(rate "$work/down.err") records/s ($(alerts "$work/down.err") alerts queued)"
done

python3 Scripts/webhook-test-server.py --port-file "$work/port" --log "$work/requests.jsonl" --quiet-log &
server_pid=$!
for _ in $(seq 100); do [[ -f $work/port ]] && break; sleep 0.1; done
rm -f "$work"/*.db*
start=$(date +%s.%N)
"$bin" backfill "$tree/AWSLogs" --jobs "$jobs" --db "$work/c.db" --rules "$work/rules" --no-progress \
    --sink "webhook:http://127.0.0.1:$(cat "$work/port")/hook" --drain-timeout 600 >/dev/null 2>"$work/up.err" || true
end=$(date +%s.%N)
python3 - "$work/requests.jsonl" "$start" "$end" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ok = [r for r in rows if r["status"] == 200]
span = rows[-1]["t"] - rows[0]["t"] if len(rows) > 1 else 0
print(f"loopback webhook: {len(ok)} alerts delivered (2xx), {len(rows)} requests, "
      f"{len(ok) / span:,.0f} alerts/s between the first and last request ({span:.1f} s); "
      f"whole backfill {float(sys.argv[3]) - float(sys.argv[2]):.1f} s")
PY
grep -E "warning|error" "$work/up.err" | head -3 || true
