"""Telemetry: publish_telemetry, publish_component_telemetry."""

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError


def test_publish_telemetry(sandbox, make_room):
    twin_id = make_room()["$dtId"]
    assert sandbox.client.publish_telemetry(twin_id, {"humidity": 40.5}) is None
    assert sandbox.client.publish_telemetry(twin_id, {"undeclared": "passes"}, message_id="m-1") is None
    # Telemetry is not stored on the twin.
    assert "humidity" not in sandbox.client.get_digital_twin(twin_id)


def test_publish_telemetry_invalid_value_raises_validation_failed(sandbox, make_room):
    twin_id = make_room()["$dtId"]
    with pytest.raises(HttpResponseError) as raised:
        sandbox.client.publish_telemetry(twin_id, {"humidity": "damp"})
    assert raised.value.status_code == 400
    assert raised.value.error.code == "ValidationFailed"


def test_publish_telemetry_to_unknown_twin_raises_not_found(sandbox):
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.publish_telemetry(sandbox.twin_id("missing"), {"humidity": 1.0})
    assert raised.value.error.code == "DigitalTwinNotFound"


def test_publish_component_telemetry(sandbox, make_room):
    twin_id = make_room()["$dtId"]
    assert sandbox.client.publish_component_telemetry(twin_id, "thermostat", {"reading": 21.0}) is None
    assert sandbox.client.publish_component_telemetry(twin_id, "thermostat", {"reading": 21.5}, message_id="m-2") is None

    with pytest.raises(HttpResponseError) as raised:
        sandbox.client.publish_component_telemetry(twin_id, "thermostat", {"reading": "cold"})
    assert raised.value.status_code == 400
    assert raised.value.error.code == "ValidationFailed"


def test_publish_component_telemetry_unknown_component_raises_not_found(sandbox, make_room):
    twin_id = make_room()["$dtId"]
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.publish_component_telemetry(twin_id, "noSuchComponent", {"reading": 1.0})
    assert raised.value.error.code == "ComponentNotFound"
