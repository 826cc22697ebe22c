"""GET /metrics read with Prometheus' own text parser (prometheus_client) around a scripted
workload: the request counters and the duration histogram grow by exactly the requests made, and
no twin id appears in any label."""

import os

import pytest
import requests
from azure.core.exceptions import ResourceNotFoundError
from prometheus_client.parser import text_string_to_metric_families

from conftest import unique


def scrape(endpoint=None):
    endpoint = endpoint or os.environ["TWINS_SDK_ENDPOINT"]
    response = requests.get(endpoint + "/metrics", verify=os.environ["TWINS_SDK_CA"])
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, response.text


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_the_requests_made(client):
    before, _ = scrape()
    missing = [unique("secret") for _ in range(5)]
    for twin_id in missing:
        with pytest.raises(ResourceNotFoundError):
            client.get_digital_twin(twin_id)
    list(client.list_models())
    after, text = scrape()

    route = "/digitaltwins/{id}"
    assert value(after, "http_server_requests_total", method="GET", route=route, status="404") - value(
        before, "http_server_requests_total", method="GET", route=route, status="404") == 5
    assert value(after, "http_server_request_duration_seconds_count", method="GET", route=route) - value(
        before, "http_server_request_duration_seconds_count", method="GET", route=route) == 5
    assert value(after, "http_server_requests_total", method="GET", route="/models", status="200") - value(
        before, "http_server_requests_total", method="GET", route="/models", status="200") >= 1
    # Buckets are cumulative: +Inf holds every request of the route.
    assert value(after, "http_server_request_duration_seconds_bucket", method="GET", route=route, le="+Inf") == value(
        after, "http_server_request_duration_seconds_count", method="GET", route=route)
    for twin_id in missing:
        assert twin_id not in text


def grew(before, after, name, **labels):
    return value(after, name, **labels) - value(before, name, **labels)


def test_query_model_cache_and_pool_metrics(client, make_room):
    room = make_room(temperature=20.5)
    before, _ = scrape()
    rows = list(client.query_twins(f"SELECT * FROM digitaltwins WHERE $dtId = '{room['$dtId']}'"))
    assert len(rows) == 1
    client.update_digital_twin(room["$dtId"], [{"op": "replace", "path": "/temperature", "value": 21.0}])
    after, _ = scrape()
    assert grew(before, after, "twins_query_pages_total") == 1
    assert grew(before, after, "twins_query_rows_total") == 1
    assert grew(before, after, "twins_query_charge_count") == 1
    assert grew(before, after, "twins_query_charge_sum") == pytest.approx(1.01)
    # The PATCH validated against the cached models (a hit, or a reload after another test's upload).
    assert grew(before, after, "twins_model_cache_requests_total", result="hit") + grew(
        before, after, "twins_model_cache_requests_total", result="reload") >= 1
    assert value(after, "twins_db_pool_max_connections") == 32
    # The pool keeps its connections open between requests.
    assert value(after, "twins_db_pool_connections", state="idle") + value(
        after, "twins_db_pool_connections", state="active") >= 1


def test_auth_failures_are_counted_by_reason():
    secured = os.environ["TWINS_SDK_SECURED_ENDPOINT"]
    before, _ = scrape(secured)
    url = secured + "/digitaltwins/anything?api-version=2023-10-31"
    ca = os.environ["TWINS_SDK_CA"]
    assert requests.get(url, verify=ca).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer not-a-jwt"}, verify=ca).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer not-a-jwt"}, verify=ca).status_code == 401
    after, text = scrape(secured)
    assert grew(before, after, "twins_auth_failures_total", reason="missing_token") == 1
    assert grew(before, after, "twins_auth_failures_total", reason="malformed_token") == 2
    assert "not-a-jwt" not in text
