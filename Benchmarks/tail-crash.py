#!/usr/bin/env python3
"""Exactly-once torture test of `trailwatch tail` under kill -9.

1. Generates a CloudTrail tree with gen-cloudtrail (planted incidents, digest files included) and
   ingests it once with `trailwatch backfill` into a reference store.
2. Starts `trailwatch tail` on an empty directory while a writer thread moves the same files in,
   oldest first, at a steady pace (each written under a temporary dot-name in its final
   directory, then renamed; with --inplace-fraction some are written in place in two halves, as
   a copy tool does, so that tail also meets half-written files).
3. Kills tail with SIGKILL at random moments (--kills times) and restarts it at once each time;
   files keep arriving while it is down, so every restart also catches up.
4. When the writer is done, waits until the ledger holds every file and stops changing, stops
   tail with SIGTERM (it must exit 0) and checks the store against the input:
   - every file of the tree is in the ledger (none skipped or lost), none failed;
   - the stored events are exactly the reference's, each once (set and count of eventIDs), and
     every Secrets Manager record of the input is there;
   - `trailwatch query access --format json --limit 0` gives the same rows per eventID as the
     reference (the secret form of a name-only reference may differ when files arrive out of
     order, since names resolve to full ARNs only once learned; it must match for in-order runs);
   - the stored alerts are the reference's, and every alert id is unique;
   - alerts printed on standard output across all runs: ids printed more than once (allowed
     only for a crash between commit and print; counted) and stored alerts never printed.
   - `PRAGMA integrity_check` is ok.

Exit status 0 when every check passes. Runs take about a minute with the defaults.

Examples (from the package root, after `swift build -c release` or `swift build`):
  Benchmarks/tail-crash.py
  Benchmarks/tail-crash.py --binary .build/debug/trailwatch --records 5000 --kills 8
  Benchmarks/tail-crash.py --poll --kills 30 --seed 7
"""

import argparse
import collections
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

STAMP = re.compile(r"_(\d{8}T\d{4,6}Z)")


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


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tree_files(root):
    """Relative paths of every file under root/AWSLogs, in delivery order (stamp in name, then path)."""
    found = []
    for directory, _, names in os.walk(os.path.join(root, "AWSLogs")):
        for name in names:
            relative = os.path.relpath(os.path.join(directory, name), root)
            match = STAMP.search(name)
            stamp = match.group(1)[:13] if match else ""
            found.append((stamp, relative))
    return [relative for _, relative in sorted(found)]


# ---------------------------------------------------------------------------------------------
# Reading the store. Table names may change, so tables are found by their columns.

def connect(db):
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)


def find_table(conn, columns, preferred):
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    ordered = [t for t in preferred if t in tables] + [t for t in tables if t not in preferred]
    for table in ordered:
        have = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        if set(columns) <= have:
            return table
    raise SystemExit(f"tail-crash: no table with columns {columns} in the store; schema: {tables}")


def ledger(db):
    """{path: (status, reason)} from the file ledger."""
    conn = connect(db)
    try:
        table = find_table(conn, ["path", "status"], ["files", "ledger", "file_ledger"])
        reason = "reason" if "reason" in {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')} else "NULL"
        return {row[0]: (row[1], row[2]) for row in conn.execute(f'SELECT path, status, {reason} FROM "{table}"')}
    finally:
        conn.close()


def ledger_count(db):
    if not os.path.exists(db):
        return 0
    try:
        conn = connect(db)
        try:
            table = find_table(conn, ["path", "status"], ["files", "ledger", "file_ledger"])
            return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, SystemExit):
        return 0


def stored_event_ids(db):
    """Counter of eventIDs in the events table (a count above 1 is a duplicate)."""
    conn = connect(db)
    try:
        table = find_table(conn, ["event_id", "source", "name"], ["events"])
        return collections.Counter(row[0] for row in conn.execute(f'SELECT event_id FROM "{table}"'))
    finally:
        conn.close()


def stored_alert_ids(db):
    conn = connect(db)
    try:
        table = find_table(conn, ["id", "rule", "event_id"], ["alerts"])
        return collections.Counter(row[0] for row in conn.execute(f'SELECT id FROM "{table}"'))
    finally:
        conn.close()


