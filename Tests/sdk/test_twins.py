"""Twins: upsert_digital_twin, get_digital_twin, update_digital_twin, delete_digital_twin."""

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)

from conftest import room_twin


def test_upsert_and_get_digital_twin(sandbox, room_models):
    _, room_id = room_models
    twin_id = sandbox.twin_id()

    created = sandbox.upsert_twin(twin_id, room_twin(room_id, name="Kitchen", temperature=21.5))
    assert created["$dtId"] == twin_id
    assert created["$etag"]
    assert created["name"] == "Kitchen"
    assert created["temperature"] == 21.5
    assert created["$metadata"]["$model"] == room_id
    assert "$lastUpdateTime" in created["$metadata"]
    assert "lastUpdateTime" in created["$metadata"]["name"]

    fetched = sandbox.client.get_digital_twin(twin_id)
    assert fetched == created


def test_upsert_digital_twin_replaces_existing(sandbox, room_models):
    _, room_id = room_models
    twin_id = sandbox.twin_id()
    first = sandbox.upsert_twin(twin_id, room_twin(room_id, name="Old", temperature=1.0))

    second = sandbox.upsert_twin(twin_id, room_twin(room_id, name="New"))
    assert second["name"] == "New"
    assert "temperature" not in second
    assert second["$etag"] != first["$etag"]


def test_upsert_digital_twin_round_trips_a_fetched_twin(sandbox, make_room):
    # A common SDK pattern: get a twin, change it, upsert it whole ($dtId, $etag and
    # $metadata with its times included).
    twin = make_room(name="Before", temperature=5.0)
    fetched = sandbox.client.get_digital_twin(twin["$dtId"])
    fetched["name"] = "After"
    replaced = sandbox.client.upsert_digital_twin(twin["$dtId"], fetched)
    assert replaced["name"] == "After"
    assert replaced["temperature"] == 5.0
    assert replaced["$etag"] != twin["$etag"]


def test_upsert_digital_twin_if_missing(sandbox, room_models):
    _, room_id = room_models
    twin_id = sandbox.twin_id()

    created = sandbox.upsert_twin(twin_id, room_twin(room_id, name="First"), match_condition=MatchConditions.IfMissing)
    assert created["name"] == "First"

    with pytest.raises(ResourceExistsError) as raised:
        sandbox.client.upsert_digital_twin(
            twin_id, room_twin(room_id, name="Second"), match_condition=MatchConditions.IfMissing
        )
    assert raised.value.status_code == 412
    assert raised.value.error.code == "PreconditionFailed"
    assert sandbox.client.get_digital_twin(twin_id)["name"] == "First"


def test_upsert_invalid_twin_raises_validation_failed(sandbox, room_models):
    _, room_id = room_models
    twin_id = sandbox.twin_id()

    with pytest.raises(HttpResponseError) as raised:
        sandbox.upsert_twin(twin_id, room_twin(room_id, temperature="warm"))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "ValidationFailed"
    assert raised.value.error.message == "Invalid twin specified"
    assert [d.code for d in raised.value.error.details] == ["ValidationFailed"]

    with pytest.raises(HttpResponseError) as raised:
        sandbox.upsert_twin(twin_id, room_twin(room_id, noSuchProperty=1))
    assert raised.value.error.code == "ValidationFailed"

    without_component = room_twin(room_id)
    del without_component["thermostat"]
    with pytest.raises(HttpResponseError) as raised:
        sandbox.upsert_twin(twin_id, without_component)
    assert raised.value.error.code == "ValidationFailed"

    with pytest.raises(ResourceNotFoundError):
        sandbox.client.get_digital_twin(twin_id)


def test_upsert_twin_of_unknown_model_fails(sandbox):
    twin_id = sandbox.twin_id()
    with pytest.raises(HttpResponseError) as raised:
        sandbox.upsert_twin(twin_id, {"$metadata": {"$model": sandbox.model_id("Missing")}})
    assert raised.value.status_code == 400
    assert raised.value.error.code == "ValidationFailed"
    with pytest.raises(ResourceNotFoundError):
        sandbox.client.get_digital_twin(twin_id)


def test_get_digital_twin_unknown_raises_not_found(sandbox):
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.get_digital_twin(sandbox.twin_id("missing"))
    assert raised.value.status_code == 404
    assert raised.value.error.code == "DigitalTwinNotFound"


