"""Shared fixtures: a DigitalTwinsClient on the gateway, unique ids, and models and twins that
are removed again after each test."""

import os
import time
import uuid

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.digitaltwins.core import DigitalTwinsClient


class DevCredential:
    """A token credential for a gateway without authentication: any bearer token will do."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("dev-token", int(time.time()) + 3600)


@pytest.fixture(scope="session")
def client():
    endpoint = os.environ.get("TWINS_SDK_ENDPOINT")
    ca_file = os.environ.get("TWINS_SDK_CA")
    if not endpoint or not ca_file:
        pytest.fail("TWINS_SDK_ENDPOINT and TWINS_SDK_CA must be set (scripts/sdk-tests.sh sets them)")
    yield DigitalTwinsClient(endpoint, DevCredential(), connection_verify=ca_file)


def unique(prefix="t"):
    """An id fragment no other test uses; starts with a letter, so it fits in a DTMI segment."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


class Sandbox:
    """Creates models, twins and relationships for one test and deletes them afterwards,
    relationships first, then twins, then models (dependents before what they use)."""

    def __init__(self, client):
        self.client = client
        self.suffix = unique("x")
        self.models = []
        self.twins = []
        self.relationships = []

    def model_id(self, name):
        return f"dtmi:sdktest:{self.suffix}:{name};1"

    def twin_id(self, name="twin"):
        return f"{name}-{self.suffix}-{uuid.uuid4().hex[:6]}"

    def create_models(self, models):
        created = self.client.create_models(models)
        self.models.extend(m["@id"] for m in models)
        return created

    def track_twin(self, twin_id):
        self.twins.append(twin_id)

    def upsert_twin(self, twin_id, twin, **kwargs):
        result = self.client.upsert_digital_twin(twin_id, twin, **kwargs)
        self.track_twin(twin_id)
        return result

    def upsert_relationship(self, source_id, relationship_id, relationship, **kwargs):
        result = self.client.upsert_relationship(source_id, relationship_id, relationship, **kwargs)
        self.relationships.append((source_id, relationship_id))
        return result

    def cleanup(self):
        for source_id, relationship_id in reversed(self.relationships):
            _ignore_errors(self.client.delete_relationship, source_id, relationship_id)
        for twin_id in reversed(self.twins):
            _ignore_errors(self.client.delete_digital_twin, twin_id)
        for model_id in reversed(self.models):
            _ignore_errors(self.client.delete_model, model_id)


def _ignore_errors(call, *args):
    try:
        call(*args)
    except HttpResponseError:
        pass


@pytest.fixture
def sandbox(client):
    box = Sandbox(client)
    yield box
    box.cleanup()


# DTDL models used by most tests: a Room with a Thermostat component and two relationships.

def thermostat_model(box):
    return {
        "@id": box.model_id("Thermostat"),
        "@type": "Interface",
        "@context": "dtmi:dtdl:context;3",
        "displayName": "Thermostat",
        "contents": [
            {"@type": "Property", "name": "setpoint", "schema": "double", "writable": True},
            {"@type": "Telemetry", "name": "reading", "schema": "double"},
        ],
    }


def room_model(box):
    return {
        "@id": box.model_id("Room"),
        "@type": "Interface",
        "@context": "dtmi:dtdl:context;3",
        "displayName": "Room",
        "description": "A room for the SDK tests",
        "contents": [
            {"@type": "Property", "name": "name", "schema": "string", "writable": True},
            {"@type": "Property", "name": "temperature", "schema": "double", "writable": True},
            {"@type": "Telemetry", "name": "humidity", "schema": "double"},
            {"@type": "Component", "name": "thermostat", "schema": box.model_id("Thermostat")},
            {
                "@type": "Relationship",
                "name": "contains",
                "target": box.model_id("Room"),
                "properties": [{"@type": "Property", "name": "since", "schema": "string", "writable": True}],
            },
            {"@type": "Relationship", "name": "feeds"},
        ],
    }


@pytest.fixture
def room_models(sandbox):
    """Uploads Thermostat and Room; returns (thermostat id, room id)."""
    sandbox.create_models([thermostat_model(sandbox), room_model(sandbox)])
    return sandbox.model_id("Thermostat"), sandbox.model_id("Room")


def room_twin(room_model_id, **properties):
    twin = {
        "$metadata": {"$model": room_model_id},
        "thermostat": {"$metadata": {}},
    }
    twin.update(properties)
    return twin


@pytest.fixture
def make_room(sandbox, room_models):
    """Creates a Room twin (tracked for cleanup) and returns it as the gateway answered."""

    def make(id_prefix="room", /, **properties):
        twin_id = sandbox.twin_id(id_prefix)
        return sandbox.upsert_twin(twin_id, room_twin(room_models[1], **properties))

    return make
