#!/usr/bin/env python3
"""Canonical dump of a TrailWatch store: history, alerts, outbox and ledger in a stable order.

    Benchmarks/canonical-dump.py STORE.db [--out DUMP.txt]

Prints one SHA-256 per table and one over the whole dump, so that a change to the writer (or to
anything upstream of it) can be shown to leave every result byte-for-byte unchanged: run a
backfill with the old and the new build into fresh stores and compare the last line.

Rows are written by their natural keys (event ids, ARNs, paths), never by SQLite row ids, so the
dump does not depend on how the writer numbers rows (integer keys for secrets and principals may
change without changing a result). Left out, because they legitimately differ from run to run:
  - files.ingested_at (the wall-clock time the file was committed);
  - verified_digests.verified_at (wall-clock time of verification);
  - deliveries.enqueued_at, next_attempt, delivered_at, attempts, state, reason (the outbox's
    delivery progress, which depends on the sinks and the clock); sink and alert are kept.
Everything else of every table is in the dump. Each value is written with its SQLite type
(`i:`, `r:`, `t:`, `b:` hex, `null`), one row per line, tab-separated.
"""
import argparse
import hashlib
import sqlite3
import sys

# (table name, SELECT producing the canonical rows, ORDER BY columns)
QUERIES = [
    ("principals",
     "SELECT arn, type, display, name, account, first_seen, last_seen FROM principals", "arn"),
    ("secrets",
     "SELECT arn, name, account, region, is_full, first_seen, last_seen FROM secrets", "arn"),
    ("events",
     """SELECT e.event_id, e.time, e.source, e.name, e.type, e.account, e.region, p.arn, e.session,
               e.source_ip, e.user_agent, e.error_code, e.error_message, e.read_only, e.details
        FROM events e JOIN principals p ON p.id = e.principal""", "1"),
    ("access",
     """SELECT e.event_id, s.arn, a.time, p.arn, a.name, a.failed, a.notable
        FROM access a JOIN events e ON e.id = a.event JOIN secrets s ON s.id = a.secret
        JOIN principals p ON p.id = a.principal""", "1, 2"),
    ("usage",
     """SELECT s.arn, p.arn, u.name, u.first_seen, u.last_seen, u.last_ok, u.count, u.errors
        FROM usage u JOIN secrets s ON s.id = u.secret JOIN principals p ON p.id = u.principal""", "1, 2, 3"),
    ("secret_keys",
     "SELECT s.arn, k.key, k.first_seen FROM secret_keys k JOIN secrets s ON s.id = k.secret", "1, 2"),
    ("regions", "SELECT account, region, events, oldest, newest FROM regions", "1, 2"),
    ("alerts",
     """SELECT id, rule, severity, severity_rank, time, account, region, principal, secret, event_id,
               summary, count, json, emitted FROM alerts""", "id"),
    ("detector_state", "SELECT namespace, key, value FROM detector_state", "1, 2"),
    ("files",
     """SELECT path, size, fingerprint, format, records, skipped, invalid, status, reason,
               newest_event_time, account, region FROM files""", "path"),
    ("verified_digests", "SELECT account, region, trail, digest, digest_end FROM verified_digests", "1, 2, 3"),
    ("deliveries", "SELECT sink, alert FROM deliveries", "1, 2"),
]


def render(value):
    if value is None:
        return "null"
    if isinstance(value, int):
        return f"i:{value}"
    if isinstance(value, float):
        return f"r:{value!r}"
    if isinstance(value, bytes):
        return "b:" + value.hex()
    text = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return "t:" + text


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store")
    parser.add_argument("--out", help="also write the dump itself to this file (for diff)")
    args = parser.parse_args()
    db = sqlite3.connect(f"file:{args.store}?mode=ro", uri=True)
    total = hashlib.sha256()
    out = open(args.out, "w", encoding="utf-8") if args.out else None
    for table, select, order in QUERIES:
        digest = hashlib.sha256()
        rows = 0
        header = f"## {table}\n"
        total.update(header.encode())
        if out:
            out.write(header)
        # BINARY collation: byte order of UTF-8, the same on every machine.
        for row in db.execute(f"{select} ORDER BY {order}"):
            line = ("\t".join(render(v) for v in row) + "\n").encode("utf-8", "surrogateescape")
            digest.update(line)
            total.update(line)
            rows += 1
            if out:
                out.write(line.decode("utf-8", "surrogateescape"))
        print(f"{table:17} {rows:>9} rows  {digest.hexdigest()}")
    print(f"{'all':17} {'':>9}       {total.hexdigest()}")
    if out:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
