#!/usr/bin/env python3
"""DuckDB's side of Benchmarks/backfill.sh: read every CloudTrail log file of TREE with
`read_json_auto` and CREATE TABLE ... AS SELECT its Secrets Manager records, on THREADS threads.

    Benchmarks/duckdb-import.py TREE [--threads 2] [--db PATH]

Prints the number of rows stored. Needs `pip install duckdb` (benchmarks only).
"""
import argparse
import os
import sys

try:
    import duckdb
except ImportError:
    sys.exit("duckdb is not installed (pip install duckdb)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tree")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--db", default=":memory:")
    args = parser.parse_args()
    glob = os.path.join(args.tree, "AWSLogs", "*", "CloudTrail", "*", "*", "*", "*", "*.json.gz")
    con = duckdb.connect(args.db)
    con.execute(f"SET threads = {int(args.threads)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        "CREATE TABLE secrets_manager AS SELECT r.* FROM "
        "(SELECT unnest(Records) AS r FROM read_json_auto(?, maximum_object_size = 268435456)) "
        "WHERE r.eventSource = 'secretsmanager.amazonaws.com'", [glob])
    rows = con.execute("SELECT count(*) FROM secrets_manager").fetchone()[0]
    print(f"duckdb: {rows} Secrets Manager rows")


if __name__ == "__main__":
    main()
