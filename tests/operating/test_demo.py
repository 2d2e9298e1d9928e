"""The demo city's operating model: everything the issue lists, loaded twice without duplicates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cityhall.accounts.demo import demo_load as accounts_demo
from cityhall.core.audit import audit_verify
from cityhall.core.demo import demo_load as place_demo
from cityhall.operating import facade
from cityhall.operating.models import (
    Benefit,
    BenefitLink,
    BenefitMapNode,
    Indicator,
    IndicatorSummary,
    Objective,
    Programme,
    Project,
    Risk,
    Vision,
)

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "visions": Vision.objects.count(),
        "objectives": Objective.objects.count(),
        "programmes": Programme.objects.count(),
        "projects": Project.objects.count(),
        "nodes": BenefitMapNode.objects.count(),
        "links": BenefitLink.objects.count(),
        "benefits": Benefit.objects.count(),
        "kpis": IndicatorSummary.objects.filter(value_count__gte=5).count(),
        "risks": Risk.objects.count(),
    }


def test_the_demo_holds_a_whole_operating_model_and_loads_twice_without_duplicates() -> None:
    lines: list[str] = []
    place_demo(lines.append)
    accounts_demo(lines.append)
    facade.demo_load(lines.append)
    first = counts()
    assert first["objectives"] == 6
    assert first["programmes"] == 4
    assert first["projects"] == 12
    assert 22 <= first["nodes"] <= 30
    assert first["kpis"] == 30
    assert first["risks"] == 15
    assert Vision.objects.filter(status="adopted").count() == 1
    assert Indicator.objects.filter(is_headline=True).count() == 12
    facade.demo_load(lines.append)
    assert counts() == first
    assert any(line.startswith("Operating model: 6 objectives") for line in lines)
    assert audit_verify().ok
    assert len(facade.city_headlines()) == 12
    assert {benefit.progress for benefit in facade.city_benefits()} <= {
        "on_track",
        "at_risk",
        "off_track",
        "achieved",
    }


def test_without_the_shared_data_the_demo_says_so_and_loads_the_rest(settings: Any, tmp_path: Path) -> None:
    settings.BASE_DIR = tmp_path / "repo"
    lines: list[str] = []
    place_demo(lines.append)
    accounts_demo(lines.append)
    facade.demo_load(lines.append)
    assert any(
        "indicators and the ISO 37101 matrix skipped" in line and "is missing" in line for line in lines
    )
    assert Project.objects.count() == 12 and Benefit.objects.count() == 7
