"""With the real catalog: an uploaded CSV is loaded by the task queue, then queried by CKAN's own
client (ckanapi) through the catalog's /api/action/ endpoint, and progress is visible while loading."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import ckanapi
import psycopg
import pytest
from django.db import connection

from cityhall.accounts.contracts import Role
from cityhall.accounts.services import api_token_create
from cityhall.catalog import services as catalog_services
from cityhall.catalog.models import DatasetState, Distribution
from cityhall.datastore import facade, services, tabular
from cityhall.datastore.contracts import LoadState
from cityhall.datastore.models import LoadJob
from tests.datastore.conftest import AIR_CSV
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def publish_csv(settings: Any, tmp_path: Any) -> Callable[..., uuid.UUID]:
    settings.MEDIA_ROOT = tmp_path / "media"
    department = DepartmentFactory(slug="environment", name="Environment")

    def _publish(content: bytes, *, private: bool = False, name: str = "air") -> uuid.UUID:
        dataset = catalog_services.dataset_create(
            actor=None,
            metadata={
                "name": name,
                "title": "Air quality",
                "description": "Hourly readings.",
                "department_id": str(department.pk),
                "license_id": "CC-BY-4.0",
                "private": private,
            },
            state=DatasetState.PUBLISHED,
        )
        distribution = catalog_services.distribution_create(
            actor=None,
            dataset=dataset,
            name="Readings",
            upload=io.BytesIO(content),
            upload_name="readings.csv",
            upload_size=len(content),
        )
        return distribution.pk

    _publish.department = department  # type: ignore[attr-defined]
    return _publish


def test_an_uploaded_csv_is_loaded_by_the_queue_and_searchable_with_ckanapi(
    publish_csv: Callable[..., uuid.UUID], run_tasks: Callable[[], None], live_server: Any
) -> None:
    resource_id = publish_csv(AIR_CSV)
    status = facade.datastore_status(resource_id)
    assert status is not None and status.state == LoadState.QUEUED

    run_tasks()

    assert facade.datastore_active(resource_id)
    ckan = ckanapi.RemoteCKAN(live_server.url)
    result = ckan.action.datastore_search(
        resource_id=str(resource_id), filters={"district": "North"}, sort="station desc"
    )
    assert result["total"] == 2
    assert [r["station"] for r in result["records"]] == ["AB003", "AB001"]
    assert result["fields"][0] == {"id": "_id", "type": "int"}
    sql = ckan.action.datastore_search_sql(sql=f'SELECT COUNT(*) AS n FROM "{resource_id}"')
    assert sql["records"] == [{"n": 4}]
    resource = ckan.action.resource_show(id=str(resource_id))
    assert resource["datastore_active"] is True
    get_only = ckanapi.RemoteCKAN(live_server.url, get_only=True)
    assert get_only.action.datastore_search(resource_id=str(resource_id), q="windy", limit=5)["total"] == 1


def test_ckanapi_sees_ckans_errors(
    publish_csv: Callable[..., uuid.UUID],
    run_tasks: Callable[[], None],
    live_server: Any,
    make_user: Callable[..., Any],
) -> None:
    private_id = publish_csv(b"secret\nx\n", private=True, name="private-data")
    run_tasks()
    ckan = ckanapi.RemoteCKAN(live_server.url)

    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search(resource_id=str(uuid.uuid4()))
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.datastore_search(resource_id=str(private_id))
    with pytest.raises(ckanapi.ValidationError) as invalid:
        ckan.action.datastore_search_sql(sql="SELECT 1; DROP TABLE accounts_user")
    assert "query" in invalid.value.error_dict
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.datastore_search_sql(sql="SELECT email FROM accounts_user")

    publisher = make_user(Role.DATA_PUBLISHER, department=publish_csv.department)  # type: ignore[attr-defined]
    _token, secret = api_token_create(actor=None, user=publisher, name="ckan")
    as_publisher = ckanapi.RemoteCKAN(live_server.url, apikey=secret)
    assert as_publisher.action.datastore_search(resource_id=str(private_id))["records"] == [
        {"_id": 1, "secret": "x"}
    ]


def test_deleting_the_distribution_drops_its_table(
    publish_csv: Callable[..., uuid.UUID], run_tasks: Callable[[], None]
) -> None:
    resource_id = publish_csv(AIR_CSV)
    run_tasks()
    assert facade.datastore_active(resource_id)

    catalog_services.distribution_delete(actor=None, distribution=Distribution.objects.get(pk=resource_id))

    assert not facade.datastore_active(resource_id)


def test_progress_is_visible_while_a_file_loads(
    publish_csv: Callable[..., uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "\n".join(["n,label", *[f"{i},row {i}" for i in range(1, 41)]]) + "\n"
    content = lines.encode()
    seen: list[tuple[str, int, int]] = []
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
    monkeypatch.setattr(services, "SQLITE_BATCH_ROWS", 5)
    monkeypatch.setattr(tabular, "CHUNK_BYTES", 64)

    # On PostgreSQL the load's connection is busy with COPY: look from a second connection.
    side = (
        psycopg.connect(**connection.get_connection_params(), autocommit=True)
        if connection.vendor == "postgresql"
        else None
    )

    def observe() -> None:
        query = "SELECT state, rows_loaded, bytes_done FROM datastore_loadjob ORDER BY created_at DESC"
        if side is not None:
            row = side.execute(query).fetchone()  # the newest job
        else:
            with connection.cursor() as cursor:
                cursor.execute(query)
                row = cursor.fetchone()
        if row is not None:
            seen.append(tuple(row))

    original_rows = tabular.iter_rows
    original_chunks = tabular.read_chunks

    def rows(table: Any) -> Iterator[Any]:
        for item in original_rows(table):
            observe()
            yield item

    def chunks(table: Any) -> Iterator[bytes]:
        for chunk in original_chunks(table):
            observe()
            yield chunk

    monkeypatch.setattr(tabular, "iter_rows", rows)
    monkeypatch.setattr(tabular, "read_chunks", chunks)
    resource_id = publish_csv(content)
    job = LoadJob.objects.get(resource_id=resource_id)

    try:
        services.load_job_run(job_id=job.pk)
    finally:
        if side is not None:
            side.close()

    running = [(rows_loaded, done) for state, rows_loaded, done in seen if state == LoadState.RUNNING]
    assert any(0 < rows_loaded < 40 or 0 < done < len(content) for rows_loaded, done in running), seen
    status = facade.datastore_status(resource_id)
    assert status is not None and status.state == LoadState.DONE and status.rows_loaded == 40


def test_the_demo_loads_the_demo_catalogs_tables_once(settings: Any, tmp_path: Any) -> None:
    from cityhall.accounts.facade import accounts_demo_load
    from cityhall.catalog.facade import demo_load as catalog_demo_load
    from cityhall.core.demo import demo_load as place_demo_load
    from cityhall.datastore.models import DataTable

    settings.MEDIA_ROOT = tmp_path / "media"
    lines: list[str] = []
    place_demo_load(lines.append)
    accounts_demo_load(lines.append)
    catalog_demo_load(lines.append)

    facade.demo_load(lines.append)
    tables = DataTable.objects.count()
    facade.demo_load(lines.append)

    assert tables > 0
    assert DataTable.objects.count() == tables
    assert LoadJob.objects.filter(state=LoadState.FAILED).count() == 0
    assert lines[-1] == "datastore: 0 tables loaded"
