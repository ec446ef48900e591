#!/usr/bin/env bash
# Two builds' backfills of the same tree compared in A B B A blocks, for steps worth a few percent.
#
#   BASE_BIN=OLD BIN=NEW Benchmarks/backfill-abba.sh TREE [BLOCKS]
#
# On a machine whose speed drifts between runs, one pair of runs can differ by a fifth either
# way, and the second run of a pair was faster in an A/A test (the same build twice: 10 of 16
# pairs, median 0.97). Each block runs A, B, B, A, so that drift within the block and the
# position of a run cancel, and reports B's share of the block's wall and CPU time (user + sys).
# An A/A test with this script (12 blocks) gave a median of 0.995 and a spread of 0.95-1.05.
# Prints every block's ratios, their median and mean, in how many blocks B was lower, and each
# build's median wall, CPU and peak RSS. Both stores are checked to hold the same results
# (Benchmarks/canonical-dump.py).
#
# Environment: BIN (.build/release/trailwatch), BASE_BIN (required), JOBS (2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tree=${1:?usage: BASE_BIN=OLD BIN=NEW Benchmarks/backfill-abba.sh TREE [BLOCKS]}
blocks=${2:-12}
new=${BIN:-.build/release/trailwatch}
old=${BASE_BIN:?set BASE_BIN to the build to compare against}
jobs=${JOBS:-2}
[[ -d $tree/AWSLogs ]] || { echo "no AWSLogs directory in $tree (make one with gen-cloudtrail -o $tree)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {   # run LABEL BINARY
    rm -f "$work/$1.db"*
    /usr/bin/time -f "$1 %e %U %S %M" -a -o "$work/times" "$2" backfill "$tree/AWSLogs" --jobs "$jobs" \
        --db "$work/$1.db" --no-progress >/dev/null 2>"$work/$1.err" || { cat "$work/$1.err" >&2; exit 1; }
}

for ((i = 1; i <= blocks; i++)); do
    run A "$old"; run B "$new"; run B "$new"; run A "$old"
    echo "block $i/$blocks done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done

a=$(python3 Benchmarks/canonical-dump.py "$work/A.db" | awk '$1 == "all" { print $2 }')
b=$(python3 Benchmarks/canonical-dump.py "$work/B.db" | awk '$1 == "all" { print $2 }')

python3 - "$work/times" "$a" "$b" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
wall, cpu = [], []
for i in range(0, len(rows) - len(rows) % 4, 4):
    block = rows[i:i + 4]
    def total(label, f): return sum(f(r) for r in block if r[0] == label)
    wall.append(total("B", lambda r: float(r[1])) / total("A", lambda r: float(r[1])))
    cpu.append(total("B", lambda r: float(r[2]) + float(r[3])) / total("A", lambda r: float(r[2]) + float(r[3])))
print("blocks:     %d of A B B A (A: BASE_BIN, B: BIN)" % len(wall))
print("wall B/A:   " + " ".join("%.3f" % x for x in wall))
print("cpu B/A:    " + " ".join("%.3f" % x for x in cpu))
for name, v in (("wall", wall), ("cpu", cpu)):
    print("%-11s median %.3f, mean %.3f, B lower in %d of %d" % (name + ":", statistics.median(v), statistics.mean(v), sum(x < 1 for x in v), len(v)))
for label, name in (("A", "BASE_BIN"), ("B", "BIN")):
    v = [r for r in rows if r[0] == label]
    print("%-11s wall %.2f s, CPU %.2f s (medians), peak RSS %d MB" % (name + ":", statistics.median(float(r[1]) for r in v),
          statistics.median(float(r[2]) + float(r[3]) for r in v), max(int(r[4]) for r in v) // 1024))
a, b = sys.argv[2], sys.argv[3]
print("results:    " + ("identical (%s)" % a if a == b else "DIFFERENT: %s against %s" % (b, a)))
sys.exit(0 if a == b else 1)
PY
