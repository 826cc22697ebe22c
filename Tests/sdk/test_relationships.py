"""Relationships: upsert_relationship, get_relationship, update_relationship,
delete_relationship, list_relationships, list_incoming_relationships."""

from urllib.parse import urlparse

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.digitaltwins.core import IncomingRelationship


def contains(source_id, target_id, relationship_id, **properties):
    relationship = {
        "$relationshipId": relationship_id,
        "$sourceId": source_id,
        "$relationshipName": "contains",
        "$targetId": target_id,
    }
    relationship.update(properties)
    return relationship


def feeds(source_id, target_id, relationship_id):
    return {
        "$relationshipId": relationship_id,
        "$sourceId": source_id,
        "$relationshipName": "feeds",
        "$targetId": target_id,
    }


def test_upsert_and_get_relationship(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]

    created = sandbox.upsert_relationship(a, "r1", contains(a, b, "r1", since="2020"))
    assert created["$relationshipId"] == "r1"
    assert created["$sourceId"] == a
    assert created["$targetId"] == b
    assert created["$relationshipName"] == "contains"
    assert created["since"] == "2020"
    assert created["$etag"]

    assert sandbox.client.get_relationship(a, "r1") == created


def test_upsert_relationship_with_minimal_body(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]
    created = sandbox.upsert_relationship(a, "r1", {"$targetId": b, "$relationshipName": "contains"})
    assert created["$relationshipId"] == "r1"
    assert created["$sourceId"] == a
    assert created["$targetId"] == b


def test_ids_with_spaces_and_non_ascii_characters(sandbox, room_models):
    _, room_id = room_models
    a = sandbox.twin_id("Room 1: café")
    b = sandbox.twin_id("Room 2: naïve")
    for twin_id in (a, b):
        assert sandbox.upsert_twin(twin_id, {"$metadata": {"$model": room_id}, "thermostat": {"$metadata": {}}})["$dtId"] == twin_id
        assert sandbox.client.get_digital_twin(twin_id)["$dtId"] == twin_id

    rid = "contains room 2 → ü"
    assert sandbox.upsert_relationship(a, rid, contains(a, b, rid))["$relationshipId"] == rid
    assert sandbox.client.get_relationship(a, rid)["$targetId"] == b
    assert [r["$relationshipId"] for r in sandbox.client.list_relationships(a)] == [rid]
    incoming = list(sandbox.client.list_incoming_relationships(b))
    assert [(r.source_id, r.relationship_id) for r in incoming] == [(a, rid)]
    sandbox.client.update_component(a, "thermostat", [{"op": "add", "path": "/setpoint", "value": 1.0}])
    assert sandbox.client.get_component(a, "thermostat")["setpoint"] == 1.0


def test_upsert_relationship_round_trips_a_fetched_relationship(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]
    created = sandbox.upsert_relationship(a, "r1", contains(a, b, "r1", since="2020"))
    fetched = sandbox.client.get_relationship(a, "r1")
    fetched["since"] = "2024"
    replaced = sandbox.client.upsert_relationship(a, "r1", fetched)
    assert replaced["since"] == "2024"
    assert replaced["$etag"] != created["$etag"]


def test_upsert_relationship_if_missing(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]
    sandbox.upsert_relationship(a, "r1", contains(a, b, "r1", since="first"), match_condition=MatchConditions.IfMissing)

    with pytest.raises(ResourceExistsError) as raised:
        sandbox.client.upsert_relationship(
            a, "r1", contains(a, b, "r1", since="second"), match_condition=MatchConditions.IfMissing
        )
    assert raised.value.status_code == 412
    assert sandbox.client.get_relationship(a, "r1")["since"] == "first"


def test_upsert_relationship_replaces_existing(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]
    first = sandbox.upsert_relationship(a, "r1", contains(a, b, "r1", since="first"))
    second = sandbox.upsert_relationship(a, "r1", contains(a, b, "r1"))
    assert "since" not in second
    assert second["$etag"] != first["$etag"]


