#!/usr/bin/env python3
"""Alert latency of `trailwatch tail`: from a log file being renamed into place to its alert.

Starts `trailwatch tail WATCHED --db DB --rules PROBE_RULES` on an empty temporary directory,
then drops gzipped CloudTrail log files into it at a steady rate (default 20 files/s of 1,000
records each, for 60 s). Every file is written under a temporary dot-name in its final directory
and renamed into the S3 delivery layout
  AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<stamp>_<16 alnum>.json.gz
and carries one probe record (eventName TrailWatchLatencyProbe, unique eventID) that the probe
rule matches. Alert lines are read from tail's standard output as they arrive; the latency of a
file is (alert arrival - rename), both on this machine's monotonic clock.

The background records come from a gen-cloudtrail JSON-lines corpus (so they look real), with a
fresh eventID per copy so that the store does not skip them as duplicates. All files are built
in memory before tail starts, so the writer costs almost nothing while the clock runs.

Prints p50/p90/p99/max latency, the sustained records/s, tail's CPU use and the probes that never
alerted. Exit status: 0 when every probe alerted and tail stopped with exit 0 on SIGTERM, else 1.

Examples (from the package root, after `swift build -c release`):
  Benchmarks/tail-latency.py
  Benchmarks/tail-latency.py --poll --poll-interval 0.5
  Benchmarks/tail-latency.py --rate 5 --records 200 --duration 10     # a quick smoke run
"""

import argparse
import json
import math
import os
import random
import resource
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import zlib

PROBE_EVENT = "TrailWatchLatencyProbe"
PROBE_RULE = {
    "name": "latency-probe",
    "title": "Latency probe",
    "severity": "info",
    "description": "Matches the marker record that tail-latency.py plants in every file it drops.",
    "pattern": {"detail": {"eventName": [PROBE_EVENT]}},
}
ACCOUNTS = ["111122223333", "444455556666", "777788889999"]
REGIONS = ["us-east-1", "eu-west-1"]


def package_root():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_generator(explicit):
    """gen-cloudtrail: --generator, else shared/tools/gen-cloudtrail beside the package or an ancestor."""
    if explicit:
        return explicit
    directory = package_root()
    while True:
        candidate = os.path.join(os.path.dirname(directory), "shared", "tools", "gen-cloudtrail")
        if os.access(candidate, os.X_OK):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def load_pool(args, work):
    """Serialised background records (bytes, one record each) and the byte span of each eventID."""
    path = args.source_jsonl
    if not path:
        generator = find_generator(args.generator)
        if not generator:
            sys.exit("tail-latency: gen-cloudtrail not found; pass --generator or --source-jsonl")
        path = os.path.join(work, "pool.jsonl")
        subprocess.run(
            [generator, "-o", os.path.join(work, "gen"), "-n", str(args.pool), "--days", "1",
             "--seed", str(args.seed), "--scenarios", "all", "--jsonl", path, "--no-tree", "-j", "1", "-q"],
            check=True)
    pool = []
    marker = b'"eventID":"'
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            at = line.find(marker)
            if at < 0:
                continue
            start = at + len(marker)
            end = line.find(b'"', start)
            if end - start != 36:   # keep UUID-shaped ids only: the rewrite below relies on it
                continue
            pool.append((line, start))
    if not pool:
        sys.exit(f"tail-latency: no records in {path}")
    return pool


def probe_record(event_id, account, region, when):
    return json.dumps({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAPROBEPROBEPROBE",
                         "arn": f"arn:aws:iam::{account}:user/latency-probe", "accountId": account,
                         "userName": "latency-probe"},
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)),
        "eventSource": "secretsmanager.amazonaws.com",
        "eventName": PROBE_EVENT,
        "awsRegion": region,
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "tail-latency.py",
        "requestParameters": None,
        "responseElements": None,
        "requestID": event_id,
        "eventID": event_id,
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }, separators=(",", ":")).encode()


