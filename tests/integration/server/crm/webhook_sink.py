#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# webhook_sink.py: an HTTPS webhook receiver for the outbox test
# (test_outbox.sh), on 127.0.0.1 with a certificate of the test CA.
#
#   webhook_sink.py PORT CERT KEY LOG PATH=PLAN [PATH=PLAN ...]
#
# PLAN is what the sink answers the requests to PATH, in turn: a comma
# list of HTTP statuses and "hang" (read the request, then answer nothing
# for 3 s, past kassad's timeout); the last entry repeats for ever
# ("/ok=200", "/fail=500", "/flaky=500,500,hang,200"). A path without a
# plan is answered 404. Every request is logged to LOG as one JSON line:
# path, its number on that path, the Idempotency-Key, X-Kassa-Signature,
# Content-Type, the body, what it answered and whether a 2xx for that key
# had been answered before ("duplicate": what a receiver drops). The sink
# writes LOG.ready when it listens.
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_S = 3.0
BODY_MAX = 1 << 20

port, cert, key, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
plans = {}
for arg in sys.argv[5:]:
    path, plan = arg.split("=", 1)
    plans[path] = plan.split(",")
counts = {}
accepted = set()
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(n, BODY_MAX)).decode("utf-8", "replace")
        idem = self.headers.get("Idempotency-Key", "")
        with lock:
            plan = plans.get(self.path)
            i = counts.get(self.path, 0)
            counts[self.path] = i + 1
            answer = "404" if plan is None else plan[min(i, len(plan) - 1)]
            duplicate = idem in accepted
            if answer.isdigit() and 200 <= int(answer) <= 299:
                accepted.add(idem)
            entry = {"t": time.time(), "path": self.path, "n": i + 1, "key": idem,
                     "signature": self.headers.get("X-Kassa-Signature", ""),
                     "content_type": self.headers.get("Content-Type", ""),
                     "body": body, "answer": answer, "duplicate": duplicate}
            with open(log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if answer == "hang":
            time.sleep(HANG_S)
            self.close_connection = True
            return
        status = int(answer)
        out = b'{"ok":true}' if status < 300 else b'{"error":"planned failure"}'
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        except OSError:
            pass


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", port), Sink)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(log_path + ".ready", "w", encoding="utf-8") as f:
        f.write("ready\n")
    srv.serve_forever()


if __name__ == "__main__":
    main()
