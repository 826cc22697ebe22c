"""Models: create_models, get_model, list_models, decommission_model, delete_model."""

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.digitaltwins.core import DigitalTwinsModelData
from azure.digitaltwins.core._generated.models import DigitalTwinModelsListOptions

from conftest import room_model, room_twin, thermostat_model, unique


def test_create_models_returns_model_data_in_request_order(sandbox):
    models = [thermostat_model(sandbox), room_model(sandbox)]
    created = sandbox.create_models(models)

    assert [m.id for m in created] == [sandbox.model_id("Thermostat"), sandbox.model_id("Room")]
    assert all(isinstance(m, DigitalTwinsModelData) for m in created)
    room = created[1]
    assert room.display_name == {"en": "Room"}
    assert room.description == {"en": "A room for the SDK tests"}
    assert room.decommissioned is False
    assert room.upload_time is not None


def test_create_models_twice_raises_resource_exists(sandbox):
    sandbox.create_models([thermostat_model(sandbox)])

    with pytest.raises(ResourceExistsError) as raised:
        sandbox.client.create_models([thermostat_model(sandbox)])
    assert raised.value.status_code == 409
    assert raised.value.error.code == "ModelIdAlreadyExists"


def test_create_models_with_invalid_dtdl_raises_http_response_error(sandbox):
    broken = {
        "@id": sandbox.model_id("Broken"),
        "@type": "Interface",
        "@context": "dtmi:dtdl:context;3",
        "contents": [{"@type": "Property", "name": "x", "schema": "noSuchSchema"}],
    }
    with pytest.raises(HttpResponseError) as raised:
        sandbox.create_models([broken])
    assert raised.value.status_code == 400
    assert raised.value.error.code == "DTDLParserError"
    with pytest.raises(ResourceNotFoundError):
        sandbox.client.get_model(sandbox.model_id("Broken"))


def test_create_models_empty_raises_invalid_argument(client):
    with pytest.raises(HttpResponseError) as raised:
        client.create_models([])
    assert raised.value.status_code == 400
    assert raised.value.error.code == "InvalidArgument"


def test_create_models_with_missing_dependency_uploads_nothing(sandbox):
    # Room uses Thermostat as a component; without it the batch fails as a whole.
    with pytest.raises(HttpResponseError) as raised:
        sandbox.create_models([room_model(sandbox)])
    assert raised.value.status_code == 400
    assert raised.value.error.code == "DTDLParserError"
    with pytest.raises(ResourceNotFoundError):
        sandbox.client.get_model(sandbox.model_id("Room"))


def as_returned(model):
    """A definition as ADT returns it: as uploaded, with a single `@context` as an array."""
    returned = dict(model)
    if isinstance(returned.get("@context"), str):
        returned["@context"] = [returned["@context"]]
    return returned


def test_get_model_without_and_with_definition(sandbox, room_models):
    _, room_id = room_models

    plain = sandbox.client.get_model(room_id)
    assert plain.id == room_id
    assert plain.model is None

    full = sandbox.client.get_model(room_id, include_model_definition=True)
    assert full.id == room_id
    assert full.model == as_returned(room_model(sandbox))
    assert full.model["@context"] == ["dtmi:dtdl:context;3"]


def test_get_model_unknown_raises_not_found(client):
    with pytest.raises(ResourceNotFoundError) as raised:
        client.get_model(f"dtmi:sdktest:{unique()}:Missing;1")
    assert raised.value.status_code == 404
    assert raised.value.error.code == "ModelNotFound"


def test_get_model_malformed_id_raises_http_response_error(client):
    with pytest.raises(HttpResponseError) as raised:
        client.get_model("not-a-dtmi")
    assert raised.value.status_code == 400
    assert raised.value.error.code == "InvalidArgument"


def test_list_models_contains_uploaded_models(sandbox, room_models):
    listed = {m.id: m for m in sandbox.client.list_models()}
    for model_id in room_models:
        assert model_id in listed
        assert listed[model_id].model is None


def test_list_models_include_model_definition(sandbox, room_models):
    listed = {m.id: m for m in sandbox.client.list_models(include_model_definition=True)}
    assert listed[room_models[0]].model == as_returned(thermostat_model(sandbox))
    assert listed[room_models[1]].model == as_returned(room_model(sandbox))


def test_list_models_dependencies_for(sandbox, room_models):
    thermostat_id, room_id = room_models
    unrelated = {
        "@id": sandbox.model_id("Unrelated"),
        "@type": "Interface",
        "@context": "dtmi:dtdl:context;3",
    }
    sandbox.create_models([unrelated])

    ids = {m.id for m in sandbox.client.list_models(dependencies_for=[room_id])}
    assert ids == {room_id, thermostat_id}

    ids = {m.id for m in sandbox.client.list_models(dependencies_for=[thermostat_id])}
    assert ids == {thermostat_id}

    # Several ids go as repeated dependenciesFor parameters.
    ids = {m.id for m in sandbox.client.list_models(dependencies_for=[thermostat_id, unrelated["@id"]])}
    assert ids == {thermostat_id, unrelated["@id"]}

    with_definitions = list(sandbox.client.list_models(dependencies_for=[room_id], include_model_definition=True))
    assert all(m.model is not None for m in with_definitions)


