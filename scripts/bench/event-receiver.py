"""A webhook for scripts/bench-events.sh: answers every POST at once with 200 and records, for
each CloudEvent received (one or a batch), how long after its `time` (the write's commit time, set
by the gateway) it arrived. GET /stats prints the counts and latency percentiles as JSON.
Loopback only; the port is the first argument."""
import http.server
import json
import sys
import threading
import time
from datetime import datetime, timezone

lock = threading.Lock()
latencies = []   # (arrival, seconds since the event's time), per event with a time
arrivals = []    # time.time() per event


def event_time(text):
    # 2026-12-07T06:40:00.1234567Z: at most 6 fraction digits for Python.
    head, _, rest = text.rstrip("Z").partition(".")
    fraction = (rest + "000000")[:6]
    stamp = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return stamp.timestamp() + int(fraction) / 1e6


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        now = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        events = json.loads(body)
        if isinstance(events, dict):
            events = [events]
        with lock:
            for event in events:
                if "time" in event:
                    latencies.append((now, now - event_time(event["time"])))
                arrivals.append(now)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        start = float(self.headers.get("X-Window-Start", "0"))
        end = float(self.headers.get("X-Window-End", "1e18"))
        with lock:
            ordered = sorted(l for _, l in latencies)
            in_window = sum(1 for t in arrivals if start <= t <= end)
            count = len(arrivals)
            # Latencies by second of arrival since the window's start: where the slow ones are.
            by_second = {}
            for t, l in latencies:
                by_second.setdefault(int(t - start), []).append(l)
            slowest = {str(k): round(max(v) * 1000) for k, v in sorted(by_second.items())}

        def percentile(p):
            return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0

        body = json.dumps({"events": count, "inWindow": in_window, "p50_ms": percentile(0.50),
                           "p99_ms": percentile(0.99), "max_ms": ordered[-1] * 1000 if ordered else 0,
                           "slowest_ms_by_second": slowest}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