def build_files(args, pool):
    """(relative path, gzip bytes, probe eventID) for every file of the run, in drop order."""
    count = int(round(args.rate * args.duration))
    rng = random.Random(args.seed)
    alnum = string.ascii_letters + string.digits
    now = time.time()
    files = []
    cursor = 0
    serial = 0
    for index in range(count):
        account = ACCOUNTS[index % len(ACCOUNTS)]
        region = REGIONS[(index // len(ACCOUNTS)) % len(REGIONS)]
        records = []
        for _ in range(args.records - 1):
            line, start = pool[cursor % len(pool)]
            cursor += 1
            serial += 1
            fresh = b"%s-%012x" % (line[start:start + 23], serial)
            records.append(line[:start] + fresh + line[start + 36:])
        probe_id = f"latency-probe-{args.seed}-{index:07d}"
        records.insert(rng.randrange(len(records) + 1), probe_record(probe_id, account, region, now))
        body = b'{"Records":[' + b",".join(records) + b"]}"
        compressor = zlib.compressobj(args.level, zlib.DEFLATED, 31)
        data = compressor.compress(body) + compressor.flush()
        stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(now))
        day = time.strftime("%Y/%m/%d", time.gmtime(now))
        suffix = "".join(rng.choice(alnum) for _ in range(16))
        name = f"{account}_CloudTrail_{region}_{stamp}_{suffix}.json.gz"
        relative = os.path.join("AWSLogs", account, "CloudTrail", region, day, name)
        files.append((relative, data, probe_id, len(body)))
    return files


class Reader(threading.Thread):
    """Reads one of tail's output streams line by line, stamping each line's arrival."""

    def __init__(self, stream, on_line):
        super().__init__(daemon=True)
        self.stream = stream
        self.on_line = on_line

    def run(self):
        for raw in iter(self.stream.readline, b""):
            self.on_line(time.monotonic(), raw.decode("utf-8", "replace").rstrip("\n"))


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))   # nearest rank
    return sorted_values[rank - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--binary", default=".build/release/trailwatch", help="trailwatch to run (default %(default)s)")
    parser.add_argument("--rate", type=float, default=20, help="files dropped per second (default %(default)s)")
    parser.add_argument("--records", type=int, default=1000, help="records per file, probe included (default %(default)s)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of dropping (default %(default)s)")
    parser.add_argument("--poll", action="store_true", help="run tail with --poll")
    parser.add_argument("--poll-interval", type=float, help="tail --poll-interval (seconds)")
    parser.add_argument("--jobs", type=int, help="tail --jobs")
    parser.add_argument("--extra-rules", help="also load the *.json rule files of this directory (e.g. Rules/)")
    parser.add_argument("--drain-timeout", type=float, default=30, help="seconds to wait for late alerts (default %(default)s)")
    parser.add_argument("--level", type=int, default=6, help="gzip level of the dropped files (default %(default)s)")
    parser.add_argument("--pool", type=int, default=20000, help="records generated as the background pool (default %(default)s)")
    parser.add_argument("--source-jsonl", help="take background records from this JSON-lines file instead of generating")
    parser.add_argument("--generator", help="path of gen-cloudtrail (default: shared/tools/gen-cloudtrail beside the package)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if args.records < 1 or args.rate <= 0 or args.duration <= 0:
        parser.error("--records, --rate and --duration must be positive")
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"tail-latency: {binary} is not an executable (build it: swift build -c release)")

    work = tempfile.mkdtemp(prefix="tail-latency-")
    proc = None
    try:
        watched = os.path.join(work, "watched")
        rules = os.path.join(work, "rules")
        os.makedirs(watched)
        os.makedirs(rules)
        with open(os.path.join(rules, "latency-probe.json"), "w") as f:
            json.dump(PROBE_RULE, f)
        if args.extra_rules:
            for name in sorted(os.listdir(args.extra_rules)):
                if name.endswith(".json"):
                    shutil.copy(os.path.join(args.extra_rules, name), os.path.join(rules, name))

        log = lambda message: print(message, file=sys.stderr, flush=True)
        log("tail-latency: preparing files ...")
        pool = load_pool(args, work)
        files = build_files(args, pool)
        raw_bytes = sum(f[3] for f in files)
        gz_bytes = sum(len(f[1]) for f in files)
        log(f"tail-latency: {len(files)} files, {len(files) * args.records} records, "
            f"{raw_bytes / 1e6:.0f} MB JSON, {gz_bytes / 1e6:.0f} MB gzip")

        command = [binary, "tail", watched, "--db", os.path.join(work, "trailwatch.db"), "--rules", rules, "--no-progress"]
        if args.poll:
            command.append("--poll")
        if args.poll_interval is not None:
            command += ["--poll-interval", str(args.poll_interval)]
        if args.jobs is not None:
            command += ["--jobs", str(args.jobs)]

        lock = threading.Lock()
        arrivals = {}          # probe eventID -> first arrival (monotonic)
        repeats = []           # probe eventIDs alerted more than once
        other_alerts = [0]
        bad_lines = []
        stderr_tail = []
        ready = threading.Event()

        def on_stdout(at, line):
            try:
                alert = json.loads(line)
            except ValueError:
                with lock:
                    bad_lines.append(line)
                return
            event_id = alert.get("eventID")
            with lock:
                if alert.get("rule") != PROBE_RULE["name"]:
                    other_alerts[0] += 1
                elif event_id in arrivals:
                    repeats.append(event_id)
                else:
                    arrivals[event_id] = at

        def on_stderr(at, line):
            with lock:
                stderr_tail.append(line)
                del stderr_tail[:-40]
            if "watching" in line:
                ready.set()

        proc = subprocess.Popen(command, cwd=work, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        Reader(proc.stdout, on_stdout).start()
        Reader(proc.stderr, on_stderr).start()
        if not ready.wait(15):
            log("tail-latency: tail did not say it is watching within 15 s; going on")
        if proc.poll() is not None:
            sys.exit(f"tail-latency: tail exited with {proc.returncode}: " + "\n".join(stderr_tail))

        log(f"tail-latency: dropping {args.rate:g} files/s for {args.duration:g} s ...")
        renamed = {}
        start = time.monotonic()
        late_writes = 0
        for index, (relative, data, probe_id, _) in enumerate(files):
            due = start + index / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.05:
                late_writes += 1
            target = os.path.join(watched, relative)
            directory = os.path.dirname(target)
            os.makedirs(directory, exist_ok=True)
            temporary = os.path.join(directory, "." + os.path.basename(target) + ".%06d" % index)
            with open(temporary, "wb") as f:
                f.write(data)
            os.rename(temporary, target)
            renamed[probe_id] = time.monotonic()
        drop_end = time.monotonic()

        deadline = time.monotonic() + args.drain_timeout
        while time.monotonic() < deadline and proc.poll() is None:
            with lock:
                if len(arrivals) >= len(files):
                    break
            time.sleep(0.05)

        proc.send_signal(signal.SIGTERM)
        try:
            exit_code = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            exit_code = proc.wait()
        usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        time.sleep(0.2)   # let the reader threads take the last lines

        with lock:
            latencies = sorted(arrivals[p] - renamed[p] for p in renamed if p in arrivals)
            missing = sorted(p for p in renamed if p not in arrivals)
            last_arrival = max(arrivals.values()) if arrivals else drop_end
            result = {
                "mode": "poll" if args.poll else "inotify",
                "files": len(files),
                "records_per_file": args.records,
                "rate_files_per_s": args.rate,
                "duration_s": args.duration,
                "drop_seconds": round(drop_end - start, 3),
                "late_writes": late_writes,
                "alerts": len(arrivals),
                "latency_ms": {
                    "p50": round(percentile(latencies, 50) * 1000, 1),
                    "p90": round(percentile(latencies, 90) * 1000, 1),
                    "p99": round(percentile(latencies, 99) * 1000, 1),
                    "max": round(latencies[-1] * 1000, 1) if latencies else None,
                },
                "records_per_s": round(len(latencies) * args.records / max(1e-9, last_arrival - start)),
                "offered_records_per_s": round(args.rate * args.records),
                "tail_cpu_s": round((usage_after.ru_utime + usage_after.ru_stime)
                                    - (usage_before.ru_utime + usage_before.ru_stime), 2),
                "wall_s": round(last_arrival - start, 2),
                "missing_probes": len(missing),
                "missing_examples": missing[:5],
                "duplicate_probe_alerts": len(repeats),
                "other_alerts": other_alerts[0],
                "unparsable_stdout_lines": len(bad_lines),
                "tail_exit": exit_code,
                "command": " ".join(command),
            }
            stderr_lines = list(stderr_tail)

        if args.json:
            print(json.dumps(result))
        else:
            l = result["latency_ms"]
            print(f"mode            {result['mode']}: {' '.join(command[1:2] + command[3:])}")
            print(f"offered         {len(files)} files in {result['drop_seconds']} s "
                  f"({args.rate:g} files/s x {args.records} records = {result['offered_records_per_s']} records/s; "
                  f"{late_writes} writes late by >50 ms)")
            print(f"latency         p50 {l['p50']} ms   p90 {l['p90']} ms   p99 {l['p99']} ms   max {l['max']} ms")
            print(f"sustained       {result['records_per_s']} records/s "
                  f"(rename of the first file to the last alert: {result['wall_s']} s)")
            print(f"tail CPU        {result['tail_cpu_s']} s user+system")
            print(f"missing probes  {len(missing)}" + (f" e.g. {missing[:3]}" if missing else ""))
            print(f"duplicates      {len(repeats)} probe alerts printed twice; {result['unparsable_stdout_lines']} unparsable stdout lines")
            print(f"tail exit       {exit_code} after SIGTERM")
            if exit_code != 0 or missing:
                print("tail stderr (last lines):")
                for line in stderr_lines[-15:]:
                    print("  " + line)
        ok = exit_code == 0 and not missing and not repeats
        return 0 if ok else 1
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if args.keep:
            print(f"tail-latency: kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