def integrity(db):
    conn = connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def access_rows(binary, db, cwd):
    """Counter of (eventID, secret) from `trailwatch query access --format json --limit 0`."""
    out = subprocess.run([binary, "query", "access", "--db", db, "--limit", "0", "--format", "json"],
                         cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"tail-crash: query access failed ({out.returncode}): {out.stderr.strip()}")
    rows = collections.Counter()
    for line in out.stdout.splitlines():
        if line.strip():
            row = json.loads(line)
            secret = row.get("secretArn") or row.get("secret") or ""
            rows[(row.get("eventID"), secret)] += 1
    return rows


def printed_alerts(paths):
    """Counter of alert ids printed on standard output over all runs, and unparsable lines."""
    ids = collections.Counter()
    bad = 0
    for path in paths:
        with open(path, "rb") as f:
            for raw in f:
                line = raw.decode("utf-8", "replace").strip()
                if not line:
                    continue
                try:
                    ids[json.loads(line)["id"]] += 1
                except (ValueError, KeyError, TypeError):
                    bad += 1   # a line cut short by kill -9 (a partial write) lands here
    return ids, bad


def input_expectations(jsonl):
    """eventIDs of Secrets Manager records (must be stored) and of KMS records naming a secret."""
    sm, kms = set(), set()
    with open(jsonl, "rb") as f:
        for raw in f:
            record = json.loads(raw)
            source = record.get("eventSource")
            if source == "secretsmanager.amazonaws.com":
                sm.add(record["eventID"])
            elif source == "kms.amazonaws.com" and b"arn:aws:secretsmanager:" in raw:
                kms.add(record["eventID"])
    return sm, kms


# ---------------------------------------------------------------------------------------------

class Writer(threading.Thread):
    """Moves the tree's files into the watched directory at a steady pace."""

    def __init__(self, source, target, files, rate, inplace_fraction, rng):
        super().__init__(daemon=True)
        self.source, self.target, self.files = source, target, files
        self.rate, self.inplace_fraction, self.rng = rate, inplace_fraction, rng
        self.written = 0
        self.inplace = 0
        self.timers = []
        self.error = None

    def finish(self, target, rest):
        try:
            with open(target, "ab") as f:
                f.write(rest)
        except OSError as error:
            self.error = error

    def run(self):
        try:
            start = time.monotonic()
            for index, relative in enumerate(self.files):
                delay = start + index / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                source = os.path.join(self.source, relative)
                target = os.path.join(self.target, relative)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                if self.rng.random() < self.inplace_fraction:
                    # Written in place in two halves 0.3 s apart, like a copy tool: tail may see
                    # it half-written. The second half is written by a timer so the pace holds.
                    with open(source, "rb") as f:
                        data = f.read()
                    half = len(data) // 2
                    with open(target, "wb") as f:
                        f.write(data[:half])
                    timer = threading.Timer(0.3, self.finish, (target, data[half:]))
                    timer.start()
                    self.timers.append(timer)
                    self.inplace += 1
                else:
                    temporary = os.path.join(os.path.dirname(target), "." + os.path.basename(target) + f".{index:06d}")
                    shutil.copyfile(source, temporary)
                    os.rename(temporary, target)
                self.written += 1
            for timer in self.timers:
                timer.join()
        except Exception as error:   # reported by the main thread
            self.error = error


