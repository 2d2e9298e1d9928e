"""The metadata quality score: pyshacl with the official shapes and Cityhall's recommended shapes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cityhall.catalog import services as catalog_services
from cityhall.dcat import facade, quality
from tests.dcat.support import make_distribution, make_record


def test_a_complete_record_scores_100() -> None:
    report = quality.record_quality(make_record())

    assert (report.score, report.messages, report.conforms) == (100, (), True)


def test_missing_recommended_properties_lower_the_score_with_plain_messages() -> None:
    record = make_record(
        contact_name="", contact_email="", keywords=(), spatial="", temporal_start=None, temporal_end=None
    )

    report = quality.record_quality(record)

    assert report.conforms
    assert report.score == 100 - 4 * 8
    paths = {m.path: m for m in report.messages}
    assert set(paths) == {"dcat:contactPoint", "dcat:keyword", "dct:spatial", "dct:temporal"}
    assert paths["dcat:contactPoint"].severity == "warning"
    assert paths["dcat:contactPoint"].message.startswith("No contact point")


def test_a_problem_repeated_on_many_distributions_counts_once() -> None:
    files = tuple(make_distribution(description="") for _ in range(4))

    report = quality.record_quality(make_record(distributions=files))

    assert [m.path for m in report.messages] == ["dct:description"]
    assert report.score == 92


def test_a_violation_means_not_conforming_and_at_most_49() -> None:
    report = quality.record_quality(make_record(description={}))

    assert not report.conforms and report.score <= 49
    assert report.messages[0] == ("violation", "dct:description", report.messages[0].message)
    assert "description is missing" in report.messages[0].message


def test_the_score_never_goes_below_zero() -> None:
    bare = make_record(
        description={},
        contact_name="",
        contact_email="",
        keywords=(),
        themes=(),
        spatial="",
        temporal_start=None,
        temporal_end=None,
        frequency="",
        access_rights="",
        issued=None,
        distributions=(
            make_distribution(format="", description="", license_id="", media_type="", download_url=None),
        ),
        license_id="",
    )

    assert quality.record_quality(bare).score == 0


@pytest.mark.django_db
def test_the_report_is_cached_per_dataset_version(
    open_data: Any, media_root: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = catalog_services.dataset_create(
        actor=None,
        metadata={
            "name": "trees",
            "title": "Trees",
            "description": "Street trees.",
            "department_id": str(open_data.pk),
            "themes": ["ENVI"],
            "keywords": ["trees"],
            "license_id": "CC-BY-4.0",
        },
        state="draft",
    )
    calls = []
    real = quality.record_quality
    monkeypatch.setattr(quality, "record_quality", lambda record: calls.append(record) or real(record))

    first = facade.dataset_quality(dataset.pk)
    second = facade.dataset_quality(dataset.pk)
    catalog_services.dataset_update(actor=None, dataset=dataset, metadata={"keywords": ["trees", "parks"]})
    third = facade.dataset_quality(dataset.pk)

    assert first == second and len(calls) == 2
    assert dataclasses.asdict(third)["score"] == third.score


@pytest.mark.django_db
def test_an_unknown_dataset_has_a_zero_score() -> None:
    report = facade.dataset_quality("00000000-0000-0000-0000-000000000000")

    assert report.score == 0 and not report.conforms
