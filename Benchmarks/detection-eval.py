#!/usr/bin/env python3
"""Precision and recall of the shipped rules on generated archives with planted incidents.

For each seed: generate a tree with ../shared/tools/gen-cloudtrail (unless it exists), backfill
it into a fresh store, and compare the alerts with the generator's ground truth:
- an incident is found when some alert's eventID is one of the incident's records (recall);
- an alert is a true positive when its eventID is in the truth file (precision).
A second table gives recall per planted kind (a kind is found when an alert names one of that
kind's own records in the incident), over all seeds, and the rules that fired.

    python3 Benchmarks/detection-eval.py --seeds 1 2 3 [--records 200000] [--days 14]
    python3 Benchmarks/detection-eval.py --scenarios every --regions 5 --accounts 3   # trail, batch, pending deletion too

On trees made without `read_pending_deletion` (`--scenarios all`), failed reads of a planted
`secret_delete_scheduled` secret while it is pending deletion are real but unlisted in the truth
file; their alerts are counted in the `unlisted` column (and listed), not as outside the truth.

Truth records of the tampering kinds (`--tamper`; found by `trailwatch verify`, not by rules) are
counted apart and left out of recall.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_generator():
    here = ROOT
    for _ in range(4):
        candidate = os.path.join(os.path.dirname(here), "shared", "tools", "gen-cloudtrail")
        if os.path.exists(candidate):
            return candidate
        here = os.path.dirname(here)
    sys.exit("gen-cloudtrail not found (expected ../shared/tools/gen-cloudtrail)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "trailwatch"))
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "trailwatch-eval"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scenarios", default="all", help="gen-cloudtrail --scenarios (all, every, integrity, batch, ...)")
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--regions", default="2", help="gen-cloudtrail --regions (a number or a comma list)")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: run `swift build -c release --product trailwatch` first")
    generator = find_generator()

    per_kind = collections.defaultdict(lambda: [0, 0])   # kind -> [planted, found]
    rules_fired = collections.Counter()
    verify_kinds = collections.Counter()
    misses = []
    print(f"{'seed':>4} {'incidents':>9} {'found':>5} {'alerts':>6} {'unlisted':>8} {'outside truth':>13} {'recall':>7} {'precision':>9}  seconds")
    for seed in args.seeds:
        suffix = "" if (args.scenarios, args.accounts, args.regions) == ("all", 3, "2") else f"-{args.scenarios}-a{args.accounts}-r{args.regions}"
        tree = os.path.join(args.work, f"seed{seed}-n{args.records}-d{args.days}{suffix}")
        truth_path = os.path.join(tree, "truth.jsonl")
        if not os.path.exists(truth_path):
            subprocess.run([generator, "-o", tree, "-n", str(args.records), "--days", str(args.days), "--seed", str(seed),
                            "--scenarios", args.scenarios, "--accounts", str(args.accounts), "--regions", args.regions,
                            "--truth", truth_path, "-q"], check=True)
        db = os.path.join(args.work, f"seed{seed}.db")
        for suffix in ("", "-wal", "-shm", ".lock"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        started = time.time()
        run = subprocess.run([args.binary, "backfill", os.path.join(tree, "AWSLogs"), "--db", db, "--jobs", str(args.jobs),
                              "--no-progress"], capture_output=True, text=True, cwd=ROOT)
        elapsed = time.time() - started
        if run.returncode != 0:
            sys.exit(f"backfill failed ({run.returncode}): {run.stderr}")
        alerts = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
        truth = [json.loads(line) for line in open(truth_path)]
        # Tampering truths (kinds such as delete-log or trail-log-missing) are for `verify`.
        for t in truth:
            if "-" in t.get("kind", ""):
                verify_kinds[t["kind"]] += 1
        truth = [t for t in truth if "-" not in t.get("kind", "")]
        truth_ids = {t.get("eventID") for t in truth}
        incidents = collections.defaultdict(set)
        for t in truth:
            incidents[t["incident"]].add(t["eventID"])
        alerted = {a["eventID"] for a in alerts}
        rules_fired.update(a["rule"] for a in alerts)
        kinds = collections.defaultdict(set)
        for t in truth:
            kinds[(t["incident"], t["kind"])].add(t["eventID"])
        for (incident, kind), ids in sorted(kinds.items()):
            per_kind[kind][0] += 1
            if ids & alerted:
                per_kind[kind][1] += 1
            else:
                misses.append(f"seed {seed} {incident} {kind}")
        found = sum(1 for ids in incidents.values() if ids & alerted)
        outside = [a for a in alerts if a["eventID"] not in truth_ids]
        # Trees made without `read_pending_deletion` (such as --scenarios all) still hold the failed
        # reads of a secret between its planted DeleteSecret and RestoreSecret, unlisted; the
        # generator lists exactly these as read_pending_deletion when that kind is planted. Such
        # alerts are shown apart ("unlisted"), not counted as false positives.
        unlisted = []
        if not any(t["kind"] == "read_pending_deletion" for t in truth):
            deleted = {t.get("secretArn") for t in truth if t["kind"] == "secret_delete_scheduled"}
            def pending_read(a):
                r = a.get("record") or {}
                return (a["rule"] == "secret-read-pending-deletion" and r.get("errorCode") == "InvalidRequestException"
                        and "marked for deletion" in (r.get("errorMessage") or "") and (a.get("secret") or {}).get("id") in deleted)
            unlisted = [a for a in outside if pending_read(a)]
            outside = [a for a in outside if not pending_read(a)]
        recall = found / len(incidents) if incidents else 1.0
        precision = (len(alerts) - len(outside)) / len(alerts) if alerts else 1.0
        print(f"{seed:>4} {len(incidents):>9} {found:>5} {len(alerts):>6} {len(unlisted):>8} {len(outside):>13} {recall:>7.1%} {precision:>9.1%}  {elapsed:.1f}")
        for a in unlisted:
            print(f"      unlisted pending-deletion read: {a['eventID']} {a['summary']}")
        for a in outside:
            print(f"      outside truth: {a['rule']} {a['eventID']} {a['summary']}")

    print()
    print(f"{'planted kind':<32} {'planted':>7} {'found':>5} {'recall':>7}")
    for kind, (planted, found) in sorted(per_kind.items()):
        print(f"{kind:<32} {planted:>7} {found:>5} {found / planted:>7.1%}")
    for m in misses:
        print(f"      missed: {m}")
    print()
    print("alerts per rule: " + ", ".join(f"{r}={n}" for r, n in sorted(rules_fired.items())))
    if verify_kinds:
        print("tampering truths (for `trailwatch verify`, not scored here): " + ", ".join(f"{k}={n}" for k, n in sorted(verify_kinds.items())))


if __name__ == "__main__":
    main()
