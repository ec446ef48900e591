#!/usr/bin/env bash
# Backfill of a generated 1,000,000-record archive, side by side with gzip -dc, DuckDB and a baseline build.
#
#   Benchmarks/backfill.sh [TREE]      TREE defaults to $TMPDIR/trailwatch-bench-<RECORDS>
#
# Runs, RUNS times in rotating order so that every tool sees the same load:
#   candidate   BIN backfill TREE --jobs JOBS into a fresh store   (default .build/release/trailwatch)
#   baseline    BASE_BIN backfill, the same way                    (only when BASE_BIN is set)
#   gzip -dc    over the same CloudTrail files (cat | gzip -dc > /dev/null)
#   duckdb      read_json_auto over the same files, CREATE TABLE AS SELECT of the Secrets Manager
#               rows, JOBS threads (Benchmarks/duckdb-import.py; skipped when duckdb is not
#               installed: pip install duckdb)
# and prints per tool the median wall time, CPU time (user + sys) and peak RSS, then the ratios:
# candidate / gzip -dc (wall), duckdb / candidate (how many times faster), baseline / candidate,
# and the candidate's wall ratios to gzip -dc and the baseline round by round.
# With BASE_BIN set it also checks that both stores hold the same results (canonical dump,
# Benchmarks/canonical-dump.py). The load average is printed before and after: on a shared
# machine wall times are noisy, CPU times much less so.
#
# Environment: RECORDS (1000000), JOBS (2), RUNS (3), GEN (../shared/tools/gen-cloudtrail),
#   BIN, BASE_BIN, BUILD=0 to skip `swift build -c release`, DUCKDB=0 / GZIP=0 to leave those out,
#   BIN_ENV / BASE_ENV: extra environment for either (e.g. BIN_ENV=TRAILWATCH_INFLATE=zlib).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

records=${RECORDS:-1000000}
jobs=${JOBS:-2}
runs=${RUNS:-3}
gen=${GEN:-../shared/tools/gen-cloudtrail}
bin=${BIN:-.build/release/trailwatch}
base=${BASE_BIN:-}
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

tools=(candidate)
[[ -n $base ]] && tools+=(baseline)
[[ ${GZIP:-1} != 0 ]] && tools+=(gzip)
if [[ ${DUCKDB:-1} != 0 ]]; then
    if python3 -c 'import duckdb' 2>/dev/null; then tools+=(duckdb); else echo "duckdb not installed: left out (pip install duckdb)" >&2; fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "$tree/AWSLogs" -path '*/CloudTrail/*' -name '*.json.gz' -print0 | sort -z > "$work/files"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

measure() {   # measure TOOL RUN
    local tool=$1 n=$2 out="$work/$1.$2" status=0
    rm -f "$work/$tool.db"*
    case $tool in
        candidate) env ${BIN_ENV:-} /usr/bin/time -f '%e %U %S %M' -o "$out" "$bin" backfill "$tree/AWSLogs" --jobs "$jobs" \
                       --db "$work/$tool.db" --no-progress >/dev/null 2>"$work/$tool.stderr" || status=$? ;;
        baseline)  env ${BASE_ENV:-} /usr/bin/time -f '%e %U %S %M' -o "$out" "$base" backfill "$tree/AWSLogs" --jobs "$jobs" \
                       --db "$work/$tool.db" --no-progress >/dev/null 2>"$work/$tool.stderr" || status=$? ;;
        gzip)      /usr/bin/time -f '%e %U %S %M' -o "$out" bash -c 'xargs -0 cat < "$1" | gzip -dc >/dev/null' _ "$work/files" \
                       || status=$? ;;
        duckdb)    /usr/bin/time -f '%e %U %S %M' -o "$out" python3 Benchmarks/duckdb-import.py "$tree" --threads "$jobs" \
                       >"$work/$tool.stdout" 2>"$work/$tool.stderr" || status=$? ;;
    esac
    if [[ $status != 0 ]]; then
        echo "$tool failed (exit $status):" >&2
        tail -n 5 "$work/$tool.stderr" >&2 2>/dev/null || true
        exit 1
    fi
    # Children (gzip's pipeline, the shell) are counted by time(1) in user and sys.
    echo "$tool $(tail -n 1 "$out")" >> "$work/results"
}

