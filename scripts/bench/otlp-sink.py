"""An OTLP/HTTP collector for the benchmarks: answers every export 200 and counts the requests
and bytes (not decoding them, so that it keeps up). Prints its port, then on SIGTERM the counts.

    python3 otlp-sink.py COUNTS_FILE
"""

import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {"requests": 0, "bytes": 0}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        size = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(size)
        with lock:
            counts["requests"] += 1
            counts["bytes"] += size
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def stop(*_):
    with open(sys.argv[1], "w") as f:
        f.write(f"{counts['requests']} {counts['bytes']}\n")
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
print(server.server_address[1], flush=True)
server.serve_forever()
