"""The operating pages: public ones light, accessible in their markup and bounded in queries; the
programme office's forms post to the services and show their errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cityhall.accounts.contracts import Role
from cityhall.accounts.demo import demo_load as accounts_demo
from cityhall.core.demo import demo_load as place_demo
from cityhall.operating import services
from cityhall.operating.demo import demo_load as operating_demo
from cityhall.operating.models import Benefit, BenefitMeasurement, Indicator, Objective, Project, Risk
from tests.operating.conftest import configured_kpi, last_year

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/city/",
    "/city/vision/",
    "/city/vision/?of=benefits",
    "/city/roadmap/",
    "/city/benefits/",
    "/city/benefits/B03/",
    "/city/indicators/",
    "/city/indicators/?framework=iso37120",
    "/city/snapshot/",
    "/city/procurement/",
    "/city/architecture/",
]


@pytest.fixture
def demo_city(db: Any) -> None:
    place_demo(lambda line: None)
    accounts_demo(lambda line: None)
    operating_demo(lambda line: None)


def html_of(response: Any) -> str:
    return response.content.decode()


def test_public_pages_render_for_anyone_without_inline_styles_or_scripts(demo_city: None) -> None:
    for path in PUBLIC_PAGES:
        response = Client().get(path)
        assert response.status_code == 200, path
        html = html_of(response)
        assert " style=" not in html and "<style" not in html, path
        assert "<script" not in html, path
        for svg in re.findall(r"<svg[^>]*>", html):
            assert 'role="img"' in svg and "aria-labelledby" in svg, path


def test_the_indicator_page_shows_its_chart_and_table(demo_city: None) -> None:
    indicator = Indicator.objects.get(code="EN:EN:AQ:1C", part="PM 2.5")
    html = html_of(Client().get(f"/city/indicators/{indicator.pk}/"))
    assert "chart-line-chart" in html and "<caption" in html
    assert "By district" in html and "Old Town" in html


def test_the_dashboard_is_light(demo_city: None) -> None:
    response = Client().get("/city/")
    assert len(response.content) < 100_000
    html = html_of(response)
    assert html.count('class="kpi"') == 12
    assert "Aldermere 2035" in html


def test_the_dashboard_does_a_fixed_number_of_queries(demo_city: None) -> None:
    client = Client()
    client.get("/city/")
    with CaptureQueriesContext(connection) as before:
        client.get("/city/")
    # Many more values change nothing: the dashboard reads the summaries, not the values.
    indicator = Indicator.objects.filter(is_headline=True).first()
    assert indicator is not None
    services.indicator_values_import(
        actor=None,
        text="code,part,period,value,unit\n"
        + "".join(
            f"{indicator.code},{indicator.part},{year},{year % 7},{indicator.unit}\n"
            for year in range(1950, 2015)
        ),
    )
    services.benefit_create(
        actor=None,
        code="B99",
        title="Another",
        kind="social",
        stakeholder_group="residents",
        measure="m",
        unit="u",
    )
    with CaptureQueriesContext(connection) as after:
        client.get("/city/")
    assert len(after) == len(before) <= 8


def test_public_pages_do_a_bounded_number_of_queries(demo_city: None) -> None:
    client = Client()
    for path in [
        "/city/snapshot/",
        "/city/vision/",
        "/city/roadmap/",
        "/city/benefits/",
        "/city/indicators/",
    ]:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        assert len(captured) <= 15, (path, [query["sql"][:80] for query in captured])


def test_the_snapshot_is_printable(demo_city: None) -> None:
    html = html_of(Client().get("/city/snapshot/"))
    assert "operating/operating.css" in html
    assert "30 / 111" in html  # indicators reported out of the U4SSC rows
    assert "Economy" in html and "Environment" in html and "Society and Culture" in html


def test_unknown_public_records_are_404(demo_city: None) -> None:
    assert Client().get("/city/benefits/NOPE/").status_code == 404
    assert Client().get("/city/indicators/01234567-89ab-7def-8123-456789abcdef/").status_code == 404


STAFF_PAGES = [
    "/staff/operating/",
    "/staff/operating/strategy/",
    "/staff/operating/benefit-map/",
    "/staff/operating/benefits/B03/",
    "/staff/operating/indicators/",
    "/staff/operating/risks/",
    "/staff/operating/checklist/",
    "/staff/operating/interoperability/",
    "/staff/operating/registers/stakeholders/",
    "/staff/operating/registers/projects/",
    "/staff/operating/registers/data-assets/",
    "/staff/operating/registers/interoperability-domains/",
]


def test_staff_pages_open_for_staff_only(
    demo_city: None, make_user: Callable[..., Any], signed_in_client: Callable[[Any], Client]
) -> None:
    resident, admin = signed_in_client(make_user()), signed_in_client(make_user(Role.ADMINISTRATOR))
    for path in STAFF_PAGES:
        assert resident.get(path).status_code == 403, path
        assert Client().get(path).status_code == 302, path
        response = admin.get(path)
        assert response.status_code == 200, path
        assert " style=" not in html_of(response), path


def test_project_risk_and_contract_pages_open(
    demo_city: None, make_user: Callable[..., Any], signed_in_client: Callable[[Any], Client]
) -> None:
    from cityhall.operating.models import Contract

    client = signed_in_client(make_user(Role.ADMINISTRATOR))
    assert (
        client.get(f"/staff/operating/projects/{Project.objects.get(code='MOB-02').pk}/").status_code == 200
    )
    assert client.get(f"/staff/operating/risks/{Risk.objects.get(code='R01').pk}/").status_code == 200
    assert client.get(f"/staff/operating/contracts/{Contract.objects.first().pk}/").status_code == 200  # type: ignore[union-attr]


def test_the_office_adds_an_objective_through_the_page(
    reference: None, office: Any, signed_in_client: Callable[[Any], Client]
) -> None:
    client = signed_in_client(office)
    response = client.post(
        "/staff/operating/strategy/",
        {
            "form": "objective",
            "objective-code": "O9",
            "objective-title": "Quieter nights",
            "objective-cells": ["6:8", "2:8"],
        },
    )
    assert response.status_code == 302
    objective = Objective.objects.get(code="O9")
    assert sorted((c.purpose.order, c.issue.order) for c in objective.cells.all()) == [(2, 8), (6, 8)]


def test_a_bad_measurement_comes_back_with_the_error(
    office: Any, signed_in_client: Callable[[Any], Client], make_benefit: Callable[..., Any]
) -> None:
    make_benefit(unit="hours")
    response = signed_in_client(office).post(
        "/staff/operating/benefits/B01/",
        {
            "form": "measurement",
            "measurement-period": f"{last_year()}-02",
            "measurement-value": "3",
            "measurement-unit": "hours",
        },
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "There is a problem" in html and "is monthly, but benefit B01 is measured yearly" in html
    assert not BenefitMeasurement.objects.exists()


def test_a_csv_upload_on_the_page_lists_every_bad_row(
    office: Any, signed_in_client: Callable[[Any], Client], make_benefit: Callable[..., Any]
) -> None:
    make_benefit(unit="hours")
    year = last_year()
    upload = SimpleUploadedFile(
        "m.csv", f"period,value,unit\n{year},1,hours\n{year - 1},x,hours\n{year - 2},2,days\n".encode()
    )
    response = signed_in_client(office).post(
        "/staff/operating/benefits/B01/", {"form": "upload", "upload-file": upload}
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "Row 3:" in html and "Row 4:" in html
    assert not BenefitMeasurement.objects.exists()
    good = SimpleUploadedFile("m.csv", f"period,value,unit\n{year},1,hours\n".encode())
    response = signed_in_client(office).post(
        "/staff/operating/benefits/B01/", {"form": "upload", "upload-file": good}
    )
    assert response.status_code == 302
    assert Benefit.objects.get(code="B01").latest_value == 1


def test_a_register_adds_a_row(office: Any, signed_in_client: Callable[[Any], Client]) -> None:
    response = signed_in_client(office).post(
        "/staff/operating/registers/stakeholders/",
        {
            "form": "add",
            "add-name": "Chamber",
            "add-kind": "business",
            "add-group": "businesses",
            "add-interest": "4",
            "add-influence": "5",
        },
    )
    assert response.status_code == 302
    page = html_of(signed_in_client(office).get("/staff/operating/registers/stakeholders/"))
    assert "Chamber" in page and "Manage closely" in page


def test_a_staff_member_without_the_office_permission_sees_no_forms(
    demo_city: None, make_user: Callable[..., Any], signed_in_client: Callable[[Any], Client]
) -> None:
    html = html_of(signed_in_client(make_user(Role.MODERATOR)).get("/staff/operating/risks/"))
    assert 'name="form" value="risk"' not in html
    response = signed_in_client(make_user(Role.MODERATOR)).post(
        "/staff/operating/registers/stakeholders/",
        {
            "form": "add",
            "add-name": "X",
            "add-kind": "other",
            "add-group": "residents",
            "add-interest": "1",
            "add-influence": "1",
        },
    )
    assert response.status_code == 403


def test_the_indicator_value_form_records_a_value(
    reference: None, office: Any, signed_in_client: Callable[[Any], Client]
) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C")
    response = signed_in_client(office).post(
        "/staff/operating/indicators/",
        {
            "form": "value",
            "value-indicator": str(indicator.pk),
            "value-period": str(last_year()),
            "value-value": "81",
            "value-unit": "%",
        },
    )
    assert response.status_code == 302
    assert indicator.values.get().value == 81


def test_the_office_sets_up_an_indicator_and_its_target_on_the_page(
    reference: None, office: Any, signed_in_client: Callable[[Any], Client]
) -> None:
    from cityhall.operating.models import IndicatorTarget
    from tests.operating.conftest import kpi

    indicator = kpi("EC:ICT:ICT:1C")
    client = signed_in_client(office)
    response = client.post(
        "/staff/operating/indicators/",
        {
            "form": "settings",
            "settings-indicator": str(indicator.pk),
            "settings-unit": "%",
            "settings-frequency": "annual",
            "settings-higher_is_better": "on",
            "settings-is_headline": "on",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.unit, indicator.is_headline) == ("%", True)
    bad = client.post(
        "/staff/operating/indicators/",
        {
            "form": "target",
            "target-indicator": str(indicator.pk),
            "target-target_value": "95",
            "target-target_year": "2030",
            "target-level_bands": "90, 30",
        },
    )
    assert bad.status_code == 400 and "direction that is better" in html_of(bad)
    good = client.post(
        "/staff/operating/indicators/",
        {
            "form": "target",
            "target-indicator": str(indicator.pk),
            "target-target_value": "95",
            "target-target_year": "2030",
            "target-level_bands": "30, 50, 70, 90",
        },
    )
    assert good.status_code == 302
    assert IndicatorTarget.objects.get(indicator=indicator).bands() == [30, 50, 70, 90]


def test_the_office_sets_a_trajectory_and_a_status_on_the_page(
    office: Any, signed_in_client: Callable[[Any], Client], make_benefit: Callable[..., Any], today: Any
) -> None:
    benefit = make_benefit()
    client = signed_in_client(office)
    bad = client.post("/staff/operating/benefits/B01/", {"form": "trajectory", "trajectory-points": "soon 4"})
    assert bad.status_code == 400 and "Line 1: write a date" in html_of(bad)
    response = client.post(
        "/staff/operating/benefits/B01/",
        {"form": "trajectory", "trajectory-points": f"{today.year + 1}-12-31 5\n"},
    )
    assert response.status_code == 302
    assert list(benefit.trajectory.values_list("planned_value", flat=True)) == [5.0]
    assert (
        client.post(
            "/staff/operating/benefits/B01/", {"form": "status", "status-status": "realising"}
        ).status_code
        == 302
    )
    refused = client.post("/staff/operating/benefits/B01/", {"form": "status", "status-status": "planned"})
    assert refused.status_code == 400 and "is realising and cannot become planned" in html_of(refused)
    benefit.refresh_from_db()
    assert benefit.status == "realising"