def test_list_models_dependencies_for_unknown_raises_not_found(client):
    with pytest.raises(ResourceNotFoundError) as raised:
        list(client.list_models(dependencies_for=[f"dtmi:sdktest:{unique()}:Missing;1"]))
    assert raised.value.error.code == "ModelNotFound"


def test_list_models_pages_with_max_items_per_page(sandbox):
    models = [
        {"@id": sandbox.model_id(f"Paged{i}"), "@type": "Interface", "@context": "dtmi:dtdl:context;3"}
        for i in range(5)
    ]
    sandbox.create_models(models)
    wanted = [m["@id"] for m in models]

    pages = list(
        sandbox.client.list_models(
            digital_twin_models_list_options=DigitalTwinModelsListOptions(max_items_per_page=2)
        ).by_page()
    )
    page_items = [[m.id for m in page] for page in pages]
    # The SDK sends max-items-per-page with the first request only; later pages follow nextLink.
    assert len(page_items[0]) == 2
    assert len(page_items) >= 2
    seen = [model_id for items in page_items for model_id in items]
    assert len(seen) == len(set(seen)), "a model appeared on two pages"
    # Upload order is kept, so the batch shows in order.
    assert [model_id for model_id in seen if model_id in wanted] == wanted

    # The nextLink keeps includeModelDefinition and dependenciesFor.
    pages = list(
        sandbox.client.list_models(
            dependencies_for=wanted,
            include_model_definition=True,
            digital_twin_models_list_options=DigitalTwinModelsListOptions(max_items_per_page=2),
        ).by_page()
    )
    listed = [m for page in pages for m in page]
    assert len(pages) >= 2
    assert [m.id for m in listed] == wanted
    assert [m.model for m in listed] == [as_returned(m) for m in models]


def test_decommission_model(sandbox, room_models):
    _, room_id = room_models
    twin_id = sandbox.twin_id("before")
    sandbox.upsert_twin(twin_id, room_twin(room_id))

    assert sandbox.client.decommission_model(room_id) is None
    assert sandbox.client.get_model(room_id).decommissioned is True
    listed = {m.id: m for m in sandbox.client.list_models(dependencies_for=[room_id])}
    assert listed[room_id].decommissioned is True

    # New twins of a decommissioned model are refused; existing ones stay usable.
    with pytest.raises(HttpResponseError) as raised:
        sandbox.upsert_twin(sandbox.twin_id("after"), room_twin(room_id))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "ModelDecommissioned"
    sandbox.client.update_digital_twin(twin_id, [{"op": "add", "path": "/name", "value": "still here"}])
    assert sandbox.client.get_digital_twin(twin_id)["name"] == "still here"


def test_decommission_unknown_model_raises_not_found(client):
    with pytest.raises(ResourceNotFoundError) as raised:
        client.decommission_model(f"dtmi:sdktest:{unique()}:Missing;1")
    assert raised.value.error.code == "ModelNotFound"


def test_delete_model(sandbox):
    model = thermostat_model(sandbox)
    sandbox.create_models([model])

    assert sandbox.client.delete_model(model["@id"]) is None
    with pytest.raises(ResourceNotFoundError):
        sandbox.client.get_model(model["@id"])
    with pytest.raises(ResourceNotFoundError) as raised:
        sandbox.client.delete_model(model["@id"])
    assert raised.value.error.code == "ModelNotFound"

    # The id can be used again.
    assert [m.id for m in sandbox.create_models([model])] == [model["@id"]]


def test_delete_model_in_use_by_twins(sandbox):
    model = thermostat_model(sandbox)
    sandbox.create_models([model])
    twin_id = sandbox.twin_id("device")
    sandbox.upsert_twin(twin_id, {"$metadata": {"$model": model["@id"]}, "setpoint": 20.0})

    # Twins do not keep their model from being deleted; they stay readable.
    sandbox.client.delete_model(model["@id"])
    with pytest.raises(ResourceNotFoundError):
        sandbox.client.get_model(model["@id"])
    twin = sandbox.client.get_digital_twin(twin_id)
    assert twin["$metadata"]["$model"] == model["@id"]
    assert twin["setpoint"] == 20.0


def test_delete_model_used_by_another_raises_resource_exists(sandbox, room_models):
    thermostat_id, _ = room_models
    with pytest.raises(ResourceExistsError) as raised:
        sandbox.client.delete_model(thermostat_id)
    assert raised.value.status_code == 409
    assert raised.value.error.code == "ModelReferencesNotDeleted"
    assert sandbox.client.get_model(thermostat_id).id == thermostat_id
