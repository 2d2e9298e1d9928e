"""Loading CSV and XLSX files into tables: types, errors with row and column, atomic replacement."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import override_settings

from cityhall.datastore import facade, services
from cityhall.datastore.contracts import LoadState
from cityhall.datastore.models import DataTable, LoadJob
from tests.datastore.conftest import AIR_CSV, FakeCatalog

pytestmark = pytest.mark.django_db


def rows_of(resource_id: uuid.UUID) -> list[tuple[Any, ...]]:
    table = DataTable.objects.get(pk=resource_id)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table.table_name}" ORDER BY "_id"')
        return [tuple(row) for row in cursor.fetchall()]


def test_a_csv_becomes_a_typed_table_with_row_numbers(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    table = DataTable.objects.get(pk=resource_id)
    assert table.row_count == 4
    assert [(c["id"], c["type"]) for c in table.columns] == [
        ("station", "text"),
        ("measured_at", "timestamp"),
        ("pm25", "numeric"),
        ("count", "int"),
        ("ok", "bool"),
        ("district", "text"),
        ("note", "text"),
    ]
    rows = rows_of(resource_id)
    assert [row[0] for row in rows] == [1, 2, 3, 4]
    assert rows[0][1] == "AB001" and rows[0][4] == 3 and rows[2][3] is None
    assert rows[3][7] == "Ünïcödé ✓"
    assert facade.datastore_active(resource_id)


def test_the_status_shows_the_finished_load(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    status = facade.datastore_status(resource_id)

    assert status is not None
    assert status.state == LoadState.DONE
    assert status.rows_loaded == status.rows_total == 4
    assert status.bytes_done == status.bytes_total == len(AIR_CSV)
    assert status.percent == 100
    assert status.started_at is not None and status.finished_at is not None
    assert status.errors == ()


def test_codes_with_leading_zeros_stay_text(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(b"postcode,amount\n01234,5\n20000,6\n")

    columns = DataTable.objects.get(pk=resource_id).columns
    assert columns == [{"id": "postcode", "type": "text"}, {"id": "amount", "type": "int"}]
    assert rows_of(resource_id)[0][1] == "01234"


def test_semicolons_a_bom_and_crlf_are_understood(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(b"\xef\xbb\xbfid;name;day\r\n1;Plaza;2024-03-01\r\n2;Park;2024-03-02\r\n")

    table = DataTable.objects.get(pk=resource_id)
    assert [c["id"] for c in table.columns] == ["id", "name", "day"]
    assert table.columns[2]["type"] == "date"
    assert [row[2] for row in rows_of(resource_id)] == ["Plaza", "Park"]


def test_an_xlsx_workbook_is_loaded_from_its_first_sheet(
    catalog: FakeCatalog, load: Callable[..., LoadJob]
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["district", "budget", "approved_on"])
    sheet.append(["North", 1200.5, dt.datetime(2024, 5, 1)])
    sheet.append(["South", 800, dt.datetime(2024, 5, 2)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    resource_id = catalog.add(buffer.getvalue(), name="budget.xlsx", file_format="XLSX")

    job = load(resource_id)

    assert job.state == LoadState.DONE, job.errors
    table = DataTable.objects.get(pk=resource_id)
    assert [(c["id"], c["type"]) for c in table.columns] == [
        ("district", "text"),
        ("budget", "numeric"),
        ("approved_on", "date"),
    ]
    assert table.row_count == 2


def test_a_value_later_in_the_file_that_breaks_the_guessed_type_loads_the_column_as_text(
    catalog: FakeCatalog, load: Callable[..., LoadJob]
) -> None:
    lines = ["id,amount"] + [f"{i},{i * 10}" for i in range(1, 30)] + ["30,n/a"]
    resource_id = catalog.add(("\n".join(lines) + "\n").encode())

    with override_settings(DATASTORE_INFER_ROWS=10, DATASTORE_VALIDATE_ROWS=10):
        job = load(resource_id)

    assert job.state == LoadState.DONE, job.errors
    assert DataTable.objects.get(pk=resource_id).columns[1] == {"id": "amount", "type": "text"}
    assert job.warnings[0]["row"] == 31
    assert job.warnings[0]["column"] == "amount"
    assert "n/a" in job.warnings[0]["message"]


# --- Bad input -------------------------------------------------------------------------------


def test_a_mis_encoded_file_fails_naming_row_and_column(
    catalog: FakeCatalog, load: Callable[..., LoadJob]
) -> None:
    resource_id = catalog.add("id,name,city\n1,Ana,Lyon\n2,José,Sevilla\n".encode("cp1252"))

    job = load(resource_id)

    assert job.state == LoadState.FAILED
    assert len(job.errors) == 1
    error = job.errors[0]
    assert error["row"] == 3
    assert error["column"] == "name"
    assert "UTF-8" in error["message"] and "0xe9" in error["message"]
    assert not facade.datastore_active(resource_id)


def test_a_mis_encoded_byte_deep_in_a_large_file_fails_the_load(
    catalog: FakeCatalog, load: Callable[..., LoadJob]
) -> None:
    good = "".join(f"{i},Street {i} in the old harbour district\n" for i in range(40_000))
    content = ("id,address\n" + good).encode() + b"40000,Stra\xdfe\n"
    assert len(content) > 1024 * 1024  # beyond the first megabyte checked before loading
    resource_id = catalog.add(content)

    with override_settings(DATASTORE_INFER_ROWS=100, DATASTORE_VALIDATE_ROWS=100):
        job = load(resource_id)

    assert job.state == LoadState.FAILED
    assert (job.errors[0]["row"], job.errors[0]["column"]) == (40_002, "address")
    assert "0xdf" in job.errors[0]["message"]
    assert not facade.datastore_active(resource_id)


def test_an_empty_file_and_a_broken_workbook_are_refused(
    catalog: FakeCatalog, load: Callable[..., LoadJob]
) -> None:
    empty = catalog.add(b"")
    broken = catalog.add(b"PK\x03\x04 not really a zip", name="budget.xlsx", file_format="XLSX")

    assert "empty" in load(empty).errors[0]["message"]
    assert "not a readable XLSX workbook" in load(broken).errors[0]["message"]


def test_a_malformed_csv_reports_each_bad_row(catalog: FakeCatalog, load: Callable[..., LoadJob]) -> None:
    resource_id = catalog.add(b"id,name,amount\n1,a,1.5\n2,b\n\n4,d,2,9\n")

    job = load(resource_id)

    assert job.state == LoadState.FAILED
    found = {(e["row"], e["column"]) for e in job.errors}
    assert (3, "amount") in found  # missing cell
    assert any(e["row"] == 4 and "blank" in e["message"] for e in job.errors)
    assert any(e["row"] == 5 and "extra" in e["message"] for e in job.errors)
    assert not DataTable.objects.filter(pk=resource_id).exists()


def test_a_bad_header_is_refused_with_the_column(catalog: FakeCatalog, load: Callable[..., LoadJob]) -> None:
    resource_id = catalog.add(b"id,name,Name,_secret,\n1,a,b,c,d\n")

    job = load(resource_id)

    assert job.state == LoadState.FAILED
    messages = " ".join(e["message"] for e in job.errors)
    assert "both named" in messages and "start with '_'" in messages and "has no name" in messages
    assert all(e["row"] == 1 for e in job.errors)


def test_a_file_over_the_size_limit_is_refused_with_the_setting_read_at_call_time(
    catalog: FakeCatalog, load: Callable[..., LoadJob]
) -> None:
    resource_id = catalog.add(AIR_CSV)

    with override_settings(DATASTORE_MAX_BYTES=100):
        job = load(resource_id)

    assert job.state == LoadState.FAILED
    assert "over the DataStore limit of 100 bytes" in job.errors[0]["message"]
    with override_settings(DATASTORE_MAX_BYTES=len(AIR_CSV)):
        assert load(resource_id).state == LoadState.DONE


def test_a_failed_reload_keeps_the_previous_data(catalog: FakeCatalog, load: Callable[..., LoadJob]) -> None:
    resource_id = catalog.add(AIR_CSV)
    assert load(resource_id).state == LoadState.DONE
    before = rows_of(resource_id)
    # The new file breaks far down: after thousands of good rows, a row has an extra cell.
    good = [f"ZZ{i:03d},2024-02-01T00:00:00,1.0,1,true,West,fine" for i in range(5000)]
    bad = "\n".join(
        ["station,measured_at,pm25,count,ok,district,note", *good, "X,2024-02-01T00:00:00,1,1,true,W,n,extra"]
    )
    catalog.replace_file(resource_id, (bad + "\n").encode())

    with override_settings(DATASTORE_VALIDATE_ROWS=100):
        job = load(resource_id)

    assert job.state == LoadState.FAILED
    assert job.errors[0]["row"] == 5002
    assert "more cells" in job.errors[0]["message"]
    assert rows_of(resource_id) == before
    assert DataTable.objects.get(pk=resource_id).row_count == 4
    assert _leftover_tables(resource_id) == []


def test_an_error_in_the_middle_of_writing_rolls_back_everything(
    catalog: FakeCatalog, load: Callable[..., LoadJob], monkeypatch: pytest.MonkeyPatch
) -> None:
    resource_id = catalog.add(AIR_CSV)
    assert load(resource_id).state == LoadState.DONE
    catalog.replace_file(resource_id, AIR_CSV + b"AB005,2024-01-03T10:00:00,1,1,true,West,x\n")

    def broken_swap(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_swap", broken_swap)
    job = load(resource_id)

    assert job.state == LoadState.FAILED
    assert "previous data is unchanged" in job.errors[0]["message"]
    assert len(rows_of(resource_id)) == 4
    assert _leftover_tables(resource_id) == []


def test_a_link_without_a_file_cannot_be_loaded(catalog: FakeCatalog, load: Callable[..., LoadJob]) -> None:
    resource_id = catalog.add(None, url="https://elsewhere.example/data.csv")

    job = load(resource_id)

    assert job.state == LoadState.FAILED
    assert "https://elsewhere.example/data.csv" in job.errors[0]["message"]


def test_a_non_tabular_format_is_refused(catalog: FakeCatalog, load: Callable[..., LoadJob]) -> None:
    resource_id = catalog.add(b"%PDF-1.4", name="report.pdf", file_format="PDF")

    assert "Only CSV and XLSX" in load(resource_id).errors[0]["message"]


def test_running_a_finished_job_again_changes_nothing(
    catalog: FakeCatalog, load: Callable[..., LoadJob]
) -> None:
    resource_id = catalog.add(AIR_CSV)
    job = load(resource_id)

    assert services.load_job_run(job_id=job.pk) == "skipped"
    assert DataTable.objects.get(pk=resource_id).row_count == 4


def test_dropping_removes_the_table(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)
    name = DataTable.objects.get(pk=resource_id).table_name

    facade.datastore_drop(resource_id=resource_id)

    assert not facade.datastore_active(resource_id)
    assert name not in connection.introspection.table_names()


def test_only_editors_may_ask_for_a_load(catalog: FakeCatalog, make_user: Callable[..., Any]) -> None:
    from cityhall.core.errors import PermissionDeniedError

    resource_id = catalog.add(AIR_CSV)
    with pytest.raises(PermissionDeniedError):
        facade.datastore_load(resource_id=resource_id, actor=make_user())


def _leftover_tables(resource_id: uuid.UUID) -> list[str]:
    return [
        name for name in connection.introspection.table_names() if name.startswith(f"dsn_{resource_id.hex}")
    ]
