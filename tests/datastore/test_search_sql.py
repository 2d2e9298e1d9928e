"""datastore_search_sql: one read-only SELECT over DataStore tables, and every attack refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from cityhall.catalog.contracts import CkanActionError
from cityhall.datastore import facade
from cityhall.datastore.models import DataTable
from tests.datastore.conftest import AIR_CSV

pytestmark = pytest.mark.django_db


def sql(query: str, user: Any = None) -> dict[str, Any]:
    return facade.ckan_datastore_action("datastore_search_sql", {"sql": query}, user)


def refused(query: str, user: Any = None) -> CkanActionError:
    with pytest.raises(CkanActionError) as caught:
        sql(query, user)
    return caught.value


def test_a_select_by_resource_id_returns_fields_and_records(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    result = sql(
        f'SELECT district, COUNT(*) AS n, MAX(pm25) AS top FROM "{resource_id}" '
        "WHERE ok = true GROUP BY district ORDER BY district;"
    )

    assert [f["id"] for f in result["fields"]] == ["district", "n", "top"]
    assert result["fields"][1]["type"] == "int"
    assert result["records"] == [{"district": "North", "n": 2, "top": 12.5}]
    assert "records_truncated" not in result


def test_the_table_name_works_too_and_results_are_capped(
    loaded: Callable[..., uuid.UUID], settings: Any
) -> None:
    resource_id = loaded(AIR_CSV)
    table = DataTable.objects.get(pk=resource_id).table_name
    settings.DATASTORE_ROWS_MAX = 3

    result = sql(f'SELECT station FROM "{table}" ORDER BY station')

    assert len(result["records"]) == 3 and result["records_truncated"] is True


def test_joins_between_datastore_tables_are_allowed(loaded: Callable[..., uuid.UUID]) -> None:
    air = loaded(AIR_CSV)
    districts = loaded(b"district,population\nNorth,1200\nSouth,800\n")

    result = sql(
        f'SELECT a.station, d.population FROM "{air}" a JOIN "{districts}" d ON d.district = a.district '
        "ORDER BY a.station"
    )

    assert result["records"][0] == {"station": "AB001", "population": 1200}


@pytest.mark.parametrize(
    "attack",
    [
        'DROP TABLE "{rid}"',
        'SELECT * FROM "{rid}"; DROP TABLE "{rid}"',
        'SELECT * FROM "{rid}"; SELECT 1',
        'DELETE FROM "{rid}"',
        "UPDATE \"{rid}\" SET station = 'x'",
        "INSERT INTO \"{rid}\" (station) VALUES ('x')",
        'SELECT * INTO stolen FROM "{rid}"',
        'WITH gone AS (DELETE FROM "{rid}" RETURNING *) SELECT * FROM gone',
        'SELECT * FROM "{rid}" FOR UPDATE',
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT pg_sleep(60)",
        'SELECT "pg_sleep"(60)',
        "SELECT pg_catalog.pg_sleep(60)",
        "SELECT lo_import('/etc/passwd')",
        "SELECT load_extension('evil')",
        "SELECT * FROM generate_series(1, 100000000)",
        "SELECT current_setting('data_directory')",
        "SELECT version()",
        "SELECT current_user",
        "SELECT * FROM sqlite_master",
        "SELECT * FROM pg_catalog.pg_tables",
        "SELECT * FROM information_schema.tables",
        "SELECT * FROM accounts_user",
        "SELECT email, password FROM accounts_user",
        'SELECT * FROM "{rid}" UNION SELECT * FROM accounts_user',
        'SELECT * FROM "{rid}" WHERE station IN (SELECT email FROM accounts_user)',
        "SELECT * FROM core_auditevent",
        "SELECT * FROM datastore_datatable",
        'SELECT * FROM "{rid}" -- comment',
        'SELECT * FROM "{rid}" /* comment */',
        'SELECT /* */ * FROM "{rid}"; DROP TABLE x --',
        "SELECT $$x$$",
        "SELECT E'\\x41'",
        "PRAGMA table_info(accounts_user)",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "SET statement_timeout = 0",
        "COPY accounts_user TO STDOUT",
        "",
    ],
)
def test_attacks_are_refused(loaded: Callable[..., uuid.UUID], attack: str) -> None:
    resource_id = loaded(AIR_CSV)

    error = refused(attack.replace("{rid}", str(resource_id)))

    assert error.error_type in {"Validation Error", "Authorization Error"}
    assert error.status in {409, 403}
    assert DataTable.objects.get(pk=resource_id).table_name in connection.introspection.table_names()
    assert sql(f'SELECT COUNT(*) AS n FROM "{resource_id}"')["records"] == [{"n": 4}]


def test_reading_django_tables_is_an_authorization_error(loaded: Callable[..., uuid.UUID]) -> None:
    loaded(AIR_CSV)

    error = refused("SELECT * FROM accounts_user")

    assert error.error_type == "Authorization Error"
    assert "accounts_user" in error.message


def test_a_private_table_cannot_be_read_through_sql(
    loaded: Callable[..., uuid.UUID], publisher: Any, make_user: Callable[..., Any]
) -> None:
    public = loaded(AIR_CSV)
    private = loaded(b"secret\nx\n", public=False)

    assert refused(f'SELECT * FROM "{private}"').error_type == "Authorization Error"
    assert (
        refused(
            f'SELECT * FROM "{public}" WHERE note IN (SELECT secret FROM "{private}")', make_user()
        ).status
        == 403
    )
    assert sql(f'SELECT * FROM "{private}"', publisher)["records"] == [{"_id": 1, "secret": "x"}]


def test_a_query_that_runs_too_long_is_stopped(loaded: Callable[..., uuid.UUID], settings: Any) -> None:
    loaded(AIR_CSV)
    settings.DATASTORE_SQL_TIMEOUT_MS = 50

    error = refused(
        "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r"
    )

    assert "took too long" in error.fields["query"][0]


def test_a_syntax_error_is_a_validation_error(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    error = refused(f'SELECT FROM WHERE "{resource_id}" station')

    assert error.error_type == "Validation Error" and "query" in error.fields


def test_an_unknown_resource_id_in_sql_is_refused() -> None:
    error = refused(f'SELECT * FROM "{uuid.uuid4()}"')

    assert "no DataStore table" in error.fields["query"][0]


def test_common_table_expressions_and_subqueries_work(loaded: Callable[..., uuid.UUID]) -> None:
    resource_id = loaded(AIR_CSV)

    result = sql(
        f"WITH north AS (SELECT station, pm25 FROM \"{resource_id}\" WHERE district = 'North') "
        "SELECT s.station FROM (SELECT station FROM north WHERE pm25 IS NOT NULL) AS s"
    )

    assert result["records"] == [{"station": "AB001"}]


def test_a_cte_cannot_hide_a_django_table(loaded: Callable[..., uuid.UUID]) -> None:
    loaded(AIR_CSV)

    error = refused("WITH x AS (SELECT * FROM accounts_user) SELECT * FROM x")

    assert error.error_type == "Authorization Error"
