"""Fixtures for the catalog: a department with a data publisher, and a dataset factory."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.catalog import services
from cityhall.catalog.models import Dataset, DatasetState
from tests.factories import DepartmentFactory

CSV = b"month,district,requests\n2025-01,North,120\n2025-01,South,98\n2025-02,North,130\n"


@pytest.fixture
def media_root(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def publisher_department(db: Any) -> Department:
    return DepartmentFactory(slug="environment", name="Environment and Climate")


@pytest.fixture
def publisher(make_user: Callable[..., User], publisher_department: Department) -> User:
    return make_user(Role.DATA_PUBLISHER, department=publisher_department)


@pytest.fixture
def make_dataset(
    publisher: User, publisher_department: Department, media_root: Any
) -> Callable[..., Dataset]:
    counter = {"n": 0}

    def _make(
        *,
        state: str = DatasetState.PUBLISHED,
        department: Department | None = None,
        csv: bool = False,
        **fields: Any,
    ) -> Dataset:
        counter["n"] += 1
        metadata = {
            "name": f"dataset-{counter['n']}",
            "title": f"Dataset {counter['n']}",
            "description": "Readings of the city's sensors.",
            "department_id": str((department or publisher_department).pk),
            "themes": ["ENVI"],
            "keywords": ["air quality"],
            "license_id": "CC-BY-4.0",
        }
        metadata.update(fields)
        dataset = services.dataset_create(actor=None, metadata=metadata, state=state)
        if csv:
            services.distribution_create(
                actor=None,
                dataset=dataset,
                name="Readings",
                upload=io.BytesIO(CSV),
                upload_name="readings.csv",
                upload_size=len(CSV),
            )
        dataset.refresh_from_db()
        return dataset

    return _make
