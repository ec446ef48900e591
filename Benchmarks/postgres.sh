#!/usr/bin/env bash
# The PostgreSQL store beside SQLite, on a throwaway PostgreSQL cluster on loopback TCP.
#
#   Benchmarks/postgres.sh [TREE]      TREE defaults to /work/bench-tree-1m, else $TMPDIR/trailwatch-bench-<RECORDS>
#
# Starts PostgreSQL (initdb + pg_ctl from PATH, as the postgres user when run as root) in a
# temporary directory on a free 127.0.0.1 port, with the durable defaults (fsync, synchronous_commit
# and full_page_writes on; the settings used are printed), and stops it and deletes it at exit.
# Then, with release builds:
#   (a) backfill TREE --jobs JOBS into a fresh SQLite store and into a fresh PostgreSQL database,
#       RUNS times in alternating order: median wall, CPU (of trailwatch; the server's own CPU is
#       printed apart), peak RSS, records/s, and the ratio PostgreSQL / SQLite records/s; with
#       BASE_BIN, also BASE_BIN's backfill into PostgreSQL in the same rotation, and the ratio;
#   (b) WORKERS `backfill` processes started together on the same TREE and the same database
#       (--jobs JOBS each) against one, with `--shard K/WORKERS` and without shards, RUNS rounds
#       with the three set-ups in rotating order: median wall
#       time, speed-up, and a check that each database holds the same events, access rows, alert
#       ids and ledger as the one worker's, and that the workers printed as many alerts as one did;
#   (c) `trailwatch-bench store` fills a fresh database with EVENTS synthetic events through
#       Store.commit and times every query command (median of QUERY_RUNS), then EXPLAIN ANALYZE of
#       the access query for the busiest principal.
#
# Environment: RECORDS (1000000, only to name/generate TREE), JOBS (2), RUNS (3), WORKERS (3),
#   EVENTS (5000000), QUERY_RUNS (7), PARTS (abc: which of the three to run), BIN, BASE_BIN (a
#   baseline build for (a), e.g. an earlier commit's trailwatch; unset: none), BENCH_BIN,
#   BUILD=0 to skip `swift build -c release`, GEN (../shared/tools/gen-cloudtrail).
# The machine's load average is printed before and after: on a shared machine wall times are
# noisy, CPU times much less so.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

records=${RECORDS:-1000000}
jobs=${JOBS:-2}
runs=${RUNS:-3}
workers=${WORKERS:-3}
events=${EVENTS:-5000000}
query_runs=${QUERY_RUNS:-7}
parts=${PARTS:-abc}
gen=${GEN:-../shared/tools/gen-cloudtrail}
bin=${BIN:-.build/release/trailwatch}
base_bin=${BASE_BIN:-}
[[ -z $base_bin || -x $base_bin ]] || { echo "BASE_BIN $base_bin is not an executable" >&2; exit 2; }
bench=${BENCH_BIN:-.build/release/trailwatch-bench}
default_tree=/work/bench-tree-1m
[[ $records == 1000000 && -f $default_tree/manifest.json ]] || default_tree=${TMPDIR:-/tmp}/trailwatch-bench-$records
tree=${1:-$default_tree}

if [[ $parts == *[ab]* && ! -f $tree/manifest.json ]]; then
    [[ -x $gen ]] || { echo "gen-cloudtrail not found at $gen (set GEN=...)" >&2; exit 2; }
    echo "generating $records records into $tree ..." >&2
    "$gen" -o "$tree" -n "$records" -q
fi
if [[ ${BUILD:-1} != 0 ]]; then
    swift build -c release --product trailwatch >&2
    [[ $parts == *c* ]] && swift build -c release --product trailwatch-bench >&2
fi
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
for tool in initdb pg_ctl psql; do
    command -v $tool >/dev/null || { echo "$tool is not on PATH (apt-get install postgresql; its binaries are in /usr/lib/postgresql/15/bin)" >&2; exit 2; }
