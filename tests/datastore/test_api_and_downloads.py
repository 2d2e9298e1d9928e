"""/api/v1/catalog/datastore/ and the CSV/JSON downloads of query results."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.datastore.contracts import LoadState
from cityhall.datastore.models import LoadJob
from tests.datastore.conftest import AIR_CSV, FakeCatalog

pytestmark = pytest.mark.django_db

API = "/api/v1/catalog/datastore"


def test_search_through_the_api(loaded: Callable[..., uuid.UUID], client: Client) -> None:
    resource_id = loaded(AIR_CSV)

    response = client.get(
        f"{API}/{resource_id}/search",
        {"filters": '{"district": "North"}', "sort": "station desc", "fields": "station,pm25", "limit": 1},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["records"] == [{"station": "AB003", "pm25": None}]
    assert body["total"] == 2 and body["limit"] == 1 and body["offset"] == 0
    assert body["fields"] == [{"id": "station", "type": "text"}, {"id": "pm25", "type": "numeric"}]
    assert body["download_csv"].startswith(f"/data/datastore/{resource_id}/download.csv?")


def test_a_bad_search_parameter_answers_400_naming_it(
    loaded: Callable[..., uuid.UUID], client: Client
) -> None:
    resource_id = loaded(AIR_CSV)

    response = client.get(f"{API}/{resource_id}/search", {"sort": "password"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_query" and error["fields"][0]["location"] == "query.sort"


def test_sql_through_the_api(loaded: Callable[..., uuid.UUID], client: Client) -> None:
    resource_id = loaded(AIR_CSV)

    good = client.get(f"{API}/sql", {"sql": f'SELECT COUNT(*) AS n FROM "{resource_id}"'})
    attack = client.get(f"{API}/sql", {"sql": "SELECT * FROM accounts_user"})
    chained = client.get(f"{API}/sql", {"sql": f'SELECT 1 FROM "{resource_id}"; DROP TABLE x'})

    assert good.json() == {
        "fields": [{"id": "n", "type": "int"}],
        "records": [{"n": 4}],
        "records_truncated": False,
    }
    assert attack.status_code == 403
    assert chained.status_code == 400 and "one statement" in chained.json()["error"]["message"]


def test_table_info_and_load_status(loaded: Callable[..., uuid.UUID], client: Client) -> None:
    resource_id = loaded(AIR_CSV)

    info = client.get(f"{API}/{resource_id}").json()
    status = client.get(f"{API}/{resource_id}/status").json()

    assert info["row_count"] == 4 and info["fields"][0] == {"id": "_id", "type": "int"}
    assert status["state"] == "done" and status["percent"] == 100 and status["rows_total"] == 4


def test_a_failed_load_shows_its_problems_in_the_status(
    catalog: FakeCatalog, load: Callable[..., LoadJob], client: Client
) -> None:
    resource_id = catalog.add(b"id,name\n1,a\n2,b,c\n")
    load(resource_id)

    status = client.get(f"{API}/{resource_id}/status").json()

    assert status["state"] == "failed" and status["datastore_active"] is False
    assert status["errors"][0]["row"] == 3


def test_private_tables_are_hidden_from_others(
    loaded: Callable[..., uuid.UUID], client: Client, api_client: Callable[..., Client], publisher: Any
) -> None:
    resource_id = loaded(AIR_CSV, public=False)

    assert client.get(f"{API}/{resource_id}/search").status_code == 404
    assert client.get(f"/data/datastore/{resource_id}/download.csv").status_code == 404
    assert api_client(publisher).get(f"{API}/{resource_id}/search").json()["total"] == 4


def test_loading_through_the_api_needs_edit_rights(
    catalog: FakeCatalog, api_client: Callable[..., Client], publisher: Any, make_user: Callable[..., Any]
) -> None:
    resource_id = catalog.add(AIR_CSV)

    denied = api_client(make_user()).post(f"{API}/{resource_id}/load")
    accepted = api_client(publisher).post(f"{API}/{resource_id}/load")

    assert denied.status_code == 403
    assert accepted.status_code == 202 and accepted.json()["state"] == LoadState.QUEUED
    assert Client().post(f"{API}/{resource_id}/load").status_code == 401


def test_csv_download_defuses_formulas_but_keeps_numbers(
    loaded: Callable[..., uuid.UUID], client: Client
) -> None:
    resource_id = loaded(b"name,delta,note\n=1+1,-5,@SUM(A1)\nplain,3,-text\n")

    response = client.get(f"/data/datastore/{resource_id}/download.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows == [
        ["_id", "name", "delta", "note"],
        ["1", "'=1+1", "-5", "'@SUM(A1)"],
        ["2", "plain", "3", "'-text"],
    ]


def test_downloads_take_the_search_parameters(loaded: Callable[..., uuid.UUID], client: Client) -> None:
    resource_id = loaded(AIR_CSV)

    csv_response = client.get(
        f"/data/datastore/{resource_id}/download.csv",
        {"filters": '{"district": "North"}', "fields": "station", "bom": "true"},
    )
    json_response = client.get(f"/data/datastore/{resource_id}/download.json", {"q": "windy"})

    text = b"".join(csv_response.streaming_content).decode()  # type: ignore[attr-defined]
    assert text == "\ufeffstation\r\nAB001\r\nAB003\r\n"
    body = json.loads(b"".join(json_response.streaming_content))  # type: ignore[attr-defined]
    assert [r["station"] for r in body["records"]] == ["AB003"]
    assert body["fields"][0] == {"id": "_id", "type": "int"}


def test_a_download_larger_than_one_batch_streams_every_row(
    loaded: Callable[..., uuid.UUID], client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cityhall.datastore import query

    lines = "\n".join(["n,label", *[f"{i},row {i}" for i in range(1, 26)]]) + "\n"
    resource_id = loaded(lines.encode())
    original = query.iter_rows
    monkeypatch.setattr(query, "iter_rows", lambda *a, **k: original(*a, **{**k, "batch": 4}))

    unsorted = client.get(f"/data/datastore/{resource_id}/download.json")
    ordered = client.get(f"/data/datastore/{resource_id}/download.json", {"sort": "n desc", "offset": "2"})

    assert [r["n"] for r in json.loads(b"".join(unsorted.streaming_content))["records"]] == list(range(1, 26))  # type: ignore[attr-defined]
    assert [r["n"] for r in json.loads(b"".join(ordered.streaming_content))["records"]] == list(
        range(23, 0, -1)
    )  # type: ignore[attr-defined]


def test_a_bad_download_parameter_answers_400(loaded: Callable[..., uuid.UUID], client: Client) -> None:
    resource_id = loaded(AIR_CSV)

    response = client.get(f"/data/datastore/{resource_id}/download.csv", {"filters": '{"nope": 1}'})

    assert response.status_code == 400
    assert client.get(f"/data/datastore/{resource_id}/download.xml").status_code == 404


def test_the_table_page_shows_status_and_first_rows(loaded: Callable[..., uuid.UUID], client: Client) -> None:
    resource_id = loaded(AIR_CSV)

    page = client.get(f"/data/datastore/{resource_id}/").content.decode()

    assert "AB004" in page and "4 rows can be searched" in page
    assert 'http-equiv="refresh"' not in page


def test_the_table_page_refreshes_itself_while_loading(catalog: FakeCatalog, client: Client) -> None:
    from cityhall.datastore import services

    resource_id = catalog.add(AIR_CSV)
    services.datastore_load(resource_id=resource_id, actor=None)

    page = client.get(f"/data/datastore/{resource_id}/").content.decode()

    assert "Waiting to load" in page and 'http-equiv="refresh"' in page


def test_the_staff_page_lists_the_loads_a_publisher_may_edit(
    catalog: FakeCatalog,
    load: Callable[..., LoadJob],
    publisher: Any,
    make_user: Callable[..., Any],
    signed_in_client: Callable[..., Client],
) -> None:
    from cityhall.accounts.contracts import Role

    mine = catalog.add(b"id,name\n1,a\n2,b,c\n")
    load(mine)
    other_publisher = make_user(Role.DATA_PUBLISHER)
    theirs = catalog.add(AIR_CSV, editors={other_publisher.pk})
    load(theirs)

    page = signed_in_client(publisher).get("/staff/datastore/")

    assert page.status_code == 200
    text = page.content.decode()
    assert str(mine) in text and str(theirs) not in text
    assert "extra value" in text
    assert str(mine) not in signed_in_client(other_publisher).get("/staff/datastore/").content.decode()
    assert signed_in_client(make_user()).get("/staff/datastore/").status_code == 403
    assert Client().get("/staff/datastore/").status_code == 302
