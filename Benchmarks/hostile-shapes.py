#!/usr/bin/env python3
"""Writes CloudTrail trees with record shapes an attacker can make, for Benchmarks/hostile.sh.

    hostile-shapes.py OUT [SCALE]

Each shape goes to OUT/<shape>/AWSLogs/...: one log file (two for first-seen) of one account,
SCALE records (default 20000) unless named otherwise:
  denied       SCALE AccessDenied GetSecretValue calls by one role within 30 minutes
  distinct     SCALE reads of SCALE different secrets by one role within 5 minutes
  first-seen   one read of a secret, then 9 days later SCALE roles each reading it once
  hot          25 secrets read over 30 minutes, then SCALE reads of one secret within 5
               minutes, at CloudTrail's one-second resolution
  nested       one record whose errorCode holds 10 x SCALE strings inside 400 nested arrays
  array-pair   one record whose requestParameters.items holds SCALE objects, the first half
               with an `arn`, the second with a `kind`, and a user rule on both fields of one
               element (in OUT/array-pair.rules, with a copy of Rules/): no element has both
"""
import glob
import gzip
import json
import os
import shutil
import sys

ACCOUNT = "111122223333"


def record(event_id, time, role="prober", secret="prod/db", error=None):
    r = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/x",
                         "accountId": ACCOUNT, "principalId": "AROAX:x"},
        "eventTime": time, "eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue",
        "awsRegion": "us-east-1", "sourceIPAddress": "10.0.0.1", "userAgent": "aws-cli/2",
        "requestParameters": {"secretId": secret}, "responseElements": None,
        "eventID": f"00000000-0000-0000-0000-{event_id:012d}", "readOnly": True,
        "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT,
    }
    if error:
        r["errorCode"] = error
        r["errorMessage"] = "denied"
    return r


def at(day, ms, millis=True):
    s, frac = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"2024-05-{day:02d}T{10 + h:02d}:{m:02d}:{s:02d}" + (f".{frac:03d}Z" if millis else "Z")


def write(out, shape, day, name, body):
    directory = f"{out}/{shape}/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2024/05/{day:02d}"
    os.makedirs(directory, exist_ok=True)
    with gzip.open(f"{directory}/{ACCOUNT}_CloudTrail_us-east-1_202405{day:02d}T1000Z_{name}.json.gz", "wt") as f:
        f.write(body if isinstance(body, str) else json.dumps({"Records": body}))


def main():
    out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    write(out, "denied", 1, "denied", [record(i, at(1, i * (1800000 // n)), error="AccessDenied") for i in range(n)])
    write(out, "distinct", 1, "distinct", [record(i, at(1, i * (300000 // n)), secret=f"prod/s{i}") for i in range(n)])
    write(out, "first-seen", 1, "first", [record(10 ** 9, at(1, 0), role="app")])
    write(out, "first-seen", 10, "many", [record(i, at(10, (i * 3600 // n) * 1000, millis=False), role=f"role{i}") for i in range(n)])
    hot = [record(10 ** 9 + k, at(1, k * 72000, millis=False), role="app", secret=f"prod/s{k}") for k in range(25)]
    hot += [record(i, at(1, 1800000 + i * (300000 // n), millis=False), role="app", secret="prod/hot") for i in range(n)]
    write(out, "hot", 1, "hot", hot)
    nested = record(1, at(1, 0))
    text = json.dumps(nested).replace('"responseElements": null', '"errorCode": ' + "[" * 400 + ",".join(['"AccessDenied"'] * (10 * n)) + "]" * 400 + ', "responseElements": null')
    write(out, "nested", 1, "nested", '{"Records":[' + text + ']}')
    pair = record(1, at(1, 0))
    pair["requestParameters"]["items"] = [{"arn": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:s{i}"} for i in range(n // 2)]
    pair["requestParameters"]["items"] += [{"kind": "secret"}] * (n - n // 2)
    write(out, "array-pair", 1, "pair", [pair])
    rules = f"{out}/array-pair.rules"
    os.makedirs(rules, exist_ok=True)
    for rule in glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Rules", "*.json")):
        shutil.copy(rule, rules)
    with open(f"{rules}/array-pair.json", "w") as f:
        json.dump({"name": "array-pair", "title": "Secret items", "severity": "low",
                   "description": "An arn and a kind in one element of requestParameters.items.",
                   "pattern": {"source": ["aws.secretsmanager"], "detail": {"requestParameters": {"items": {
                       "arn": [{"prefix": "arn:aws:secretsmanager:"}], "kind": ["secret"]}}}}}, f)


if __name__ == "__main__":
    main()
