"""Traces and JSON logs from real processes: a gateway and a functions host started here with
--otlp-endpoint pointing at a loopback OTLP/HTTP receiver (decoded with OpenTelemetry's own
protobuf types) and --log-format json.

- A PATCH with the caller's traceparent: the gateway's request span continues the caller's trace,
  its SQL statements are child spans, and the change notification's delivery is a span linked to
  the request span.
- A function call: the host's request span, its outgoing libcurl call (a client span) and the
  gateway's request span are one trace, the gateway's span a child of the client span.
- Every log line is one JSON object; request lines carry method, route, status and duration, and
  the trace id; a bearer token sent with a request appears nowhere.
"""

import gzip
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


class Collector:
    """Spans received over OTLP/HTTP, and notifications received by a webhook, on one port."""

    def __init__(self):
        self.spans = []
        self.events = []
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path == "/v1/traces":
                    request = ExportTraceServiceRequest()
                    request.ParseFromString(body)
                    with collector.lock:
                        for resource_spans in request.resource_spans:
                            service = next(
                                (a.value.string_value for a in resource_spans.resource.attributes
                                 if a.key == "service.name"), "")
                            for scope_spans in resource_spans.scope_spans:
                                for span in scope_spans.spans:
                                    collector.spans.append((service, span))
                    reply = ExportTraceServiceResponse().SerializeToString()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-protobuf")
                else:
                    with collector.lock:
                        collector.events.append(json.loads(body))
                    reply = b""
                    self.send_response(200)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                found = [s for s in self.spans if predicate(s)]
            if found:
                return found
            time.sleep(0.1)
        return []

    def trace(self, trace_id):
        with self.lock:
            return [(service, span) for service, span in self.spans if span.trace_id.hex() == trace_id]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url, process, log):
    for _ in range(300):
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"{url} did not start; its log:\n{open(log).read()}")


@pytest.fixture(scope="module")
def traced():
    binary = os.environ.get("TWINS_SDK_BINARY")
    database_url = os.environ.get("TWINS_SDK_DATABASE_URL")
    if not binary or not database_url:
        pytest.fail("TWINS_SDK_BINARY and TWINS_SDK_DATABASE_URL must be set (scripts/sdk-tests.sh sets them)")
    # A database of its own: every gateway of one database must name the same endpoints (they
    # share the delivery), and this one names the collector's webhook.
    own_database = f"twins_trace_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(database_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    subprocess.run(["psql", admin_url, "-q", "-c", f"CREATE DATABASE {own_database}"], check=True)
    database_url = urlunsplit(parts._replace(path="/" + own_database))
    collector = Collector()
    work = tempfile.mkdtemp(prefix="twins-trace.")
    endpoints = os.path.join(work, "endpoints.json")
    with open(endpoints, "w") as f:
        json.dump([{"name": "trace-hook", "type": "webhook", "url": f"http://127.0.0.1:{collector.port}/events"}], f)
    environment = dict(os.environ, OTEL_BSP_SCHEDULE_DELAY="100")
    otlp = f"http://127.0.0.1:{collector.port}"
    gateway_port, functions_port, metrics_port = free_port(), free_port(), free_port()
    gateway_url, functions_url = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{functions_port}"
    gateway_log, functions_log = os.path.join(work, "gateway.log"), os.path.join(work, "functions.log")
    gateway = subprocess.Popen(
        [binary, "serve", "--port", str(gateway_port), "--database-url", database_url,
         "--endpoints", endpoints, "--otlp-endpoint", otlp, "--log-format", "json", "--log-level", "debug",
         "--metrics-port", str(metrics_port)],
        stdout=subprocess.DEVNULL, stderr=open(gateway_log, "w"), env=environment)
    functions = subprocess.Popen(
        [binary, "functions", "--port", str(functions_port), "--adt-endpoint", gateway_url,
         "--otlp-endpoint", otlp, "--log-format", "json"],
        stdout=subprocess.DEVNULL, stderr=open(functions_log, "w"), env=environment)
    try:
        wait_healthy(gateway_url, gateway, gateway_log)
        wait_healthy(functions_url, functions, functions_log)
        collector.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        yield collector, gateway_url, functions_url, gateway_log
    finally:
        for process in (functions, gateway):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        collector.server.shutdown()
        subprocess.run(["psql", admin_url, "-q", "-c", f"DROP DATABASE IF EXISTS {own_database} WITH (FORCE)"])