def test_update_digital_twin(sandbox, make_room):
    twin = make_room(name="Hall", temperature=18.0)
    twin_id = twin["$dtId"]

    result = sandbox.client.update_digital_twin(
        twin_id,
        [
            {"op": "replace", "path": "/temperature", "value": 19.5},
            {"op": "remove", "path": "/name"},
        ],
    )
    assert result is None
    fetched = sandbox.client.get_digital_twin(twin_id)
    assert fetched["temperature"] == 19.5
    assert "name" not in fetched
    assert fetched["$etag"] != twin["$etag"]


def test_update_digital_twin_with_etag(sandbox, make_room):
    twin = make_room(temperature=18.0)
    twin_id, etag = twin["$dtId"], twin["$etag"]

    sandbox.client.update_digital_twin(
        twin_id, [{"op": "replace", "path": "/temperature", "value": 20.0}],
        etag=etag, match_condition=MatchConditions.IfNotModified,
    )
    assert sandbox.client.get_digital_twin(twin_id)["temperature"] == 20.0

    # The etag is stale now.
    with pytest.raises(ResourceModifiedError) as raised:
        sandbox.client.update_digital_twin(
            twin_id, [{"op": "replace", "path": "/temperature", "value": 99.0}],
            etag=etag, match_condition=MatchConditions.IfNotModified,
        )
    assert raised.value.status_code == 412
    assert raised.value.error.code == "PreconditionFailed"
    assert sandbox.client.get_digital_twin(twin_id)["temperature"] == 20.0


def test_update_and_delete_digital_twin_if_present(sandbox, make_room):
    twin_id = make_room(temperature=18.0)["$dtId"]
    sandbox.client.update_digital_twin(
        twin_id, [{"op": "replace", "path": "/temperature", "value": 17.0}], match_condition=MatchConditions.IfPresent
    )
    assert sandbox.client.get_digital_twin(twin_id)["temperature"] == 17.0
    sandbox.client.delete_digital_twin(twin_id, match_condition=MatchConditions.IfPresent)
    with pytest.raises(ResourceNotFoundError):
        sandbox.client.get_digital_twin(twin_id)


def test_update_digital_twin_invalid_patches(sandbox, make_room):
    twin_id = make_room(temperature=18.0)["$dtId"]

    with pytest.raises(HttpResponseError) as raised:
        sandbox.client.update_digital_twin(twin_id, [{"op": "replace", "path": "/temperature", "value": "hot"}])
    assert raised.value.status_code == 400
    assert raised.value.error.code == "ValidationFailed"

    with pytest.raises(HttpResponseError) as raised:
        sandbox.client.update_digital_twin(twin_id, [{"op": "replace", "path": "/name", "value": "x"}])
    assert raised.value.status_code == 400
    assert raised.value.error.code == "JsonPatchInvalid"

    assert sandbox.client.get_digital_twin(twin_id)["temperature"] == 18.0


def test_update_unknown_digital_twin_raises_not_found(sandbox):
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.update_digital_twin(sandbox.twin_id("missing"), [{"op": "add", "path": "/name", "value": "x"}])
    assert raised.value.error.code == "DigitalTwinNotFound"


def test_delete_digital_twin_with_etag(sandbox, make_room):
    twin = make_room()
    twin_id, stale = twin["$dtId"], twin["$etag"]
    sandbox.client.update_digital_twin(twin_id, [{"op": "add", "path": "/name", "value": "changed"}])
    current = sandbox.client.get_digital_twin(twin_id)["$etag"]

    with pytest.raises(ResourceModifiedError) as raised:
        sandbox.client.delete_digital_twin(twin_id, etag=stale, match_condition=MatchConditions.IfNotModified)
    assert raised.value.status_code == 412
    assert sandbox.client.get_digital_twin(twin_id)["$dtId"] == twin_id

    assert sandbox.client.delete_digital_twin(twin_id, etag=current, match_condition=MatchConditions.IfNotModified) is None
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.get_digital_twin(twin_id)
    assert raised.value.error.code == "DigitalTwinNotFound"


def test_delete_digital_twin_unconditionally(sandbox, make_room):
    twin_id = make_room()["$dtId"]
    sandbox.client.delete_digital_twin(twin_id)
    with pytest.raises(ResourceNotFoundError):
        sandbox.client.get_digital_twin(twin_id)
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.delete_digital_twin(twin_id)
    assert raised.value.error.code == "DigitalTwinNotFound"
