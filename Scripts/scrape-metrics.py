#!/usr/bin/env python3
"""Fetches a Prometheus text exposition and parses it with prometheus-client's parser (strict
about the format); prints {"family": {"type": ..., "samples": [[name, labels, value], ...]}} as
JSON. Exit 0 when it parsed, 1 when it did not, 3 when prometheus-client is missing."""
import json
import sys
import urllib.request

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("scrape-metrics: missing Python package prometheus-client (pip install prometheus-client)", file=sys.stderr)
    sys.exit(3)

with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
    content_type = response.headers.get("Content-Type", "")
    text = response.read().decode("utf-8")
try:
    families = {f.name: {"type": f.type, "samples": [[s.name, s.labels, s.value] for s in f.samples]}
                for f in text_string_to_metric_families(text)}
except Exception as e:
    print(f"scrape-metrics: not valid exposition text: {e}", file=sys.stderr)
    sys.exit(1)
print(json.dumps({"contentType": content_type, "families": families}))