for ((n = 0; n < runs; n++)); do
    count=${#tools[@]}
    for ((i = 0; i < count; i++)); do
        measure "${tools[$(((i + n) % count))]}" "$n"
    done
    echo "run $((n + 1))/$runs done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)" >&2

[[ -f $work/candidate.stderr ]] && tail -n 1 "$work/candidate.stderr" | sed 's/^/candidate: /' >&2
same=""
if [[ -n $base ]]; then
    a=$(python3 Benchmarks/canonical-dump.py "$work/candidate.db" | tail -n 1)
    b=$(python3 Benchmarks/canonical-dump.py "$work/baseline.db" | tail -n 1)
    if [[ $a == "$b" ]]; then same="identical (${a##* })"; else same="DIFFERENT: candidate ${a##* }, baseline ${b##* }"; fi
fi

python3 - "$tree/manifest.json" "$work/results" "$jobs" "$runs" "$same" <<'PY'
import json, statistics, sys
manifest, results, jobs, runs, same = sys.argv[1:6]
counts = json.load(open(manifest))["counts"]
rows = {}
for line in open(results):
    tool, wall, user, sys_, rss = line.split()
    rows.setdefault(tool, []).append((float(wall), float(user) + float(sys_), int(rss) / 1024))
med = {t: tuple(statistics.median(v[i] for v in r) for i in range(3)) for t, r in rows.items()}
recs, json_mb, gz_mb = counts["records"], counts["uncompressedBytes"] / 1e6, counts["compressedBytes"] / 1e6
print(f"tree:       {counts['logFiles']} files, {recs:,} records, {json_mb:,.0f} MB of JSON, {gz_mb:,.0f} MB gzipped")
print(f"runs:       {runs} per tool, rotating order, --jobs / threads {jobs}; medians (min-max wall)")
names = {"candidate": "trailwatch", "baseline": "baseline", "gzip": "gzip -dc", "duckdb": "duckdb"}
for tool in ["candidate", "baseline", "gzip", "duckdb"]:
    if tool not in med:
        continue
    wall, cpu, rss = med[tool]
    walls = [v[0] for v in rows[tool]]
    print(f"{names[tool]:11} wall {wall:6.2f} s ({min(walls):.2f}-{max(walls):.2f})  CPU {cpu:6.2f} s  peak RSS {rss:7.1f} MB")
c = med["candidate"][0]
print(f"throughput: {recs / c:,.0f} records/s, {json_mb / c:,.1f} MB/s of JSON (trailwatch)")
if "gzip" in med:
    print(f"ratio:      trailwatch / gzip -dc wall = {c / med['gzip'][0]:.2f}")
if "duckdb" in med:
    print(f"ratio:      duckdb / trailwatch wall = {med['duckdb'][0] / c:.2f} (trailwatch that many times faster)")
if "baseline" in med:
    b = med["baseline"]
    print(f"ratio:      trailwatch / baseline: wall {c / b[0]:.2f}, CPU {med['candidate'][1] / b[1]:.2f}, peak RSS {med['candidate'][2] / b[2]:.2f}")
# Round by round (the tools of a round ran back to back): on a machine whose speed drifts, the
# spread of these says how far to trust the medians above.
for other, label in [("gzip", "gzip -dc"), ("baseline", "baseline")]:
    if other in rows:
        pairs = [x[0] / y[0] for x, y in zip(rows["candidate"], rows[other])]
        faster = sum(p < 1 for p in pairs)
        print(f"per round:  trailwatch / {label} wall " + " ".join(f"{p:.2f}" for p in pairs)
              + f" (lower in {faster} of {len(pairs)})")
if same:
    print(f"results:    {same}")
PY
