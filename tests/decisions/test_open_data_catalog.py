"""The open-data export reaches the catalog when the catalog takes generated datasets."""

from __future__ import annotations

import pytest

from cityhall.accounts.models import User
from cityhall.decisions import integrations, services
from cityhall.decisions.models import Decision
from tests.decisions.conftest import Council

pytestmark = pytest.mark.django_db


def test_publishing_to_the_catalog(council: Council, motion: Decision, clerk: User) -> None:
    if integrations.facade_function("cityhall.catalog.facade", "dataset_publish_generated") is None:
        pytest.skip("the catalog does not take generated datasets yet")
    from cityhall.catalog.facade import dataset_record

    assert services.open_data_publish(actor=clerk) is True
    record = dataset_record("council-decisions-and-votes")
    assert record is not None
    names = sorted(d.title for d in record.distributions)
    assert len(names) == 10 and any("votes" in name for name in names)
    assert services.open_data_publish(actor=clerk) is True  # refreshing keeps one dataset


def test_without_the_catalog_publishing_says_not_yet(
    council: Council, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(integrations, "facade_function", lambda module, name: None)
    assert services.open_data_publish(actor=clerk) is False
