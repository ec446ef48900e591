#!/usr/bin/env python3
"""Wrap CloudTrail records (JSON lines) in EventBridge envelopes, keeping each record's text as is.

usage: envelope.py RECORDS.jsonl EVENTS.jsonl
"""
import json
import sys

src, dst = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
    for line in f:
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        service = (r.get("eventSource") or "unknown").split(".")[0]
        resources = [x["ARN"] for x in r.get("resources") or [] if isinstance(x, dict) and "ARN" in x]
        head = {
            "version": "0",
            "id": r.get("eventID", ""),
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws." + service,
            "account": r.get("recipientAccountId", ""),
            "time": r.get("eventTime", ""),
            "region": r.get("awsRegion", ""),
            "resources": resources,
        }
        text = json.dumps(head, separators=(",", ":"))
        out.write(text[:-1] + ',"detail":' + line + "}\n")
