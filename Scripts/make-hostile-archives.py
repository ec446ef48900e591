#!/usr/bin/env python3
"""Writes the hostile archives of issue 10 (item 1), one directory per case, for measuring
TrailWatch's peak memory on them:

  whitespace-3g/   one 3 MB .json.gz inflating to 3 GiB of whitespace inside {"Records":[ ... ]}
  whitespace-1g9/  one 2 MB .json.gz inflating to 1.9 GB: a valid record followed by whitespace
  zeros-200m/      one 200 KB .json.gz holding {"Records":[0,0,0,...]} (200 MB of ",0")
  records-96m/     40 files, each one GetSecretValue record with a 96 MB userAgent (about 4 MB
                   gzipped in all)

Usage: Scripts/make-hostile-archives.py OUT [--scale F] [--cases a,b]
--scale shrinks every size (0.01 for a quick try). Then, for example:

  /usr/bin/time -v .build/release/trailwatch backfill OUT/zeros-200m --jobs 2 --db /tmp/h.db
"""
import argparse
import json
import os
import zlib

CHUNK = 1 << 20


def log_name(account, n):
    return (f"AWSLogs/{account}/CloudTrail/us-east-1/2024/06/03/"
            f"{account}_CloudTrail_us-east-1_20240603T{1200 + n % 60:04d}Z_{n:016x}.json.gz")


def record(n, user_agent="aws-cli/2.17.13"):
    return {
        "eventVersion": "1.08",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/app/s",
                         "accountId": "111111111111"},
        "eventTime": "2024-06-03T12:00:00Z", "eventSource": "secretsmanager.amazonaws.com",
        "eventName": "GetSecretValue", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
        "userAgent": user_agent,
        "requestParameters": {"secretId": "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf"},
        "responseElements": None, "eventID": f"00000000-0000-4000-8000-{n:012x}",
        "readOnly": True, "eventType": "AwsApiCall", "recipientAccountId": "111111111111",
    }


class GzipWriter:
    """Streams gzip output (one member) to a file."""

    def __init__(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.f = open(path, "wb")
        self.z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)

    def write(self, data):
        self.f.write(self.z.compress(data))

    def repeat(self, unit, total):
        block = unit * max(1, CHUNK // len(unit))
        written = 0
        while written + len(block) <= total:
            self.write(block)
            written += len(block)
        rest = (total - written) // len(unit)
        self.write(unit * rest)

    def close(self):
        self.f.write(self.z.flush())
        self.f.close()


def whitespace(out, size, with_record):
    w = GzipWriter(os.path.join(out, log_name("111111111111", 1)))
    w.write(b'{"Records":[')
    if with_record:
        w.write(json.dumps(record(1)).encode())
    w.repeat(b" ", size)
    w.write(b"]}")
    w.close()


def zeros(out, size):
    w = GzipWriter(os.path.join(out, log_name("111111111111", 2)))
    w.write(b'{"Records":[0')
    w.repeat(b",0", size)
    w.write(b"]}")
    w.close()


def big_records(out, size, files):
    for i in range(files):
        head, tail = json.dumps(record(100 + i, "\x00MARK\x00")).encode().split(b"\\u0000MARK\\u0000")
        w = GzipWriter(os.path.join(out, log_name("111111111111", 100 + i)))
        w.write(b'{"Records":[' + head)
        w.repeat(b"a", size)
        w.write(tail + b"]}")
        w.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--cases", default="whitespace-3g,whitespace-1g9,zeros-200m,records-96m")
    a = p.parse_args()
    s = a.scale
    cases = a.cases.split(",")
    if "whitespace-3g" in cases:
        whitespace(os.path.join(a.out, "whitespace-3g"), int(3 * 2**30 * s), False)
    if "whitespace-1g9" in cases:
        whitespace(os.path.join(a.out, "whitespace-1g9"), int(1.9e9 * s), True)
    if "zeros-200m" in cases:
        zeros(os.path.join(a.out, "zeros-200m"), int(200e6 * s))
    if "records-96m" in cases:
        big_records(os.path.join(a.out, "records-96m"), int(96 * 2**20 * s), 40)
    for case in cases:
        total = 0
        count = 0
        for root, _, names in os.walk(os.path.join(a.out, case)):
            for n in names:
                total += os.path.getsize(os.path.join(root, n))
                count += 1
        print(f"{case}: {count} files, {total:,} bytes gzipped")


if __name__ == "__main__":
    main()