class Tail:
    """Runs of `trailwatch tail`, each with its own stdout/stderr files."""

    def __init__(self, command, work):
        self.command, self.work = command, work
        self.runs = []          # (run number, stdout path, stderr path, returncode, how it ended)
        self.proc = None

    def start(self):
        number = len(self.runs) + 1
        self.out = os.path.join(self.work, f"run-{number:02d}.out")
        self.err = os.path.join(self.work, f"run-{number:02d}.err")
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(self.command, cwd=self.work, stdin=subprocess.DEVNULL, stdout=out, stderr=err)

    def end(self, how, sig, timeout):
        """Sends sig and reaps the process; returns its return code (None when it did not stop)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        self.runs.append((len(self.runs) + 1, self.out, self.err, code, how))
        self.proc = None
        return code

    def died_on_its_own(self):
        return self.proc is not None and self.proc.poll() is not None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--binary", default=".build/release/trailwatch", help="trailwatch to run (default %(default)s)")
    parser.add_argument("--records", type=int, default=20000, help="records in the generated tree (default %(default)s)")
    parser.add_argument("--days", type=float, default=1, help="days the tree spans (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="generator and kill-schedule seed (default %(default)s)")
    parser.add_argument("--kills", type=int, default=20, help="kill -9 this many times (default %(default)s)")
    parser.add_argument("--rate", type=float, default=50, help="files moved in per second (default %(default)s)")
    parser.add_argument("--up-min", type=float, default=0.3, help="shortest run before a kill, s (default %(default)s)")
    parser.add_argument("--up-max", type=float, default=2.5, help="longest run before a kill, s (default %(default)s)")
    parser.add_argument("--inplace-fraction", type=float, default=0.05,
                        help="files written in place in two halves instead of renamed (default %(default)s)")
    parser.add_argument("--poll", action="store_true", help="run tail with --poll")
    parser.add_argument("--poll-interval", type=float, default=None, help="tail --poll-interval")
    parser.add_argument("--jobs", type=int, default=2, help="tail/backfill --jobs (default %(default)s)")
    parser.add_argument("--quiesce-timeout", type=float, default=120, help="seconds to wait for the ledger to fill (default %(default)s)")
    parser.add_argument("--generator", help="path of gen-cloudtrail (default: shared/tools/gen-cloudtrail beside the package)")
    parser.add_argument("--busy-alerts", action="store_true",
                        help="also load a rule alerting on every GetSecretValue (with the package's Rules/), so "
                             "that many kills fall between a commit and its alerts being printed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"tail-crash: {binary} is not an executable (build it first)")
    generator = find_generator(args.generator)
    if not generator:
        sys.exit("tail-crash: gen-cloudtrail not found; pass --generator")
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="tail-crash-")
    failures = []
    tail = None
    try:
        source = os.path.join(work, "source")
        watched = os.path.join(work, "watched")
        os.makedirs(watched)
        jsonl = os.path.join(work, "all.jsonl")
        log(f"generating {args.records} records in {work}/source ...")
        subprocess.run([generator, "-o", source, "-n", str(args.records), "--days", str(args.days),
                        "--seed", str(args.seed), "--scenarios", "all", "--truth", os.path.join(work, "truth.jsonl"),
                        "--jsonl", jsonl, "-j", "1", "-q"], check=True)
        files = tree_files(source)
        rule_arguments = []
        if args.busy_alerts:
            rules = os.path.join(work, "rules")
            os.makedirs(rules)
            shipped = os.path.join(package_root(), "Rules")
            for name in sorted(os.listdir(shipped)) if os.path.isdir(shipped) else []:
                if name.endswith(".json"):
                    shutil.copy(os.path.join(shipped, name), os.path.join(rules, name))
            with open(os.path.join(rules, "crash-probe.json"), "w") as f:
                json.dump({"name": "crash-probe", "title": "Crash probe", "severity": "info",
                           "description": "Every GetSecretValue: many alerts, so kills land between commit and print.",
                           "pattern": {"detail": {"eventName": ["GetSecretValue"]}}}, f)
            rule_arguments = ["--rules", rules]
        log(f"{len(files)} files; reference backfill ...")
        reference_db = os.path.join(work, "reference.db")
        with open(os.path.join(work, "reference.out"), "wb") as out:
            backfill = subprocess.run([binary, "backfill", os.path.join(source, "AWSLogs"), "--db", reference_db,
                                       "--jobs", str(args.jobs), "--no-progress"] + rule_arguments,
                                      cwd=work, stdout=out, stderr=subprocess.PIPE, text=True)
        if backfill.returncode not in (0, 1):
            sys.exit(f"tail-crash: reference backfill exited {backfill.returncode}: {backfill.stderr.strip()}")

        db = os.path.join(work, "tail.db")
        command = [binary, "tail", watched, "--db", db, "--jobs", str(args.jobs), "--no-progress"] + rule_arguments
        if args.poll:
            command.append("--poll")
        if args.poll_interval is not None:
            command += ["--poll-interval", str(args.poll_interval)]
        tail = Tail(command, work)
        writer = Writer(source, watched, files, args.rate, args.inplace_fraction, rng)
        log(f"tail: {' '.join(command)}")
        log(f"writer: {len(files)} files at {args.rate:g}/s ({len(files) / args.rate:.0f} s); {args.kills} kills")
        tail.start()
        writer.start()
        crashed_runs = []
        for kill in range(args.kills):
            time.sleep(rng.uniform(args.up_min, args.up_max))
            if tail.died_on_its_own():
                crashed_runs.append(len(tail.runs) + 1)
                tail.end("exited by itself", signal.SIGKILL, 5)
            else:
                tail.end("kill -9", signal.SIGKILL, 10)
            if rng.random() < 0.3:
                time.sleep(rng.uniform(0.05, 1.0))   # stay down a moment: files pile up for catch-up
            tail.start()
            log(f"kill {kill + 1}/{args.kills}: {writer.written}/{len(files)} files moved in, "
                f"ledger {ledger_count(db)}")
        writer.join()
        if writer.error:
            failures.append(f"writer failed: {writer.error!r}")

        log("writer done; waiting for the ledger to hold every file ...")
        deadline = time.monotonic() + args.quiesce_timeout
        last, stable_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            if tail.died_on_its_own():
                failures.append(f"tail exited by itself with {tail.proc.returncode} during the final run "
                                f"(see run-{len(tail.runs) + 1:02d}.err)")
                break
            count = ledger_count(db)
            if count != last:
                last, stable_since = count, time.monotonic()
            elif count >= len(files) and time.monotonic() - stable_since > 1.5:
                break
            time.sleep(0.2)
        else:
            failures.append(f"ledger holds {last} of {len(files)} files after {args.quiesce_timeout:g} s")

        code = tail.end("SIGTERM", signal.SIGTERM, 60) if tail.proc else None
        if code != 0:
            failures.append(f"final SIGTERM: tail exited {code}, want 0")
        for number in crashed_runs:
            failures.append(f"run {number} exited by itself before it was killed (see run-{number:02d}.err)")

        # ---- checks ------------------------------------------------------------------------------
        log("checking the store ...")
        result = integrity(db)
        if result != "ok":
            failures.append(f"integrity_check: {result}")

        held = ledger(db)
        expected_paths = {os.path.join(watched, relative) for relative in files}
        missing_files = sorted(expected_paths - set(held))
        extra_files = sorted(set(held) - expected_paths)
        failed_files = sorted((p, r) for p, (s, r) in held.items() if s == "failed")
        statuses = collections.Counter(s for s, _ in held.values())
        reference_statuses = collections.Counter(s for s, _ in ledger(reference_db).values())
        if missing_files:
            failures.append(f"{len(missing_files)} files missing from the ledger, e.g. {missing_files[:3]}")
        if extra_files:
            failures.append(f"{len(extra_files)} unexpected ledger paths, e.g. {extra_files[:3]}")
        if failed_files:
            failures.append(f"{len(failed_files)} files recorded as failed, e.g. {failed_files[:3]}")
        if statuses != reference_statuses:
            failures.append(f"ledger statuses {dict(statuses)} differ from the reference {dict(reference_statuses)}")

        events = stored_event_ids(db)
        reference_events = stored_event_ids(reference_db)
        doubled = [e for e, n in events.items() if n > 1]
        lost = set(reference_events) - set(events)
        unexpected = set(events) - set(reference_events)
        sm, kms = input_expectations(jsonl)
        sm_missing = sm - set(events)
        kms_missing = kms - set(events)
        if doubled:
            failures.append(f"{len(doubled)} eventIDs stored more than once, e.g. {doubled[:3]}")
        if lost:
            failures.append(f"{len(lost)} events of the reference not stored, e.g. {sorted(lost)[:3]}")
        if unexpected:
            failures.append(f"{len(unexpected)} stored events not in the reference, e.g. {sorted(unexpected)[:3]}")
        if sm_missing:
            failures.append(f"{len(sm_missing)} Secrets Manager records of the input not stored, e.g. {sorted(sm_missing)[:3]}")

        access = access_rows(binary, db, work)
        reference_access = access_rows(binary, reference_db, work)
        per_event = collections.Counter(event for event, _ in access.elements())
        reference_per_event = collections.Counter(event for event, _ in reference_access.elements())
        if per_event != reference_per_event:
            failures.append(f"query access: rows per eventID differ from the reference "
                            f"({sum(access.values())} rows vs {sum(reference_access.values())}); "
                            f"extra {list(per_event - reference_per_event)[:3]}, missing {list(reference_per_event - per_event)[:3]}")
        # A name-only secretId is resolved to the full ARN only once a record naming the full ARN
        # has been ingested, so the secret column depends on ingest order: files written in place
        # complete late and are ingested after newer ones. Only with in-order arrival must it match.
        resolution = sorted(set((access - reference_access) + (reference_access - access)))
        if resolution and args.inplace_fraction == 0:
            failures.append(f"query access: secret resolution differs from the reference with in-order arrival: {resolution[:4]}")

        alerts = stored_alert_ids(db)
        reference_alerts = stored_alert_ids(reference_db)
        if set(alerts) != set(reference_alerts):
            failures.append(f"stored alerts differ from the reference: {len(set(alerts) - set(reference_alerts))} extra, "
                            f"{len(set(reference_alerts) - set(alerts))} missing")
        printed, unparsable = printed_alerts([run[1] for run in tail.runs])
        reemitted = {a: n for a, n in printed.items() if n > 1}
        never_printed = set(alerts) - set(printed)
        phantom = set(printed) - set(alerts)
        if never_printed:
            failures.append(f"{len(never_printed)} stored alerts were never printed (lost on the way out), "
                            f"e.g. {sorted(never_printed)[:3]}")
        if phantom:
            failures.append(f"{len(phantom)} printed alerts are not in the store, e.g. {sorted(phantom)[:3]}")

        status = subprocess.run([binary, "status", "--db", db], cwd=work, capture_output=True, text=True)

        # ---- report ------------------------------------------------------------------------------
        kills = sum(1 for run in tail.runs if run[4] == "kill -9")
        print(f"runs            {len(tail.runs)} ({kills} ended by kill -9, then SIGTERM -> exit {code})")
        print(f"files           {len(files)} moved in ({writer.inplace} written in place); ledger {len(held)} "
              f"{dict(statuses)}; missing {len(missing_files)}, failed {len(failed_files)}")
        print(f"events          expected {len(reference_events)} (reference backfill), stored {len(events)}, "
              f"doubled {len(doubled)}, lost {len(lost)}, unexpected {len(unexpected)}")
        print(f"input check     {len(sm)} Secrets Manager records ({len(sm_missing)} not stored), "
              f"{len(kms)} KMS records naming a secret ({len(kms_missing)} not stored)")
        print(f"query access    {sum(access.values())} rows, reference {sum(reference_access.values())}; "
              f"{len(resolution) // 2} events resolved to another secret form than in the reference (ingest order)")
        print(f"alerts          stored {len(alerts)} (reference {len(reference_alerts)}), printed {len(printed)} distinct; "
              f"re-emitted {len(reemitted)} ({sum(reemitted.values()) - len(reemitted)} extra lines), "
              f"never printed {len(never_printed)}, not in store {len(phantom)}, cut-off lines {unparsable}")
        print(f"integrity       {result}")
        print("status:")
        for line in (status.stdout + status.stderr).strip().splitlines()[:20]:
            print("  " + line)
        if failures:
            print("FAILED:")
            for failure in failures:
                print("  - " + failure)
        else:
            print("OK: every record exactly once, no file skipped")
        return 1 if failures else 0
    finally:
        if tail is not None and tail.proc is not None and tail.proc.poll() is None:
            tail.proc.kill()
            tail.proc.wait()
        if args.keep or failures:
            print(f"tail-crash: kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
