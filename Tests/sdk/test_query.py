"""Query: query_twins with paging, projections, JOIN, COUNT and the error types."""

import pytest
from azure.core.exceptions import HttpResponseError
from azure.digitaltwins.core._generated.models import QueryTwinsOptions

from conftest import room_twin


def _rooms(sandbox, room_id, count):
    ids = []
    for i in range(count):
        twin_id = sandbox.twin_id(f"q{i}")
        sandbox.upsert_twin(twin_id, room_twin(room_id, name=f"room {i}", temperature=float(i)))
        ids.append(twin_id)
    return ids


def test_query_twins_pages_through_every_row(sandbox, room_models):
    _, room_id = room_models
    ids = _rooms(sandbox, room_id, 7)

    # The SDK's own paging: it sends the query with each continuation token.
    pages = sandbox.client.query_twins(
        f"SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('{room_id}')",
        query_twins_options=QueryTwinsOptions(max_items_per_page=3),
    ).by_page()
    sizes = []
    rows = []
    for page in pages:
        page = list(page)
        sizes.append(len(page))
        rows.extend(page)
    assert sizes == [3, 3, 1]
    assert sorted(r["$dtId"] for r in rows) == sorted(ids)
    assert all(r["$metadata"]["$model"] == room_id for r in rows)


def test_query_twins_projection_filter_and_count(sandbox, room_models):
    _, room_id = room_models
    _rooms(sandbox, room_id, 4)

    warm = list(sandbox.client.query_twins(
        f"SELECT T.name, T.temperature AS t FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '{room_id}') AND T.temperature >= 2"
    ))
    assert sorted(warm, key=lambda r: r["t"]) == [{"name": "room 2", "t": 2.0}, {"name": "room 3", "t": 3.0}]

    count = list(sandbox.client.query_twins(f"SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('{room_id}')"))
    assert count == [{"COUNT": 4}]


def test_query_twins_join(sandbox, room_models):
    _, room_id = room_models
    a, b = _rooms(sandbox, room_id, 2)
    sandbox.upsert_relationship(a, "r1", {"$targetId": b, "$relationshipName": "contains", "since": "2024"})

    rows = list(sandbox.client.query_twins(
        f"SELECT A, B, R FROM DIGITALTWINS A JOIN B RELATED A.contains R WHERE A.$dtId = '{a}'"
    ))
    assert len(rows) == 1
    assert rows[0]["A"]["$dtId"] == a and rows[0]["B"]["$dtId"] == b
    assert rows[0]["R"]["since"] == "2024"


def test_query_twins_invalid_query_raises_sql_query_error(client):
    with pytest.raises(HttpResponseError) as error:
        list(client.query_twins("SELEC * FROM DIGITALTWINS"))
    assert error.value.error.code == "SqlQueryError"