def adt(method, url, **kwargs):
    separator = "&" if "?" in url else "?"
    return requests.request(method, f"{url}{separator}api-version=2023-10-31", timeout=10, **kwargs)


def test_patch_trace_has_request_sql_and_linked_delivery_spans(traced):
    collector, gateway, _, _ = traced
    suffix = uuid.uuid4().hex[:10]
    model_id = f"dtmi:sdktrace:m{suffix};1"
    twin_id = f"traced-{suffix}"
    model = {"@id": model_id, "@type": "Interface", "@context": "dtmi:dtdl:context;3",
             "contents": [{"@type": "Property", "name": "temperature", "schema": "double"}]}
    assert adt("POST", f"{gateway}/models", json=[model]).status_code == 201
    assert adt("PUT", f"{gateway}/digitaltwins/{twin_id}",
               json={"$metadata": {"$model": model_id}, "temperature": 1.0}).status_code == 200
    route = f"trace-route-{suffix}"
    assert adt("PUT", f"{gateway}/eventroutes/{route}",
               json={"endpointName": "trace-hook", "filter": f"subject = '{twin_id}'"}).status_code == 204
    try:
        trace_id = uuid.uuid4().hex
        caller_span = uuid.uuid4().hex[:16]
        response = adt("PATCH", f"{gateway}/digitaltwins/{twin_id}",
                       headers={"traceparent": f"00-{trace_id}-{caller_span}-01",
                                "Content-Type": "application/json-patch+json"},
                       data=json.dumps([{"op": "replace", "path": "/temperature", "value": 2.0}]))
        assert response.status_code == 204
        assert response.headers["traceresponse"].split("-")[1] == trace_id

        servers = collector.wait_for(
            lambda s: s[1].trace_id.hex() == trace_id and s[1].name == "/digitaltwins/{id}")
        assert len(servers) == 1, collector.trace(trace_id)
        service, server = servers[0]
        assert service == "twins-gateway"
        assert server.parent_span_id.hex() == caller_span
        assert server.kind == server.SPAN_KIND_SERVER
        time.sleep(0.5)
        children = [s for _, s in collector.trace(trace_id) if s.parent_span_id == server.span_id]
        sql = [s for s in children if any(a.key == "db.system.name" for a in s.attributes)]
        names = {s.name for s in sql}
        assert any(name.startswith("UPDATE twins") for name in names), names
        assert all(s.kind == s.SPAN_KIND_CLIENT for s in sql)

        # The notification carries the request span's context, and its delivery links to it.
        deliveries = collector.wait_for(
            lambda s: s[1].name == "deliver trace-hook"
            and any(l.trace_id.hex() == trace_id and l.span_id == server.span_id for l in s[1].links))
        assert deliveries, ([s.name for _, s in collector.spans if "deliver" in s.name], [[(l.trace_id.hex(), l.span_id.hex()) for l in s.links] for _, s in collector.spans if "deliver" in s.name], len(collector.events), server.span_id.hex())
        with collector.lock:
            notified = [e for e in collector.events if e.get("subject") == twin_id or
                        any(x.get("subject") == twin_id for x in (e if isinstance(e, list) else []))]
        assert notified
        delivered = [s for family in text_string_to_metric_families(requests.get(collector.metrics_url).text)
                     for s in family.samples if s.name == "twins_events_delivered_total"]
        assert sum(s.value for s in delivered if s.labels["endpoint"] == "trace-hook") >= 1
    finally:
        adt("DELETE", f"{gateway}/eventroutes/{route}")
        adt("DELETE", f"{gateway}/digitaltwins/{twin_id}")
        adt("DELETE", f"{gateway}/models/{model_id}")