done

# --- the throwaway cluster ---------------------------------------------------------------------
work=$(mktemp -d)
chmod 755 "$work"
pgdir=$work/pg
mkdir -m 700 "$pgdir"
as_pg=()
if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || { echo "running as root, but there is no postgres user to run the server as" >&2; exit 2; }
    chown postgres: "$pgdir"
    as_pg=(/usr/sbin/runuser -u postgres --)
fi
stop_cluster() {
    if [[ -f $pgdir/data/postmaster.pid ]]; then
        "${as_pg[@]}" pg_ctl -D "$pgdir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$password" > "$pgdir/pwfile"
[[ ${#as_pg[@]} == 0 ]] || chown postgres: "$pgdir/pwfile"
"${as_pg[@]}" initdb -D "$pgdir/data" -U trailwatch --pwfile="$pgdir/pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --no-locale >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log" >&2; exit 2; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >> "$pgdir/data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$pgdir'
max_connections = 100
EOF
"${as_pg[@]}" pg_ctl -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 start >/dev/null \
    || { tail -n 20 "$pgdir/server.log" >&2; exit 2; }
export PGPASSWORD=$password
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U trailwatch "$@"; }
url() { echo "postgres://trailwatch@127.0.0.1:$port/$1"; }   # loopback: no TLS needed
fresh_db() { psql_ -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }
settings=$(psql_ -d postgres -At -F= -c "SELECT name, current_setting(name) FROM pg_settings
    WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_wal_size', 'wal_level')
    ORDER BY name" | tr '\n' ' ')

# CPU seconds (user + sys) used so far by the server's processes, ended children included:
# trailwatch's own CPU is measured by time(1), the server's is read here before and after a run.
server_cpu() {
    local pid hz
    pid=$(head -n 1 "$pgdir/data/postmaster.pid")
    hz=$(getconf CLK_TCK)
    { cat /proc/"$pid"/stat; pgrep -P "$pid" | while read -r c; do cat /proc/"$c"/stat 2>/dev/null || true; done; } |
        awk -v hz="$hz" -v root="$pid" '{ sub(/^.*\) /, ""); t += $12 + $13; if ($1 != "" && NR == 1) t += $14 + $15 } END { printf "%.2f", t / hz }'
}

# count DB: events, access rows and alerts, from SQLite (a path) or PostgreSQL (a database name)
count() {
    if [[ $1 == */* ]]; then
        python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(" ".join(str(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in ("events", "access", "alerts")))
PY
    else
        psql_ -d "$1" -At -F' ' -c "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM access), (SELECT count(*) FROM alerts)"
    fi
}

echo "PostgreSQL on 127.0.0.1:$port: $settings" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

backfill() {   # backfill NAME DB-ARG [extra args]: one timed run into results
    local name=$1 db=$2 s0 s1 status=0
    shift 2
    s0=$(server_cpu)
    /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "${run_bin:-$bin}" backfill "$tree/AWSLogs" --jobs "$jobs" --db "$db" \
        --no-progress "$@" >"$work/$name.stdout" 2>"$work/$name.stderr" || status=$?
    [[ $db == *://* ]] && sleep 1   # let the server reap the backends before reading its CPU
    s1=$(server_cpu)
    if [[ $status != 0 ]]; then
        echo "$name failed (exit $status):" >&2
        tail -n 5 "$work/$name.stderr" >&2
        exit 1
    fi
    echo "$name $(tail -n 1 "$work/$name.time") $(echo "$s1 - $s0" | bc)"
}

# --- (a) one backfill into SQLite and into PostgreSQL -------------------------------------------
if [[ $parts == *a* ]]; then
    engines=(sqlite postgres)
    [[ -n $base_bin ]] && engines+=(baseline)
    for ((n = 0; n < runs; n++)); do
        # Each run rotates the order, so no engine always goes first (or after the same one).
        order=("${engines[@]:n % ${#engines[@]}}" "${engines[@]:0:n % ${#engines[@]}}")
        for engine in "${order[@]}"; do
            if [[ $engine == sqlite ]]; then
                rm -f "$work/a.db"*
                backfill sqlite "$work/a.db" >> "$work/a.results"
                count "$work/a.db" > "$work/a.sqlite.counts"
            elif [[ $engine == postgres ]]; then
                fresh_db bench_a
                backfill postgres "$(url bench_a)" >> "$work/a.results"
                count bench_a > "$work/a.postgres.counts"
            else
                fresh_db bench_a
                run_bin=$base_bin backfill baseline "$(url bench_a)" >> "$work/a.results"
                count bench_a > "$work/a.baseline.counts"
            fi
        done
        echo "(a) run $((n + 1))/$runs done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    done
fi

# --- (b) WORKERS backfills together against one -------------------------------------------------
# ledger DB: a digest of what the store holds beyond counts (alert ids, the ledger), to compare runs.
ledger() {
    psql_ -d "$1" -At -F' ' -c "SELECT md5(coalesce(string_agg(id, ',' ORDER BY id), '')) FROM alerts" \
        -c "SELECT md5(string_agg(path || ' ' || status || ' ' || records || ' ' || skipped || ' ' || invalid, ',' ORDER BY path)) FROM files" |
        tr '\n' ' '
}
# many NAME SHARDED: WORKERS processes started together on one fresh database, with --shard K/N or without.
many() {
    local name=$1 sharded=$2 s0 s1 start wall cpu rss w
    fresh_db "bench_$name"
    s0=$(server_cpu)
    start=$(date +%s.%N)
    local pids=()
    for ((w = 1; w <= workers; w++)); do
        local extra=()
        [[ $sharded == 1 ]] && extra=(--shard "$w/$workers")
        /usr/bin/time -f '%e %U %S %M' -o "$work/$name.w$w.time" "$bin" backfill "$tree/AWSLogs" --jobs "$jobs" --db "$(url "bench_$name")" \
            --no-progress --worker-id "w$w" "${extra[@]}" >"$work/$name.w$w.stdout" 2>"$work/$name.w$w.stderr" &
        pids+=($!)
    done
    for ((w = 1; w <= workers; w++)); do
        wait "${pids[$((w - 1))]}" || { echo "worker w$w ($name) failed:" >&2; tail -n 5 "$work/$name.w$w.stderr" >&2; exit 1; }
    done
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    sleep 1   # let the server reap the workers' backends before reading its CPU
    s1=$(server_cpu)
    cpu=$(cat "$work/$name".w*.time | awk '{ t += $2 + $3 } END { printf "%.2f", t }')
    rss=$(cat "$work/$name".w*.time | awk '{ if ($4 > m) m = $4 } END { print m }')
    echo "$name $wall $cpu 0 $rss $(echo "$s1 - $s0" | bc)" >> "$work/b.$name"
    echo "$(count "bench_$name") $(ledger "bench_$name")" >> "$work/b.$name.counts"
    cat "$work/$name".w*.stdout | wc -l >> "$work/b.$name.alerts"
    for ((w = 1; w <= workers; w++)); do tail -n 1 "$work/$name.w$w.stderr" | sed "s/^/$name w$w: /" >&2; done
}
one() {
    fresh_db bench_one
    backfill one "$(url bench_one)" --worker-id one >> "$work/b.one"
    echo "$(count bench_one) $(ledger bench_one)" >> "$work/b.one.counts"
    cat "$work/one.stdout" | wc -l >> "$work/b.one.alerts"
}
if [[ $parts == *b* ]]; then
    # RUNS rounds; each round rotates the order of the three set-ups, as (a) does.
    setups=(one "many sharded 1" "many unsharded 0")
    for ((n = 0; n < runs; n++)); do
        order=("${setups[@]:n % 3}" "${setups[@]:0:n % 3}")
        for setup in "${order[@]}"; do $setup; done
        echo "(b) run $((n + 1))/$runs done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    done
fi

echo "load average after (a), (b):  $(cut -d' ' -f1-3 /proc/loadavg)" >&2

if [[ $parts == *[ab]* ]]; then
python3 - "$tree/manifest.json" "$work" "$jobs" "$runs" "$workers" "$settings" <<'PY'
import json, os, statistics, sys
manifest, work, jobs, runs, workers, settings = sys.argv[1:7]
counts = json.load(open(manifest))["counts"]
recs = counts["records"]
print(f"tree:       {counts['logFiles']} files, {recs:,} records, {counts['uncompressedBytes'] / 1e6:,.0f} MB of JSON")
print(f"postgres:   {settings.strip()} (loopback TCP, scram-sha-256)")
def read(path):
    return open(os.path.join(work, path)).read().split() if os.path.exists(os.path.join(work, path)) else None
if os.path.exists(f"{work}/a.results"):
    rows = {}
    for line in open(f"{work}/a.results"):
        name, wall, user, sys_, rss, server = line.split()
        rows.setdefault(name, []).append((float(wall), float(user) + float(sys_), int(rss) / 1024, float(server)))
    print(f"(a) backfill --jobs {jobs}, {runs} run(s) each, alternating; medians (min-max wall)")
    med = {}
    for name in ("sqlite", "postgres", "baseline"):
        if name not in rows:
            continue
        r = rows[name]
        med[name] = [statistics.median(v[i] for v in r) for i in range(4)]
        wall, cpu, rss, server = med[name]
        walls = [v[0] for v in r]
        extra = f"  server CPU {server:6.2f} s" if name != "sqlite" else ""
        print(f"    {name:9} wall {wall:6.2f} s ({min(walls):.2f}-{max(walls):.2f})  {recs / wall:9,.0f} records/s  CPU {cpu:6.2f} s  peak RSS {rss:6.1f} MB{extra}")
    print(f"    ratio postgres / sqlite records/s: {med['sqlite'][0] / med['postgres'][0]:.2f} (target >= 0.5)")
    a, b = read("a.sqlite.counts"), read("a.postgres.counts")
    print(f"    stored (events, access, alerts): sqlite {' '.join(a)}, postgres {' '.join(b)}: {'same' if a == b else 'DIFFERENT'}")
    if "baseline" in med:
        c = read("a.baseline.counts")
        print(f"    baseline (BASE_BIN, into PostgreSQL): postgres / baseline wall {med['postgres'][0] / med['baseline'][0]:.2f}, "
              f"CPU {med['postgres'][1] / med['baseline'][1]:.2f}, server CPU {med['postgres'][3] / med['baseline'][3]:.2f}; "
              f"stored {'same' if c == b else 'DIFFERENT: ' + ' '.join(c)}")
if os.path.exists(f"{work}/b.one"):
    def rounds(name):
        return [line.split() for line in open(f"{work}/b.{name}")]
    ones = rounds("one")
    walls1 = [float(r[1]) for r in ones]
    w1 = statistics.median(walls1)
    def lines(path):
        return set(open(os.path.join(work, path)).read().splitlines())
    ref, ref_alerts = lines("b.one.counts"), lines("b.one.alerts")
    one_note = "" if len(ref) == 1 and len(ref_alerts) == 1 else "  (the one worker's rounds DIFFER among themselves)"
    print(f"(b) {workers} backfill workers (--jobs {jobs} each) vs one, PostgreSQL, {len(ones)} round(s) in rotating order; medians (min-max wall)")
    print(f"    one worker              wall {w1:6.2f} s ({min(walls1):.2f}-{max(walls1):.2f})  {recs / w1:9,.0f} records/s  "
          f"CPU {statistics.median(float(r[2]) + float(r[3]) for r in ones):6.2f} s  server CPU {statistics.median(float(r[5]) for r in ones):6.2f} s{one_note}")
    for name, label in (("sharded", f"--shard K/{workers}"), ("unsharded", "no --shard")):
        if not os.path.exists(f"{work}/b.{name}"):
            continue
        many = rounds(name)
        walls = [float(r[1]) for r in many]
        wn = statistics.median(walls)
        # Each round's speed-up against the one worker of the same round.
        ups = [a / b for a, b in zip(walls1, walls)]
        got, alerts = lines(f"b.{name}.counts"), lines(f"b.{name}.alerts")
        print(f"    {workers} workers, {label:12} wall {wn:6.2f} s ({min(walls):.2f}-{max(walls):.2f})  {recs / wn:9,.0f} records/s  "
              f"CPU {statistics.median(float(r[2]) for r in many):6.2f} s  server CPU {statistics.median(float(r[5]) for r in many):6.2f} s  "
              f"speed-up {w1 / wn:.2f}x on {os.cpu_count()} cores (per round: {', '.join(f'{u:.2f}' for u in ups)})")
        print(f"      events, access rows, alerts, alert ids, ledger, every round: {'same as one worker' if got == ref else 'DIFFERENT: ' + ' | '.join(sorted(got)) + ' vs ' + ' | '.join(sorted(ref))}; "
              f"alerts printed: {'same as one worker (' + min(alerts) + ')' if alerts == ref_alerts else 'DIFFERENT: ' + ', '.join(sorted(alerts)) + ' vs ' + ', '.join(sorted(ref_alerts))}")
PY
fi

# --- (c) queries on a synthetic history ---------------------------------------------------------
if [[ $parts == *c* ]]; then
    fresh_db bench_q
    echo "(c) filling $events synthetic events into PostgreSQL (trailwatch-bench store) ..." >&2
    "$bench" store --db "$(url bench_q)" --events "$events" --runs "$query_runs"
    psql_ -d bench_q -At -c "SELECT 'database size: ' || pg_size_pretty(pg_database_size('bench_q'))"
    # The timings above ran right after the load, with whatever statistics autovacuum had
    # gathered by then; a long-lived store has them all, so time again after ANALYZE.
    psql_ -d bench_q -c "ANALYZE" >/dev/null
    echo "after ANALYZE:"
    "$bench" store --db "$(url bench_q)" --reuse --runs "$query_runs" | grep -v '^$'
    # One more pass with auto_explain logging every statement's EXPLAIN ANALYZE (instrumented,
    # so not timed), then print the plan of the slowest statement.
    psql_ -d bench_q -c "ALTER DATABASE bench_q SET session_preload_libraries = 'auto_explain'" \
        -c "ALTER DATABASE bench_q SET auto_explain.log_min_duration = 0" \
        -c "ALTER DATABASE bench_q SET auto_explain.log_analyze = on" \
        -c "ALTER DATABASE bench_q SET auto_explain.log_buffers = on" >/dev/null
    log_start=$(wc -l < "$pgdir/server.log")
    "$bench" store --db "$(url bench_q)" --reuse --runs 1 >/dev/null
    echo "EXPLAIN ANALYZE of the slowest statement of the query commands (auto_explain):"
    tail -n +"$((log_start + 1))" "$pgdir/server.log" | python3 -c '
import re, sys
plans, current = [], None
for line in sys.stdin:
    m = re.search(r"LOG:  duration: ([0-9.]+) ms  plan:", line)
    if m:
        current = [float(m.group(1)), []]
        plans.append(current)
    elif current is not None and (line.startswith("\t") or line.startswith(" ")):
        current[1].append(line.rstrip())
    else:
        current = None
if plans:
    ms, lines = max(plans, key=lambda p: p[0])
    print(f"  ({ms:.1f} ms with instrumentation)")
    print("\n".join("  " + l.strip("\t") for l in lines))
'
    echo "load average after (c): $(cut -d' ' -f1-3 /proc/loadavg)" >&2
fi
