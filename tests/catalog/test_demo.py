"""The demo city's catalog loads twice without duplicates, with deterministic CSV files."""

from __future__ import annotations

from typing import Any

import pytest

from cityhall.accounts.facade import accounts_demo_load
from cityhall.catalog import facade
from cityhall.catalog.demo import DATASETS, _rng
from cityhall.catalog.models import Dataset, DatasetState, Distribution

pytestmark = pytest.mark.django_db


def test_the_demo_catalog_loads_once_with_about_thirty_datasets(
    media_root: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from cityhall.datastore import facade as datastore

    loads: list[Any] = []
    monkeypatch.setattr(
        datastore, "datastore_load", lambda **kwargs: loads.append(kwargs["resource_id"]), raising=False
    )
    accounts_demo_load(lambda _message: None)
    with django_capture_on_commit_callbacks(execute=True):
        facade.demo_load(lambda _message: None)
    first = Dataset.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        facade.demo_load(lambda _message: None)

    assert first == Dataset.objects.count() == len(DATASETS) >= 28
    assert Dataset.objects.filter(state=DatasetState.PUBLISHED).count() == first
    assert Dataset.objects.values("department").distinct().count() >= 10
    assert Distribution.objects.filter(byte_size__gt=500).count() == first
    assert 0 < len(loads) == sum(spec.datastore for spec in DATASETS) < first


def test_demo_files_are_the_same_bytes_every_time() -> None:
    for spec in DATASETS[:5]:
        assert spec.make(_rng(spec.name)) == spec.make(_rng(spec.name))
