"""Event routes: upsert_event_route, get_event_route, list_event_routes, delete_event_route."""

import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.digitaltwins.core import DigitalTwinsEventRoute
from azure.digitaltwins.core._generated.models import EventRoutesListOptions


@pytest.fixture
def routes(client):
    """Route ids made by a test, deleted after it (the instance holds at most 6)."""
    made = []
    yield made
    for route_id in made:
        try:
            client.delete_event_route(route_id)
        except ResourceNotFoundError:
            pass


def new_id(routes):
    route_id = "route-" + uuid.uuid4().hex[:12]
    routes.append(route_id)
    return route_id


def test_upsert_get_list_delete(client, routes):
    route_id = new_id(routes)
    route = DigitalTwinsEventRoute(endpoint_name="sdk-webhook", filter="type = 'Microsoft.DigitalTwins.Twin.Create'")
    assert client.upsert_event_route(route_id, route) is None
    got = client.get_event_route(route_id)
    assert got.id == route_id
    assert got.endpoint_name == "sdk-webhook"
    assert got.filter == "type = 'Microsoft.DigitalTwins.Twin.Create'"
    client.upsert_event_route(route_id, DigitalTwinsEventRoute(endpoint_name="sdk-mqtt", filter="true"))
    assert client.get_event_route(route_id).endpoint_name == "sdk-mqtt"
    listed = {r.id: r for r in client.list_event_routes()}
    assert listed[route_id].filter == "true"
    client.delete_event_route(route_id)
    with pytest.raises(ResourceNotFoundError) as raised:
        client.get_event_route(route_id)
    assert raised.value.error.code == "EventRouteNotFound"


def test_list_pages_with_max_items_per_page(client, routes):
    ids = sorted(new_id(routes) for _ in range(3))
    for route_id in ids:
        client.upsert_event_route(route_id, DigitalTwinsEventRoute(endpoint_name="sdk-webhook", filter="true"))
    # The client's results_per_page passes an argument the transport refuses (in the SDK); the
    # generated options object sends max-items-per-page as ADT defines it.
    pages = [
        list(page)
        for page in client.list_event_routes(
            event_routes_list_options=EventRoutesListOptions(max_items_per_page=2)
        ).by_page()
    ]
    assert len(pages[0]) == 2
    assert len(pages) >= 2
    listed = [r.id for page in pages for r in page]
    assert [i for i in listed if i in ids] == ids


def test_malformed_filter_raises_filter_invalid(client, routes):
    with pytest.raises(HttpResponseError) as raised:
        client.upsert_event_route(
            new_id(routes), DigitalTwinsEventRoute(endpoint_name="sdk-webhook", filter="this is not a valid filter"))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "EventRouteFilterInvalid"
    assert "Line=1, Position=6" in raised.value.error.message


def test_unknown_endpoint_raises_endpoint_invalid(client, routes):
    with pytest.raises(HttpResponseError) as raised:
        client.upsert_event_route(new_id(routes), DigitalTwinsEventRoute(endpoint_name="nowhere", filter="true"))
    assert raised.value.status_code == 400
    assert raised.value.error.code == "EventRouteEndpointInvalid"


def test_delete_unknown_route_raises_not_found(client):
    with pytest.raises(ResourceNotFoundError) as raised:
        client.delete_event_route("route-" + uuid.uuid4().hex)
    assert raised.value.error.code == "EventRouteNotFound"
