#!/usr/bin/env python3
"""Generate a deterministic set of realistic CloudTrail rules (EventBridge patterns, JSON lines)
with a mix of operators, using service and API names seen in the events.

usage: make-rules.py COUNT RECORDS.jsonl OUT.jsonl
"""
import collections
import json
import random
import sys

count, records, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(20240603 + count)

names = collections.defaultdict(collections.Counter)
with open(records, encoding="utf-8") as f:
    for i, line in enumerate(f):
        if i >= 20000:
            break
        r = json.loads(line)
        names[r["eventSource"]][r["eventName"]] += 1
services = sorted(names)
verbs = ["Create", "Delete", "Put", "Update", "Attach", "Detach", "Modify", "Disable", "Remove", "Revoke",
         "Authorize", "Schedule", "Restore", "Rotate", "Tag", "Untag", "Enable", "Stop", "Start", "Reboot"]
nouns = ["Secret", "Key", "Role", "Policy", "User", "Bucket", "Trail", "Alias", "Grant", "Instance",
         "SecurityGroup", "Function", "Parameter", "Table", "Stack", "Queue", "Topic", "Rule", "Cluster", "Image"]


def service_names(svc, k):
    known = [n for n, _ in names[svc].most_common(40)]
    synthetic = [v + n for v in verbs for n in nouns]
    pool = known + rng.sample(synthetic, 10)
    return sorted(set(rng.sample(pool, min(k, len(pool)))))


def source_of(svc):
    return "aws." + svc.split(".")[0]


def rule(i):
    svc = rng.choice(services)
    kind = i % 20
    if kind in (0, 1, 2, 3, 4, 5):  # plain exact: source + a few API names
        return {"source": [source_of(svc)], "detail": {"eventSource": [svc], "eventName": service_names(svc, rng.randint(1, 4))}}
    if kind == 6:  # prefix on the API name, writes only
        return {"detail": {"eventSource": [svc], "eventName": [{"prefix": rng.choice(verbs)}], "readOnly": [False]}}
    if kind == 7:  # failed calls of a few APIs
        return {"detail": {"eventSource": [svc], "eventName": service_names(svc, 2), "errorCode": [{"exists": True}]}}
    if kind == 8:  # root or IAM user activity, not by a service
        return {"detail": {"eventName": service_names(svc, 2), "userIdentity": {"type": [{"anything-but": ["AssumedRole", "AWSService"]}]}}}
    if kind == 9:  # access to one secret from an address block
        return {"detail": {"eventSource": ["secretsmanager.amazonaws.com"], "eventName": ["GetSecretValue"],
                           "requestParameters": {"secretId": [{"prefix": "arn:aws:secretsmanager:us-east-1:%012d:secret:app%d/" % (rng.randint(0, 10**12 - 1), i)}]},
                           "sourceIPAddress": [{"cidr": "%d.%d.0.0/16" % (rng.randint(1, 223), rng.randint(0, 255))}]}}
    if kind == 10:  # short deletion windows
        return {"detail": {"eventName": ["ScheduleSecretDeletion", "ScheduleKeyDeletion"],
                           "requestParameters": {"$or": [{"recoveryWindowInDays": [{"numeric": ["<", rng.randint(7, 30)]}]},
                                                         {"pendingWindowInDays": [{"numeric": ["<=", rng.randint(7, 30)]}]}]}}}
    if kind == 11:  # case-insensitive API names
        n = rng.choice(service_names(svc, 3))
        return {"detail": {"eventSource": [svc], "eventName": [{"equals-ignore-case": n.upper()}]}}
    if kind == 12:  # role sessions by name suffix
        return {"detail": {"userIdentity": {"type": ["AssumedRole"], "arn": [{"suffix": "/" + rng.choice(["admin", "deploy", "ci", "break-glass", "ops"]) + str(i)}]}}}
    if kind == 13:  # one application's secrets by wildcard
        return {"detail": {"eventSource": ["secretsmanager.amazonaws.com"],
                           "requestParameters": {"secretId": [{"wildcard": "arn:aws:secretsmanager:*:secret:%s-app%d/*" % (rng.choice(["prod", "staging", "db"]), i)}]}}}
    if kind == 14:  # one key in the resources array of objects (array consistency)
        return {"detail": {"resources": {"type": ["AWS::KMS::Key"], "ARN": [{"prefix": "arn:aws:kms:us-east-1:%012d:key/%08x" % (rng.randint(0, 10**12 - 1), rng.getrandbits(32))}]}}}
    if kind == 15:  # console sign-in without MFA by one user
        return {"detail-type": ["AWS Console Sign In via CloudTrail"],
                "detail": {"additionalEventData": {"MFAUsed": ["No"]}, "userIdentity": {"userName": ["user%d" % i]}}}
    if kind == 16:  # $or across identity and API
        return {"source": [source_of(svc)], "$or": [{"detail": {"userIdentity": {"type": ["Root"]}}},
                                                    {"detail": {"eventName": service_names(svc, 2), "readOnly": [False]}}]}
    if kind == 17:  # region guard for a few APIs
        return {"detail": {"eventSource": [svc], "eventName": service_names(svc, 2), "awsRegion": [{"anything-but": ["us-east-1", "eu-west-1"]}], "readOnly": [False]}}
    if kind == 18:  # user agent prefix with equals-ignore-case, for a few APIs
        return {"detail": {"eventSource": [svc], "eventName": service_names(svc, 2),
                           "userAgent": [{"prefix": {"equals-ignore-case": rng.choice(["AWS-CLI/", "Boto3/", "terraform/", "console."])}}]}}
    return {"detail": {"eventSource": [svc], "eventName": service_names(svc, 1), "errorCode": [{"exists": False}],
                       "recipientAccountId": [{"anything-but": str(rng.randint(10**11, 10**12 - 1))}]}}


with open(dst, "w", encoding="utf-8") as out:
    for i in range(count):
        out.write(json.dumps({"name": "rule-%04d" % i, "pattern": rule(i)}, separators=(",", ":")) + "\n")
