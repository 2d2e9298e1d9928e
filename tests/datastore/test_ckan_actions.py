"""datastore_search, datastore_info, create/upsert/delete as CKAN answers them (through the facade)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from cityhall.catalog.contracts import CkanActionError
from cityhall.datastore import facade
from tests.datastore.conftest import AIR_CSV, FakeCatalog

pytestmark = pytest.mark.django_db


def search(resource_id: uuid.UUID, user: Any = None, **data: Any) -> dict[str, Any]:
    return facade.ckan_datastore_action("datastore_search", {"resource_id": str(resource_id), **data}, user)


def test_search_returns_ckans_result_object(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    result = search(resource_id)

    assert result["resource_id"] == str(resource_id)
    assert result["fields"][0] == {"id": "_id", "type": "int"}
    assert {"id": "pm25", "type": "numeric"} in result["fields"]
    assert result["total"] == 4 and result["total_was_estimated"] is False
    assert result["limit"] == 100 and result["records_format"] == "objects"
    assert result["records"][0] == {
        "_id": 1,
        "station": "AB001",
        "measured_at": "2024-01-01T10:00:00",
        "pm25": 12.5,
        "count": 3,
        "ok": True,
        "district": "North",
        "note": "calm, dry",
    }
    assert result["_links"] == {
        "start": f"/api/3/action/datastore_search?resource_id={resource_id}",
        "next": f"/api/3/action/datastore_search?offset=100&resource_id={resource_id}",
    }


def test_filters_accept_one_value_or_a_list_and_are_echoed(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    one = search(resource_id, filters={"district": "North"})
    several = search(resource_id, filters='{"district": ["South", "East"], "ok": "false"}')

    assert [r["station"] for r in one["records"]] == ["AB001", "AB003"]
    assert one["filters"] == {"district": "North"} and one["total"] == 2
    assert [r["station"] for r in several["records"]] == ["AB002", "AB004"]


def test_range_filters_give_keyset_paging_on_id(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    page = search(resource_id, filters={"_id": {"gt": 2}}, sort="_id asc", limit="1")

    assert [r["_id"] for r in page["records"]] == [3]
    assert page["total"] == 2 and page["limit"] == 1


def test_q_searches_text_in_every_column_or_one(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    assert [r["station"] for r in search(resource_id, q="windy")["records"]] == ["AB003"]
    assert [r["station"] for r in search(resource_id, q="NORTH")["records"]] == ["AB001", "AB003"]
    assert [r["station"] for r in search(resource_id, q={"note": "calm"})["records"]] == ["AB001"]
    assert search(resource_id, q="100%")["total"] == 0


def test_sort_fields_limit_offset_and_total(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    result = search(
        resource_id, sort="pm25 desc nulls last, station", fields="station,pm25", limit=2, offset=1
    )

    assert result["fields"] == [{"id": "station", "type": "text"}, {"id": "pm25", "type": "numeric"}]
    assert result["records"] == [{"station": "AB001", "pm25": 12.5}, {"station": "AB004", "pm25": 8}]
    assert result["offset"] == 1 and result["sort"] == "pm25 desc nulls last, station"
    assert result["total"] == 4
    assert "total" not in search(resource_id, include_total="false")


def test_lists_format_and_limit_cap(loaded: Callable[..., uuid.UUID], settings: Any) -> None:
    resource_id = loaded(AIR_CSV)
    settings.DATASTORE_ROWS_MAX = 2

    result = search(resource_id, records_format="lists", fields=["_id", "station"], limit=1000)

    assert result["records"] == [[1, "AB001"], [2, "AB002"]]
    assert result["limit"] == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"filters": {"nope": 1}}, "filters"),
        ({"filters": {"count": "many"}}, "filters"),
        ({"filters": "{not json"}, "filters"),
        ({"sort": "station; drop table x"}, "sort"),
        ({"sort": "secret desc"}, "sort"),
        ({"fields": ["station", "password"]}, "fields"),
        ({"limit": "-1"}, "limit"),
        ({"offset": "ten"}, "offset"),
        ({"q": {"nope": "x"}}, "q"),
        ({"records_format": "xml"}, "records_format"),
    ],
)
def test_bad_parameters_are_a_validation_error_naming_the_parameter(
    loaded: Callable[..., uuid.UUID], data: dict[str, Any], field: str
) -> None:
    resource_id = loaded(AIR_CSV)

    with pytest.raises(CkanActionError) as caught:
        search(resource_id, **data)

    assert caught.value.error_type == "Validation Error" and caught.value.status == 409
    assert list(caught.value.fields) == [field]
    assert isinstance(caught.value.fields[field], list)


def test_an_unknown_resource_is_not_found_and_a_missing_id_is_a_validation_error() -> None:
    with pytest.raises(CkanActionError) as caught:
        facade.ckan_datastore_action("datastore_search", {"resource_id": str(uuid.uuid4())}, None)
    assert caught.value.error_type == "Not Found Error" and caught.value.status == 404
    assert caught.value.message.startswith("Not found: ")

    with pytest.raises(CkanActionError) as missing:
        facade.ckan_datastore_action("datastore_search", {}, None)
    assert missing.value.fields == {"resource_id": ["Missing value"]}


def test_a_private_resource_is_readable_only_by_those_the_catalog_allows(
    loaded: Callable[..., uuid.UUID], publisher: Any, make_user: Callable[..., Any]
) -> None:
    resource_id = loaded(AIR_CSV, public=False)

    with pytest.raises(CkanActionError) as anonymous:
        search(resource_id)
    with pytest.raises(CkanActionError) as resident:
        search(resource_id, make_user())

    assert anonymous.value.error_type == resident.value.error_type == "Authorization Error"
    assert anonymous.value.status == 403
    assert search(resource_id, publisher)["total"] == 4


def test_datastore_info_describes_the_table(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    info = facade.ckan_datastore_action("datastore_info", {"id": str(resource_id)}, None)

    assert info["meta"]["count"] == 4 and info["meta"]["id"] == str(resource_id)
    assert info["fields"][0]["id"] == "station" and "native_type" in info["fields"][0]["schema"]


def test_create_upsert_and_delete_with_edit_rights(catalog: FakeCatalog, publisher: Any) -> None:
    resource_id = catalog.add(None)
    rid = str(resource_id)

    created = facade.ckan_datastore_action(
        "datastore_create",
        {
            "resource_id": rid,
            "fields": [{"id": "name", "type": "text"}, {"id": "seats", "type": "int"}],
            "records": [{"name": "Hall A", "seats": 120}, {"name": "Hall B", "seats": "80"}],
        },
        publisher,
    )
    facade.ckan_datastore_action(
        "datastore_upsert",
        {
            "resource_id": rid,
            "method": "upsert",
            "records": [{"_id": 2, "seats": 85}, {"name": "Annex"}],
        },
        publisher,
    )
    facade.ckan_datastore_action(
        "datastore_delete", {"resource_id": rid, "filters": {"name": "Hall A"}}, publisher
    )

    assert created["fields"] == [{"id": "name", "type": "text"}, {"id": "seats", "type": "int"}]
    records = search(resource_id)["records"]
    assert records == [{"_id": 2, "name": "Hall B", "seats": 85}, {"_id": 3, "name": "Annex", "seats": None}]
    with pytest.raises(CkanActionError) as missing:
        facade.ckan_datastore_action(
            "datastore_upsert", {"resource_id": rid, "method": "update", "records": [{"_id": 99}]}, publisher
        )
    assert "no row with _id 99" in missing.value.fields["records"][0]
    facade.ckan_datastore_action("datastore_delete", {"resource_id": rid}, publisher)
    assert not facade.datastore_active(resource_id)


def test_writing_needs_edit_rights_and_a_bad_record_changes_nothing(
    loaded: Callable[..., uuid.UUID], publisher: Any, make_user: Callable[..., Any]
) -> None:
    resource_id = loaded(AIR_CSV)
    rid = str(resource_id)

    with pytest.raises(CkanActionError) as denied:
        facade.ckan_datastore_action(
            "datastore_upsert", {"resource_id": rid, "method": "insert", "records": [{}]}, make_user()
        )
    with pytest.raises(CkanActionError) as bad:
        facade.ckan_datastore_action(
            "datastore_upsert",
            {"resource_id": rid, "method": "insert", "records": [{"station": "OK1"}, {"count": "lots"}]},
            publisher,
        )

    assert denied.value.error_type == "Authorization Error"
    assert bad.value.error_type == "Validation Error" and "Record 2" in bad.value.fields["records"][0]
    assert search(resource_id)["total"] == 4


def test_an_unknown_action_is_a_bad_request() -> None:
    with pytest.raises(CkanActionError) as caught:
        facade.ckan_datastore_action("datastore_nope", {}, None)
    assert caught.value.status == 400
    assert "datastore_search" in facade.DATASTORE_ACTIONS
