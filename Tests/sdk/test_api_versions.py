"""The SDK's calls under every api-version the service accepts (the SDK defaults to 2023-10-31)."""

import os

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.digitaltwins.core import DigitalTwinsClient

from conftest import DevCredential, room_twin


@pytest.mark.parametrize("api_version", ["2020-10-31", "2022-05-31", "2023-06-30", "2023-10-31"])
def test_twin_round_trip_per_api_version(sandbox, room_models, api_version):
    client = DigitalTwinsClient(
        os.environ["TWINS_SDK_ENDPOINT"], DevCredential(),
        connection_verify=os.environ["TWINS_SDK_CA"], api_version=api_version,
    )
    _, room_id = room_models
    assert client.get_model(room_id).id == room_id

    twin_id = sandbox.twin_id()
    sandbox.track_twin(twin_id)
    created = client.upsert_digital_twin(twin_id, room_twin(room_id, name="Versioned"))
    fetched = client.get_digital_twin(twin_id)
    assert fetched == created
    assert fetched["name"] == "Versioned"
    # The twin's own $lastUpdateTime exists from api-version 2022-05-31 on.
    assert ("$lastUpdateTime" in fetched["$metadata"]) == (api_version != "2020-10-31")

    client.delete_digital_twin(twin_id)
    with pytest.raises(ResourceNotFoundError):
        client.get_digital_twin(twin_id)
