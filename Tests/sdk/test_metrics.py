"""GET /metrics read with Prometheus' own text parser (prometheus_client) around a scripted
workload: the request counters and the duration histogram grow by exactly the requests made, and
no twin id appears in any label."""

import os

import pytest
import requests
from azure.core.exceptions import ResourceNotFoundError
from prometheus_client.parser import text_string_to_metric_families

from conftest import unique


def scrape():
    response = requests.get(os.environ["TWINS_SDK_ENDPOINT"] + "/metrics", verify=os.environ["TWINS_SDK_CA"])
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