def test_upsert_relationship_errors(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]

    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.upsert_relationship(a, "r1", contains(a, sandbox.twin_id("missing"), "r1"))
    assert raised.value.error.code == "TargetDigitalTwinNotFound"

    missing_source = sandbox.twin_id("missing")
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.upsert_relationship(missing_source, "r1", contains(missing_source, b, "r1"))
    assert raised.value.error.code == "DigitalTwinNotFound"

    undeclared = contains(a, b, "r2")
    undeclared["$relationshipName"] = "noSuchRelationship"
    with pytest.raises(HttpResponseError) as raised:
        sandbox.upsert_relationship(a, "r2", undeclared)
    assert raised.value.status_code == 400
    # ADT documents both codes for a relationship that does not fit the model.
    assert raised.value.error.code in ("ValidationFailed", "InvalidRelationship")

    with pytest.raises(HttpResponseError) as raised:
        sandbox.upsert_relationship(a, "r3", contains(a, b, "r3", since=42))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "ValidationFailed"

    assert list(sandbox.client.list_relationships(a)) == []


def test_upsert_relationship_to_self_or_wrong_target_model_fails(sandbox, room_models):
    thermostat_id, room_id = room_models
    a = sandbox.twin_id("a")
    sandbox.upsert_twin(a, {"$metadata": {"$model": room_id}, "thermostat": {"$metadata": {}}})
    device = sandbox.twin_id("device")
    sandbox.upsert_twin(device, {"$metadata": {"$model": thermostat_id}})

    with pytest.raises(HttpResponseError) as raised:
        sandbox.upsert_relationship(a, "self", contains(a, a, "self"))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "OperationNotAllowed"

    # "contains" targets Rooms only; "feeds" has no target and accepts any twin.
    with pytest.raises(HttpResponseError) as raised:
        sandbox.upsert_relationship(a, "wrong", contains(a, device, "wrong"))
    assert raised.value.status_code == 400
    assert raised.value.error.code in ("ValidationFailed", "InvalidRelationship")
    assert sandbox.upsert_relationship(a, "any", feeds(a, device, "any"))["$targetId"] == device

    assert [r["$relationshipId"] for r in sandbox.client.list_relationships(a)] == ["any"]


def test_get_relationship_unknown_raises_not_found(sandbox, make_room):
    a = make_room("a")["$dtId"]
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.get_relationship(a, "missing")
    assert raised.value.error.code == "RelationshipNotFound"

    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.update_relationship(a, "missing", [{"op": "add", "path": "/since", "value": "x"}])
    assert raised.value.error.code == "RelationshipNotFound"

    missing = sandbox.twin_id("missing")
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.get_relationship(missing, "r1")
    assert raised.value.error.code == "DigitalTwinNotFound"
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.delete_relationship(missing, "r1")
    assert raised.value.error.code == "DigitalTwinNotFound"


def test_update_relationship(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]
    created = sandbox.upsert_relationship(a, "r1", contains(a, b, "r1", since="2020"))

    assert sandbox.client.update_relationship(a, "r1", [{"op": "replace", "path": "/since", "value": "2021"}]) is None
    fetched = sandbox.client.get_relationship(a, "r1")
    assert fetched["since"] == "2021"
    assert fetched["$etag"] != created["$etag"]

    with pytest.raises(HttpResponseError) as raised:
        sandbox.client.update_relationship(a, "r1", [{"op": "replace", "path": "/since", "value": 7}])
    assert raised.value.status_code == 400
    assert raised.value.error.code == "ValidationFailed"


def test_update_relationship_with_etag(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]
    etag = sandbox.upsert_relationship(a, "r1", contains(a, b, "r1", since="2020"))["$etag"]

    sandbox.client.update_relationship(
        a, "r1", [{"op": "replace", "path": "/since", "value": "2021"}],
        etag=etag, match_condition=MatchConditions.IfNotModified,
    )
    with pytest.raises(ResourceModifiedError) as raised:
        sandbox.client.update_relationship(
            a, "r1", [{"op": "replace", "path": "/since", "value": "2022"}],
            etag=etag, match_condition=MatchConditions.IfNotModified,
        )
    assert raised.value.status_code == 412
    assert raised.value.error.code == "PreconditionFailed"
    assert sandbox.client.get_relationship(a, "r1")["since"] == "2021"


def test_delete_relationship_with_etag(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]
    stale = sandbox.upsert_relationship(a, "r1", contains(a, b, "r1", since="2020"))["$etag"]
    sandbox.client.update_relationship(a, "r1", [{"op": "replace", "path": "/since", "value": "2021"}])
    current = sandbox.client.get_relationship(a, "r1")["$etag"]

    with pytest.raises(ResourceModifiedError):
        sandbox.client.delete_relationship(a, "r1", etag=stale, match_condition=MatchConditions.IfNotModified)
    assert sandbox.client.get_relationship(a, "r1")["$relationshipId"] == "r1"

    assert sandbox.client.delete_relationship(a, "r1", etag=current, match_condition=MatchConditions.IfNotModified) is None
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.get_relationship(a, "r1")
    assert raised.value.error.code == "RelationshipNotFound"
    with pytest.raises(ResourceNotFoundError):
        sandbox.client.delete_relationship(a, "r1")


