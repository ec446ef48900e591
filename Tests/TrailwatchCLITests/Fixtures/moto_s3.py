#!/usr/bin/env python3
"""Test stand-in for S3: moto's server on a free loopback port, with a request log and injected faults.

usage: moto_s3.py --log FILE [--upload DIR=BUCKET[/PREFIX]]... [--fail-every N] [--deny TEXT]... [--delay TEXT=SECONDS]...
                 [--sidecars-as-metadata]

Uploads each DIR's files (except top-level *.json/*.jsonl beside the tree) to BUCKET under PREFIX,
then prints 'READY <port>' and serves until standard input closes. Lines on standard input are
commands, each answered with one line on standard output ('OK …' or 'ERR …'):
  PUT BUCKET KEY FILE     store FILE's bytes as KEY (KEY percent-encoded; not a logged request)
  QUEUE NAME              create an SQS queue; answers 'OK <queue url>'
  SEND NAME FILE          send FILE's text as a message; answers 'OK <message id>'
  COUNT NAME              answers 'OK <visible> <invisible>' of the messages not deleted
  IDS NAME                answers 'OK <id> …': the ids of the messages not deleted Every request after READY is
appended to the log as 'METHOD PATH?QUERY'; with --fail-every N every Nth of them is answered
'503 SlowDown' instead; with --deny TEXT a listing whose prefix, or a GET whose key, contains
TEXT is answered '403 AccessDenied'; with --delay TEXT=SECONDS a GET whose key contains TEXT is
answered SECONDS late (an object slow to download); with --sidecars-as-metadata a digest's
`.metadata.json` sidecar is not uploaded but becomes the digest object's metadata. Dummy credentials only: this never talks to AWS.
"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.parse

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from werkzeug.serving import make_server  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402


class Logged:
    def __init__(self, app, log_path, fail_every, deny, delays=()):
        self.app = app
        self.deny = deny
        self.delays = [(text, float(seconds)) for text, _, seconds in (spec.rpartition("=") for spec in delays)]
        self.log_path = log_path
        self.fail_every = fail_every
        self.active = False
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self.active:
            line = f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}\n"
            with self.lock:
                self.count += 1
                n = self.count
                with open(self.log_path, "a") as log:
                    log.write(line)
            if self.fail_every and n % self.fail_every == 0:
                body = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                start_response("503 Slow Down", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
                return [body]
            target = urllib.parse.unquote(environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", ""))
            for text, seconds in self.delays:
                if environ["REQUEST_METHOD"] == "GET" and "list-type" not in target and text in target:
                    time.sleep(seconds)
            if any(text in target for text in self.deny):
                body = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
                return [body]
        return self.app(environ, start_response)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--upload", action="append", default=[])
    parser.add_argument("--fail-every", type=int, default=0)
    parser.add_argument("--deny", action="append", default=[])
    parser.add_argument("--delay", action="append", default=[])
    parser.add_argument("--sidecars-as-metadata", action="store_true")
    args = parser.parse_args()

    app = Logged(DomainDispatcherApplication(create_backend_app), args.log, args.fail_every, args.deny, args.delay)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    # Objects go straight into moto's backend (uploading thousands through HTTP is slow).
    from moto.s3.models import s3_backends
    backend = s3_backends["123456789012"]["global"]
    made = set()
    sidecars = []
    for spec in args.upload:
        directory, target = spec.split("=", 1)
        bucket, _, prefix = target.partition("/")
        if bucket not in made:
            backend.create_bucket(bucket, "us-east-1")
            made.add(bucket)
        for root, _dirs, files in os.walk(directory):
            for name in sorted(files):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, directory)
                if os.sep not in rel and (name.endswith(".json") or name.endswith(".jsonl")):
                    continue
                key = (prefix.rstrip("/") + "/" if prefix else "") + rel.replace(os.sep, "/")
                if args.sidecars_as_metadata and key.endswith(".metadata.json"):
                    sidecars.append((bucket, key, full))
                    continue
                with open(full, "rb") as body:
                    backend.put_object(bucket, key, body.read())
    # A digest's signature sidecar (what `aws s3api head-object` prints) becomes its object metadata.
    for bucket, key, full in sidecars:
        with open(full) as sidecar:
            metadata = json.load(sidecar)["Metadata"]
        backend.get_object(bucket, key[: -len(".metadata.json")]).set_metadata({"x-amz-meta-" + name.lower(): value for name, value in metadata.items()})
    open(args.log, "w").close()
    app.active = True
    print(f"READY {port}", flush=True)
    from moto.sqs.models import sqs_backends
    sqs = sqs_backends["123456789012"]["us-east-1"]
    for line in sys.stdin:
        parts = line.split()
        try:
            if parts[0] == "PUT":
                with open(parts[3], "rb") as body:
                    backend.put_object(parts[1], urllib.parse.unquote(parts[2]), body.read())
                print("OK", flush=True)
            elif parts[0] == "QUEUE":
                sqs.create_queue(parts[1])
                print(f"OK http://127.0.0.1:{port}/123456789012/{parts[1]}", flush=True)
            elif parts[0] == "SEND":
                with open(parts[2]) as body:
                    message = sqs.send_message(parts[1], body.read())
                print(f"OK {message.id}", flush=True)
            elif parts[0] == "COUNT":
                queue = sqs.get_queue(parts[1])
                kept = list(queue._messages)  # not deleted; moto's own counters lag behind expiry
                visible = sum(1 for message in kept if message.visible)
                print(f"OK {visible} {len(kept) - visible}", flush=True)
            elif parts[0] == "IDS":
                queue = sqs.get_queue(parts[1])
                print("OK " + " ".join(message.id for message in queue._messages), flush=True)
            else:
                print("ERR unknown command", flush=True)
        except Exception as error:  # the test reads the reason
            print(f"ERR {type(error).__name__}: {error}".replace("\n", " "), flush=True)
    server.shutdown()


if __name__ == "__main__":
    main()
