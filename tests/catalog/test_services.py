"""Datasets and distributions through the services: validation, workflow, versions, files."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage

from cityhall.accounts.contracts import Role
from cityhall.catalog import facade, selectors, services
from cityhall.catalog.models import Dataset, DatasetState, DatasetVersion, Distribution, SearchEntry
from cityhall.core.errors import PermissionDeniedError, ServiceError
from tests.catalog.conftest import CSV
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _metadata(department: Any, **extra: Any) -> dict[str, Any]:
    return {
        "name": "air-quality",
        "title": "Air quality",
        "description": "Hourly readings.",
        "department_id": str(department.pk),
        "themes": ["envi"],
        "license_id": "CC-BY-4.0",
        **extra,
    }


def test_a_publisher_creates_a_draft_that_keeps_a_first_version(
    publisher: Any, publisher_department: Any
) -> None:
    dataset = services.dataset_create(actor=publisher, metadata=_metadata(publisher_department))

    assert dataset.state == DatasetState.DRAFT
    assert dataset.themes == ["ENVI"]
    assert DatasetVersion.objects.filter(dataset=dataset).count() == 1
    assert SearchEntry.objects.get(dataset=dataset).state == "draft"


def test_an_unknown_licence_is_refused_naming_it_and_nothing_is_written(
    publisher: Any, publisher_department: Any
) -> None:
    with pytest.raises(services.MetadataError) as error:
        services.dataset_create(actor=publisher, metadata=_metadata(publisher_department, license_id="WTFPL"))

    assert "WTFPL" in error.value.errors["license_id"][0]
    assert "CC-BY-4.0" in error.value.errors["license_id"][0]
    assert not Dataset.objects.exists()


def test_ckan_licence_ids_are_accepted_as_aliases(publisher: Any, publisher_department: Any) -> None:
    dataset = services.dataset_create(
        actor=publisher, metadata=_metadata(publisher_department, license_id="odc-odbl")
    )
    assert dataset.license_id == "ODbL-1.0"


def test_a_publisher_of_another_department_may_not_create(make_user: Any, publisher_department: Any) -> None:
    outsider = make_user(Role.DATA_PUBLISHER, department=DepartmentFactory())
    with pytest.raises(PermissionDeniedError):
        services.dataset_create(actor=outsider, metadata=_metadata(publisher_department))


def test_every_change_keeps_a_version_and_history_shows_what_changed(
    publisher: Any, publisher_department: Any
) -> None:
    dataset = services.dataset_create(actor=publisher, metadata=_metadata(publisher_department))
    services.dataset_update(
        actor=publisher, dataset=dataset, metadata={"title": "Air quality, hourly", "keywords": ["pm2.5"]}
    )
    services.dataset_update(
        actor=publisher, dataset=dataset, metadata={"title": "Air quality, hourly"}
    )  # no change

    history = selectors.version_history(dataset)
    assert [v.number for v in history] == [2, 1]
    changes = {c.field: (c.before, c.after) for c in history[0].changes}
    assert changes["title"] == ("Air quality", "Air quality, hourly")
    assert changes["keywords"] == ("—", "pm2.5")


def test_publishing_needs_a_description_and_a_theme(publisher: Any, publisher_department: Any) -> None:
    dataset = services.dataset_create(
        actor=publisher, metadata=_metadata(publisher_department, description="", themes=[])
    )
    with pytest.raises(ServiceError, match="description"):
        services.dataset_set_state(actor=publisher, dataset=dataset, state=DatasetState.PUBLISHED)

    services.dataset_update(
        actor=publisher, dataset=dataset, metadata={"description": "Hourly.", "themes": ["ENVI"]}
    )
    published = services.dataset_set_state(actor=publisher, dataset=dataset, state=DatasetState.PUBLISHED)
    assert published.state == DatasetState.PUBLISHED and published.issued is not None
    assert SearchEntry.objects.get(dataset=dataset).state == "active"


def test_an_upload_is_stored_with_its_size_and_sha256(make_dataset: Any) -> None:
    dataset = make_dataset(csv=True)
    distribution = Distribution.objects.get(dataset=dataset)

    assert distribution.byte_size == len(CSV)
    assert distribution.checksum_sha256 == hashlib.sha256(CSV).hexdigest()
    assert distribution.format == "CSV" and distribution.media_type == "text/csv"
    assert default_storage.open(distribution.file.name).read() == CSV


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(
    make_dataset: Any, settings: Any, media_root: Any
) -> None:
    dataset = make_dataset()
    settings.CATALOG_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ServiceError, match="limit of 10 bytes") as error:
        services.distribution_create(
            actor=None, dataset=dataset, upload=io.BytesIO(CSV), upload_name="big.csv"
        )

    assert error.value.status == 413
    assert not Distribution.objects.filter(dataset=dataset).exists()
    assert not list(media_root.rglob("*.csv")) if media_root.exists() else True
    assert DatasetVersion.objects.filter(dataset=dataset).count() == 1


def test_uploading_a_csv_asks_the_datastore_to_load_it(
    make_dataset: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from cityhall.datastore import facade as datastore

    calls: list[Any] = []
    monkeypatch.setattr(datastore, "datastore_load", lambda **kwargs: calls.append(kwargs), raising=False)
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        distribution = services.distribution_create(
            actor=None, dataset=dataset, upload=io.BytesIO(CSV), upload_name="r.csv", upload_size=len(CSV)
        )
    assert calls == [{"resource_id": distribution.pk, "actor": None}]


def test_facade_records_and_resource_refs(make_dataset: Any, make_user: Any) -> None:
    dataset = make_dataset(csv=True, title_translations={"es": "Calidad del aire"})
    distribution = dataset.distributions.get()

    record = facade.dataset_record(dataset.name)
    assert record is not None and record.title == {"en": dataset.title, "es": "Calidad del aire"}
    assert record.distributions[0].checksum_sha256 == distribution.checksum_sha256
    ref = facade.resource_ref(distribution.pk)
    assert ref is not None and ref.is_public and ref.file_path and ref.url.endswith("/readings.csv")
    assert facade.user_can_read_resource(None, distribution.pk)
    assert not facade.user_can_edit_resource(make_user(), distribution.pk)


def test_private_datasets_are_readable_only_by_their_department(
    make_dataset: Any, make_user: Any, publisher_department: Any
) -> None:
    dataset = make_dataset(private=True, csv=True)
    distribution = dataset.distributions.get()
    colleague = make_user(Role.DEPARTMENT_STAFF, department=publisher_department)
    stranger = make_user(Role.DEPARTMENT_STAFF, department=DepartmentFactory())

    assert facade.user_can_read_resource(colleague, distribution.pk)
    assert not facade.user_can_read_resource(stranger, distribution.pk)
    assert not facade.user_can_read_resource(None, distribution.pk)
    total, records = facade.public_dataset_records()
    assert total == 0 and records == []


def test_harvested_upsert_is_keyed_on_source_and_identifier(publisher_department: Any) -> None:
    import datetime as dt
    import uuid

    from cityhall.catalog.contracts import DatasetRecord, DistributionRecord

    def record(title: str) -> DatasetRecord:
        return DatasetRecord(
            id=uuid.uuid4(),
            name="trees",
            identifier="https://region.example/dataset/trees",
            title={"en": title},
            description={"en": "Street trees."},
            publisher_id=uuid.uuid4(),
            publisher_name="Region",
            publisher_slug="region",
            contact_name="",
            contact_email="",
            themes=("ENVI",),
            keywords=("trees",),
            license_id="CC0-1.0",
            license_url="",
            access_rights="PUBLIC",
            temporal_start=None,
            temporal_end=None,
            spatial="",
            frequency="ANNUAL",
            conforms_to=(),
            landing_page="",
            issued=None,
            modified=dt.datetime.now(dt.UTC),
            state="published",
            private=False,
            harvest_source="",
            distributions=(
                DistributionRecord(
                    id=uuid.uuid4(),
                    title="Trees CSV",
                    description="",
                    access_url="https://region.example/trees.csv",
                    download_url="https://region.example/trees.csv",
                    format="CSV",
                    media_type="text/csv",
                    byte_size=None,
                    checksum_sha256=None,
                    license_id="CC0-1.0",
                    issued=None,
                    modified=None,
                ),
            ),
        )

    source = "https://region.example/catalog.ttl"
    first_id, first = facade.dataset_upsert_harvested(
        source=source, record=record("Trees"), publisher_department_id=publisher_department.pk
    )
    same_id, same = facade.dataset_upsert_harvested(
        source=source, record=record("Trees"), publisher_department_id=publisher_department.pk
    )
    new_id, changed = facade.dataset_upsert_harvested(
        source=source, record=record("Street trees"), publisher_department_id=publisher_department.pk
    )

    assert (first, same, changed) == ("created", "unchanged", "updated")
    assert first_id == same_id == new_id
    dataset = Dataset.objects.get(pk=first_id)
    assert dataset.state == DatasetState.PUBLISHED and dataset.distributions.get().url.endswith("trees.csv")
    assert dataset.versions.count() == 2
    assert facade.dataset_mark_removed_at_source(source=source, keep_identifiers=set()) == 1
    assert Dataset.objects.get(pk=first_id).state == DatasetState.DELETED


def test_generated_open_data_is_one_dataset_per_source_key(
    publisher_department: Any, media_root: Any
) -> None:
    from cityhall.catalog.contracts import GeneratedFile

    def publish(content: bytes) -> Any:
        return facade.dataset_publish_generated(
            source_key="poll:42",
            department_id=publisher_department.pk,
            title="Poll 42 results",
            description="Votes per option.",
            keywords=["poll"],
            theme="GOVE",
            files=[GeneratedFile(name="results.csv", content=content, media_type="text/csv", format="CSV")],
        )

    first = publish(b"option,votes\nA,1\n")
    second = publish(b"option,votes\nA,2\n")

    assert first == second
    dataset = Dataset.objects.get(pk=first)
    assert dataset.state == DatasetState.PUBLISHED
    assert dataset.distributions.count() == 1
    assert dataset.distributions.get().byte_size == len(b"option,votes\nA,2\n")
    assert dataset.versions.count() >= 2
