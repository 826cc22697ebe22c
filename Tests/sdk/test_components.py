"""Components: get_component, update_component."""

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceModifiedError, ResourceNotFoundError


def test_get_component(sandbox, make_room):
    twin_id = make_room()["$dtId"]
    component = sandbox.client.get_component(twin_id, "thermostat")
    assert "$metadata" in component
    assert "setpoint" not in component


def test_update_component(sandbox, make_room):
    twin = make_room()
    twin_id = twin["$dtId"]

    assert sandbox.client.update_component(twin_id, "thermostat", [{"op": "add", "path": "/setpoint", "value": 22.5}]) is None
    component = sandbox.client.get_component(twin_id, "thermostat")
    assert component["setpoint"] == 22.5
    assert "lastUpdateTime" in component["$metadata"]["setpoint"]

    fetched = sandbox.client.get_digital_twin(twin_id)
    assert fetched["thermostat"]["setpoint"] == 22.5
    assert fetched["$etag"] != twin["$etag"]


def test_update_component_with_etag(sandbox, make_room):
    twin = make_room()
    twin_id, etag = twin["$dtId"], twin["$etag"]

    sandbox.client.update_component(
        twin_id, "thermostat", [{"op": "add", "path": "/setpoint", "value": 20.0}],
        etag=etag, match_condition=MatchConditions.IfNotModified,
    )
    with pytest.raises(ResourceModifiedError) as raised:
        sandbox.client.update_component(
            twin_id, "thermostat", [{"op": "replace", "path": "/setpoint", "value": 30.0}],
            etag=etag, match_condition=MatchConditions.IfNotModified,
        )
    assert raised.value.status_code == 412
    assert sandbox.client.get_component(twin_id, "thermostat")["setpoint"] == 20.0


def test_update_component_invalid_value_raises_validation_failed(sandbox, make_room):
    twin_id = make_room()["$dtId"]
    with pytest.raises(HttpResponseError) as raised:
        sandbox.client.update_component(twin_id, "thermostat", [{"op": "add", "path": "/setpoint", "value": "warm"}])
    assert raised.value.status_code == 400
    assert raised.value.error.code == "ValidationFailed"
    assert "setpoint" not in sandbox.client.get_component(twin_id, "thermostat")


def test_get_component_unknown_raises_not_found(sandbox, make_room):
    twin_id = make_room()["$dtId"]
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.get_component(twin_id, "noSuchComponent")
    assert raised.value.error.code == "ComponentNotFound"

    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.get_component(sandbox.twin_id("missing"), "thermostat")
    assert raised.value.error.code == "DigitalTwinNotFound"
