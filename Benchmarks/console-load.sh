#!/usr/bin/env bash
# Console page latency under load (issue 16): `trailwatch serve` (release) on a 5,000,000-event
# history, each page hammered by wrk with 20 connections; prints p50 and p99 per page.
#
#   Benchmarks/console-load.sh [DB]
#
# DB defaults to $TMPDIR/trailwatch-console-<EVENTS>.db. When missing it is filled by
# `trailwatch-bench store --events EVENTS --db DB` (a synthetic history written through
# Store.commit, the schema and indexes backfill writes; generating and backfilling 5M records with
# gen-cloudtrail takes far longer on a shared 2-core machine).
# Env: EVENTS (5000000), DURATION (10s), CONNECTIONS (20), THREADS (2), BUILD=0 skips the release
# build, SCRATCH (.build-release, the release build's folder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

events=${EVENTS:-5000000}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-20}
threads=${THREADS:-2}
scratch=${SCRATCH:-.build-release}
db=${1:-${TMPDIR:-/tmp}/trailwatch-console-$events.db}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 2; }

if [[ ${BUILD:-1} != 0 ]]; then
    swift build -c release --scratch-path "$scratch" --product trailwatch >&2
    swift build -c release --scratch-path "$scratch" --product trailwatch-bench >&2
fi
bin="$scratch/release/trailwatch"
if [[ ! -f $db ]]; then
    echo "filling $db with $events events ..." >&2
    "$scratch/release/trailwatch-bench" store --events "$events" --db "$db" --runs 1 >&2
fi

# The busiest secret and principal, and one alert, to aim the pages at.
read -r hot_secret hot_principal hot_name < <(python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
secret, name = db.execute("SELECT s.arn, s.name FROM secrets s WHERE s.id = (SELECT secret FROM access GROUP BY secret ORDER BY count(*) DESC LIMIT 1)").fetchone()
principal = db.execute("SELECT p.arn FROM principals p WHERE p.id = (SELECT principal FROM events GROUP BY principal ORDER BY count(*) DESC LIMIT 1)").fetchone()[0]
print(secret, principal, name)
PY
)
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

log=$(mktemp)
"$bin" serve --db "$db" --listen 127.0.0.1:0 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q 'serving http' "$log" && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' "$log" | head -1)
[[ -n $base ]] || { cat "$log" >&2; exit 1; }
alert=$(curl -s "$base/api/alerts?limit=1" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')

pages=(
    "/"
    "/alerts"
    "/alerts?severity=high"
    "/alerts?page=100"
    "/alerts?principal=$(enc "$hot_principal")"
    "/alert?id=$(enc "$alert")"
    "/secret?name=$(enc "$hot_secret")"
    "/principal?name=$(enc "$hot_principal")"
    "/search?q=$(enc "$hot_name")"
    "/api/status"
    "/api/alerts"
    "/api/query/secret?name=$(enc "$hot_secret")"
)
echo "store: $db ($events events); $connections connections, $threads threads, $duration per page"
printf '%-60s %10s %10s %10s %8s\n' page p50 p99 max req/s
for page in "${pages[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base$page")
    [[ $code == 200 ]] || { echo "$page answered $code" >&2; exit 1; }
    out=$(wrk -t "$threads" -c "$connections" -d "$duration" --latency "$base$page")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    max=$(awk '$1 == "Latency" {print $4; exit}' <<<"$out")
    rps=$(awk '$1 == "Requests/sec:" {print $2}' <<<"$out")
    printf '%-60s %10s %10s %10s %8s\n' "${page:0:60}" "$p50" "$p99" "$max" "$rps"
done
