#!/usr/bin/env bash
# Alert latency of `trailwatch tail` (issue 5's benchmark): files land in a watched directory at a
# steady rate; each holds one marker record that must alert; latency = time the alert line reaches
# us minus the moment its file was renamed into place.
#
#   Benchmarks/tail-latency.sh
#
# Environment: RATE (20 files/s), PER_FILE (1000 records), DURATION (60 s), JOBS (2),
#   GEN (../shared/tools/gen-cloudtrail), BIN (.build/release/trailwatch; BUILD=0 skips the build),
#   POOL (a directory for the pre-built files; default $TMPDIR/trailwatch-tail-pool-<files>x<per file>).
# Needs from `trailwatch tail`: alerts as JSON lines on stdout, flushed per line, carrying `eventID`.
# Prints p50/p90/p99/max latency and the sustained records/s.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export RATE=${RATE:-20} PER_FILE=${PER_FILE:-1000} DURATION=${DURATION:-60} JOBS=${JOBS:-2}
export GEN=${GEN:-../shared/tools/gen-cloudtrail} BIN=${BIN:-.build/release/trailwatch}
files=$((RATE * DURATION))
export POOL=${POOL:-${TMPDIR:-/tmp}/trailwatch-tail-pool-${files}x${PER_FILE}}

[[ -x $GEN ]] || { echo "gen-cloudtrail not found at $GEN (set GEN=...)" >&2; exit 2; }
if [[ ${BUILD:-1} != 0 ]]; then
    swift build -c release --product trailwatch >&2
fi

exec python3 - <<'PY'
import gzip, json, os, shutil, signal, subprocess, sys, tempfile, threading, time

rate, per_file, duration = int(os.environ["RATE"]), int(os.environ["PER_FILE"]), int(os.environ["DURATION"])
files, pool, gen, binary = rate * duration, os.environ["POOL"], os.environ["GEN"], os.environ["BIN"]

# 1. Pre-build the files (not timed): gen-cloudtrail records regrouped per_file to a file, plus one
#    marker per file: GetSecretValue by the root user on a secret of its own (distinct, so no
#    suppression folds markers together), with an eventTime inside the file's records.
ready = os.path.join(pool, "ready.json")
if not os.path.exists(ready):
    shutil.rmtree(pool, ignore_errors=True)
    os.makedirs(pool)
    src = os.path.join(pool, "records.jsonl.gz")
    print(f"generating {files * per_file:,} records ...", file=sys.stderr)
    subprocess.run([gen, "-o", os.path.join(pool, "gen"), "-n", str(files * per_file), "--accounts", "1",
                    "--regions", "us-east-1", "--days", "2", "--no-tree", "--jsonl", src, "-q"],
                   timeout=3600,
                   check=True)
    staged = []
    with gzip.open(src, "rt") as fh:
        batch = []
        for line in fh:
            batch.append(line.rstrip("\n"))
            if len(batch) == per_file:
                i = len(staged)
                first = json.loads(batch[0])
                acct, region, when = first["recipientAccountId"], first["awsRegion"], first["eventTime"]
                marker_id = f"00000000-7a11-4000-8000-{i:012d}"
                marker = {"eventVersion": "1.10", "userIdentity": {"type": "Root", "principalId": acct,
                          "arn": f"arn:aws:iam::{acct}:root", "accountId": acct},
                          "eventTime": when, "eventSource": "secretsmanager.amazonaws.com",
                          "eventName": "GetSecretValue", "awsRegion": region, "sourceIPAddress": "192.0.2.10",
                          "userAgent": "tail-latency-marker",
                          "requestParameters": {"secretId": f"bench/marker-{i:06d}"}, "responseElements": None,
                          "requestID": marker_id, "eventID": marker_id, "readOnly": True,
                          "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": acct,
                          "eventCategory": "Management"}
                body = '{"Records":[' + ",".join(batch[: per_file // 2] + [json.dumps(marker)] + batch[per_file // 2:]) + "]}"
                stamp = when[:4] + when[5:7] + when[8:10] + "T" + when[11:13] + when[14:16] + "Z"
                rel = f"AWSLogs/{acct}/CloudTrail/{region}/{when[:4]}/{when[5:7]}/{when[8:10]}/" \
                      f"{acct}_CloudTrail_{region}_{stamp}_{i:016d}.json.gz"
                path = os.path.join(pool, "files", f"{i:06d}.json.gz")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as out:
                    out.write(gzip.compress(body.encode(), 6, mtime=0))
                staged.append({"file": path, "rel": rel, "marker": marker_id, "records": per_file + 1})
                batch = []
                if len(staged) == files:
                    break
    json.dump(staged, open(ready, "w"))
staged = json.load(open(ready))[:files]

# 2. Start tail on an empty watched directory and read its stdout on a thread, stamping each line.
work = tempfile.mkdtemp(prefix="trailwatch-tail-")
watch, db = os.path.join(work, "watch"), os.path.join(work, "tail.db")
for s in staged:
    os.makedirs(os.path.dirname(os.path.join(watch, s["rel"])), exist_ok=True)
proc = subprocess.Popen([binary, "tail", watch, "--db", db], stdout=subprocess.PIPE,
                        stderr=open(os.path.join(work, "stderr"), "w"), bufsize=0)
seen = {}
def reader():
    for line in proc.stdout:
        now = time.time_ns()
        try:
            seen.setdefault(json.loads(line)["eventID"], now)
        except (ValueError, KeyError):
            pass
threading.Thread(target=reader, daemon=True).start()
time.sleep(2)
if proc.poll() is not None:
    sys.exit(f"trailwatch tail exited early ({proc.returncode}):\n" + open(os.path.join(work, "stderr")).read())

# 3. Drop files at a steady rate: copy next to the target under a temporary name, then rename.
landed = {}
start = time.monotonic()
for i, s in enumerate(staged):
    delay = start + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    target = os.path.join(watch, s["rel"])
    tmp = os.path.join(os.path.dirname(target), "." + os.path.basename(target) + ".tmp")
    shutil.copyfile(s["file"], tmp)
    os.rename(tmp, target)
    landed[s["marker"]] = time.time_ns()
deadline = time.monotonic() + 60
while len([m for m in landed if m in seen]) < len(landed) and time.monotonic() < deadline:
    time.sleep(0.05)
proc.send_signal(signal.SIGTERM)
try:
    proc.wait(30)
except subprocess.TimeoutExpired:
    proc.kill()

# 4. Report.
lat = sorted((seen[m] - t) / 1e6 for m, t in landed.items() if m in seen)
missing = len(landed) - len(lat)
def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] if lat else float("nan")
records = sum(s["records"] for s in staged)
span = (max(seen.values()) - min(landed.values())) / 1e9 if lat else float("nan")
print(f"dropped:    {len(landed)} files x {per_file + 1} records at {rate}/s for {duration} s; exit {proc.returncode}")
print(f"latency:    p50 {pct(50):.0f} ms, p90 {pct(90):.0f} ms, p99 {pct(99):.0f} ms, max {pct(100):.0f} ms"
      f"{'' if not missing else f'; {missing} markers never alerted'}")
print(f"sustained:  {records / span:,.0f} records/s over {span:.1f} s (first drop to last alert)")
shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if missing else 0)
PY