def test_function_call_carries_the_trace_to_the_gateway(traced):
    collector, _, functions, _ = traced
    trace_id = uuid.uuid4().hex
    device = f"traced-device-{uuid.uuid4().hex[:8]}"
    event = [{"id": str(uuid.uuid4()), "subject": f"devices/{device}", "eventType": "Microsoft.Devices.DeviceDeleted",
              "eventTime": "2026-01-02T19:17:44.4383997Z", "dataVersion": "1", "metadataVersion": "1",
              "topic": "/SUBSCRIPTIONS/s/RESOURCEGROUPS/g/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/h",
              "data": {"hubName": "h", "deviceId": device, "twin": {"deviceId": device}}}]
    key = "function-key-" + uuid.uuid4().hex
    response = requests.post(f"{functions}/api/DeleteDeviceInTwinFunc?code={key}", json=event, timeout=10,
                             headers={"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"})
    assert response.status_code < 500, response.text

    gateway_spans = collector.wait_for(
        lambda s: s[1].trace_id.hex() == trace_id and s[0] == "twins-gateway"
        and s[1].kind == s[1].SPAN_KIND_SERVER)
    assert gateway_spans, collector.trace(trace_id)
    time.sleep(0.5)
    spans = collector.trace(trace_id)
    host = [s for service, s in spans if service == "twins-functions" and s.kind == s.SPAN_KIND_SERVER]
    calls = [s for service, s in spans if service == "twins-functions" and s.kind == s.SPAN_KIND_CLIENT]
    assert len(host) == 1 and calls
    assert all(call.parent_span_id == host[0].span_id for call in calls)
    call_ids = {call.span_id for call in calls}
    assert all(s.parent_span_id in call_ids for _, s in gateway_spans)
    # The function key in the query string is not recorded.
    assert key not in str([s for _, s in spans])
    assert any("code=REDACTED" in str(a.value) for a in host[0].attributes)

    # The host counts the invocation once, by function and outcome.
    samples = [s for family in text_string_to_metric_families(requests.get(f"{functions}/metrics").text)
               for s in family.samples if s.name == "twins_function_invocations_total"]
    assert sum(s.value for s in samples if s.labels["function"] == "DeleteDeviceInTwinFunc") == 1
    assert {s.labels["outcome"] for s in samples} <= {"succeeded", "refused", "failed"}


def test_metrics_port_serves_the_metrics_instead_of_the_api_port(traced):
    collector, gateway, _, _ = traced
    assert requests.get(f"{gateway}/metrics", timeout=5).status_code == 404
    response = requests.get(collector.metrics_url, timeout=5)
    assert response.status_code == 200
    names = {s.name for family in text_string_to_metric_families(response.text) for s in family.samples}
    assert "http_server_requests_total" in names
    # The webhook endpoint's delivery figures, read from the database at the scrape.
    assert "twins_event_backlog" in names


def test_json_logs_parse_and_never_show_a_token(traced):
    _, gateway, _, log = traced
    secret = "secret-token-" + uuid.uuid4().hex
    trace_id = uuid.uuid4().hex
    response = adt("GET", f"{gateway}/digitaltwins/no-such-{uuid.uuid4().hex[:8]}",
                   headers={"Authorization": f"Bearer {secret}",
                            "traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"})
    assert response.status_code == 404
    time.sleep(0.3)
    text = open(log).read()
    assert secret not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys()
    requests_logged = [l for l in lines if l["message"] == "request" and l.get("trace_id") == trace_id]
    assert len(requests_logged) == 1, [l for l in lines if l["message"] == "request"][-3:]
    line = requests_logged[0]
    assert line["method"] == "GET" and line["route"] == "/digitaltwins/{id}" and line["status"] == "404"
    assert float(line["durationMs"]) >= 0 and len(line["span_id"]) == 16
