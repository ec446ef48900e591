#!/usr/bin/env python3
"""A misbehaving webhook receiver on loopback, for TrailWatch's delivery tests and figures.

Writes its port to --port-file once listening, and one JSON line per request to --log:
{"t": seconds, "path", "key": Idempotency-Key, "auth": Authorization, "status", "bytes", "body": parsed JSON or null}.

Modes (--mode):
  ok                 answer 200
  fail               answer 500 to the first --count requests, then 200 (--count 0: always 500)
  retry-after        answer 429 with "Retry-After: --retry-after" to the first request of each key, then 200
  hang               read the request and never answer the first --count requests (0: all), then 200
  trickle            send headers, then one body byte per second for 60 s, to the first --count requests (0: all)
  endless            answer 200 at once, then a body without end (a byte every 0.2 s), to the first --count (0: all)
  redirect           answer 307 with "Location: --location"
  status             answer --status with the body --body
--skip N answers the first N requests 200 first; with --switch-file F, every request is answered 200
once F exists.
"""
import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--mode", default="ok")
parser.add_argument("--count", type=int, default=0)
parser.add_argument("--retry-after", default="1")
parser.add_argument("--location", default="")
parser.add_argument("--status", type=int, default=400)
parser.add_argument("--body", default="bad request: unknown field")
parser.add_argument("--skip", type=int, default=0, help="answer the first N requests 200 before the mode applies")
parser.add_argument("--switch-file", default="", help="once this file exists, answer every request 200")
parser.add_argument("--quiet-log", action="store_true", help="log only key and status (for throughput runs)")
args = parser.parse_args()

lock = threading.Lock()
seen = {"requests": 0, "keys": set()}
log = open(args.log, "a", buffering=1)
start = time.time()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY, headers and body in two writes meet the client's delayed ACK: 40 ms a request.
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def record(self, status, body):
        entry = {"t": round(time.time() - start, 3), "path": self.path, "key": self.headers.get("Idempotency-Key"),
                 "auth": self.headers.get("Authorization"), "status": status, "bytes": len(body)}
        if not args.quiet_log:
            try:
                entry["body"] = json.loads(body)
            except ValueError:
                entry["body"] = None
        with lock:
            log.write(json.dumps(entry) + "\n")

    def answer(self, status, payload=b"ok", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        key = self.headers.get("Idempotency-Key")
        with lock:
            seen["requests"] += 1
            n = seen["requests"]
            first_of_key = key not in seen["keys"]
            seen["keys"].add(key)
        early = args.count == 0 or n - args.skip <= args.count
        mode = args.mode
        if n <= args.skip or (args.switch_file and os.path.exists(args.switch_file)):
            mode = "ok"
        if mode == "fail" and early:
            self.record(500, body)
            self.answer(500, b"internal error")
        elif mode == "retry-after" and first_of_key:
            self.record(429, body)
            self.answer(429, b"slow down", [("Retry-After", args.retry_after)])
        elif mode == "hang" and early:
            self.record(0, body)
            time.sleep(3600)
        elif mode == "trickle" and early:
            self.record(0, body)
            self.send_response(200)
            self.send_header("Content-Length", "60")
            self.end_headers()
            for _ in range(60):
                self.wfile.write(b".")
                self.wfile.flush()
                time.sleep(1)
        elif mode == "endless" and early:
            # 200 at once, then a body that never ends: a byte every 0.2 s.
            self.record(200, body)
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(18000):
                    self.wfile.write(b".")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
        elif mode == "redirect":
            self.record(307, body)
            self.answer(307, b"", [("Location", args.location)])
        elif mode == "status":
            self.record(args.status, body)
            self.answer(args.status, args.body.encode())
        else:
            self.record(200, body)
            self.answer(200)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
tmp = args.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, args.port_file)
server.serve_forever()
