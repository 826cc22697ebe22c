"""Azure Identity (MSAL) against the gateway's development issuer: ClientSecretCredential with the
issuer as its authority obtains tokens as from Azure AD, and the SDK works with that credential,
roles enforced as ADT's."""

import os

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.digitaltwins.core import DigitalTwinsClient
from azure.identity import ClientSecretCredential

from conftest import unique


def secured():
    endpoint = os.environ.get("TWINS_SDK_SECURED_ENDPOINT")
    if not endpoint:
        pytest.fail("TWINS_SDK_SECURED_ENDPOINT must be set (scripts/sdk-tests.sh sets it)")
    return endpoint, os.environ["TWINS_SDK_CA"]


def credential(client_id, secret):
    endpoint, ca = secured()
    # As against a sovereign or private Azure AD: another authority, no instance discovery.
    return ClientSecretCredential(
        "sdk-tenant", client_id, secret, authority=endpoint + "/dev-issuer", disable_instance_discovery=True,
        connection_verify=ca)


def test_a_token_from_the_issuer_works_with_the_sdk():
    endpoint, ca = secured()
    owner = credential("sdk-owner", "sdk-owner-secret")
    token = owner.get_token("https://digitaltwins.azure.net/.default")
    assert token.token.count(".") == 2 and token.expires_on > 0
    client = DigitalTwinsClient(endpoint, owner, connection_verify=ca)
    model_id = f"dtmi:sdktest:{unique('id')}:Room;1"
    client.create_models([{"@context": "dtmi:dtdl:context;3", "@id": model_id, "@type": "Interface",
                           "contents": [{"@type": "Property", "name": "temperature", "schema": "double"}]}])
    twin_id = unique("room")
    try:
        created = client.upsert_digital_twin(twin_id, {"$metadata": {"$model": model_id}, "temperature": 21.5})
        assert created["$dtId"] == twin_id
        assert client.get_digital_twin(twin_id)["temperature"] == 21.5
        # A reader reads, and may not write (403, as ADT answers without the Data Owner role).
        reader = DigitalTwinsClient(endpoint, credential("sdk-reader", "sdk-reader-secret"), connection_verify=ca)
        assert reader.get_digital_twin(twin_id)["$dtId"] == twin_id
        with pytest.raises(HttpResponseError) as refused:
            reader.update_digital_twin(twin_id, [{"op": "replace", "path": "/temperature", "value": 1}])
        assert refused.value.status_code == 403
    finally:
        client.delete_digital_twin(twin_id)
        client.delete_model(model_id)


def test_a_wrong_secret_gets_no_token():
    with pytest.raises(ClientAuthenticationError) as failed:
        credential("sdk-owner", "not-the-secret").get_token("https://digitaltwins.azure.net/.default")
    assert "invalid_client" in str(failed.value) or "AADSTS7000215" in str(failed.value)
