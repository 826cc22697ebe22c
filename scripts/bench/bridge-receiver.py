"""A webhook for scripts/bench-bridge.sh: both gateways route their twin updates here, the source's
to /source and the target's to /target. A change is matched across the two by its twin and the
value it wrote (each PATCH writes a fresh random number), and its replication lag is the target's
commit time (its notification's `time`) minus the source's. GET /stats prints the counts and the
lag percentiles as JSON; X-Window-Start / X-Window-End (epoch seconds) bound the changes counted
as applied during the load. Loopback only; the port is the first argument."""
import http.server
import json
import sys
import threading
from datetime import datetime, timezone

lock = threading.Lock()
source = {}      # (twin, value) -> source commit time, not yet seen on the target
target = {}      # (twin, value) -> target commit time, seen there before the source's arrived
lags = []        # (target commit time, lag in seconds)


def event_time(text):
    head, _, rest = text.rstrip("Z").partition(".")
    fraction = (rest + "000000")[:6]
    stamp = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return stamp.timestamp() + int(fraction) / 1e6


def changes(event):
    if event.get("type") != "Microsoft.DigitalTwins.Twin.Update" or "time" not in event:
        return []
    out = []
    for op in (event.get("data") or {}).get("patch") or []:
        if op.get("path") == "/temperature" and "value" in op:
            out.append(((event.get("subject"), repr(float(op["value"]))), event_time(event["time"])))
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = []
        events = parsed if isinstance(parsed, list) else [parsed]
        with lock:
            for event in events:
                for key, at in changes(event):
                    # The two sides' notifications arrive independently: match whichever comes second.
                    if self.path.startswith("/source"):
                        if key in target:
                            applied = target.pop(key)
                            lags.append((applied, applied - at))
                        else:
                            source[key] = at
                    elif key in source:
                        lags.append((at, at - source.pop(key)))
                    else:
                        target[key] = at
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        start = float(self.headers.get("X-Window-Start", "0"))
        end = float(self.headers.get("X-Window-End", "1e12"))
        with lock:
            values = sorted(lag for _, lag in lags)
            in_window = sum(1 for at, _ in lags if start <= at <= end)

            def pct(p):
                return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1) if values else None

            body = json.dumps({
                "applied": len(lags), "inWindow": in_window, "waiting": len(source), "unmatched": len(target),
                "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0),
            }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