def test_twin_with_relationships_cannot_be_deleted(sandbox, make_room):
    a, b = make_room("a")["$dtId"], make_room("b")["$dtId"]
    sandbox.upsert_relationship(a, "r1", contains(a, b, "r1"))

    for twin_id in (a, b):  # outgoing and incoming
        with pytest.raises(HttpResponseError) as raised:
            sandbox.client.delete_digital_twin(twin_id)
        assert raised.value.status_code == 400
        assert raised.value.error.code == "RelationshipsNotDeleted"
        assert sandbox.client.get_digital_twin(twin_id)["$dtId"] == twin_id


def test_list_relationships_pages_and_filters(sandbox, make_room):
    source = make_room("source")["$dtId"]
    targets = [make_room(f"target{i}")["$dtId"] for i in range(3)]
    expected = {}
    for i in range(4):
        rid = f"contains-{i:02d}"
        sandbox.upsert_relationship(source, rid, contains(source, targets[i % 3], rid))
        expected[rid] = "contains"
    for i in range(12):
        rid = f"feeds-{i:02d}"
        sandbox.upsert_relationship(source, rid, feeds(source, targets[i % 3], rid))
        expected[rid] = "feeds"

    pages = list(sandbox.client.list_relationships(source).by_page())
    assert len(pages) >= 2, "16 relationships should not fit on one page"
    listed = [r for page in pages for r in page]
    assert {r["$relationshipId"]: r["$relationshipName"] for r in listed} == expected
    assert len(listed) == len(expected)
    assert all(r["$sourceId"] == source and r["$targetId"] in targets for r in listed)

    # The filter holds on every page (the nextLink keeps it).
    feeds_pages = list(sandbox.client.list_relationships(source, relationship_id="feeds").by_page())
    assert len(feeds_pages) >= 2, "12 relationships should not fit on one page"
    only_feeds = [r for page in feeds_pages for r in page]
    assert sorted(r["$relationshipId"] for r in only_feeds) == [f"feeds-{i:02d}" for i in range(12)]

    only_contains = list(sandbox.client.list_relationships(source, relationship_id="contains"))
    assert sorted(r["$relationshipId"] for r in only_contains) == [f"contains-{i:02d}" for i in range(4)]
    assert list(sandbox.client.list_relationships(source, relationship_id="noSuchName")) == []

    assert list(sandbox.client.list_relationships(targets[0])) == []


def test_list_relationships_of_unknown_twin_raises_not_found(sandbox):
    with pytest.raises(ResourceNotFoundError) as raised:
        list(sandbox.client.list_relationships(sandbox.twin_id("missing")))
    assert raised.value.error.code == "DigitalTwinNotFound"


def test_list_incoming_relationships(sandbox, make_room):
    target = make_room("target")["$dtId"]
    sources = [make_room(f"source{i}")["$dtId"] for i in range(12)]
    for i, source in enumerate(sources):
        rid = f"in-{i:02d}"
        if i % 2:
            sandbox.upsert_relationship(source, rid, contains(source, target, rid))
        else:
            sandbox.upsert_relationship(source, rid, feeds(source, target, rid))

    incoming = list(sandbox.client.list_incoming_relationships(target))
    assert all(isinstance(r, IncomingRelationship) for r in incoming)
    assert sorted((r.source_id, r.relationship_id) for r in incoming) == sorted(
        (source, f"in-{i:02d}") for i, source in enumerate(sources)
    )
    by_id = {r.relationship_id: r for r in incoming}
    assert by_id["in-01"].relationship_name == "contains"
    assert by_id["in-00"].relationship_name == "feeds"
    link = urlparse(by_id["in-01"].relationship_link)
    assert link.scheme == "https"
    assert link.path == f"/digitaltwins/{sources[1]}/relationships/in-01"

    assert list(sandbox.client.list_incoming_relationships(sources[0])) == []


def test_list_incoming_relationships_of_unknown_twin_raises_not_found(sandbox):
    with pytest.raises(ResourceNotFoundError) as raised:
        list(sandbox.client.list_incoming_relationships(sandbox.twin_id("missing")))
    assert raised.value.error.code == "DigitalTwinNotFound"
