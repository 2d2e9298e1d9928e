"""/api/v1/operating/: public reads, writes through the services, one error shape, bounded queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cityhall.accounts.contracts import Role
from cityhall.operating import services
from cityhall.operating.models import BenefitLink, IndicatorValue, Risk
from tests.operating.conftest import configured_kpi, last_year

pytestmark = pytest.mark.django_db
API = "/api/v1/operating"


@pytest.fixture
def office_api(office: Any, api_client: Callable[[Any], Client]) -> Client:
    return api_client(office)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    return body["error"]


def test_public_reads_need_no_token(reference: None, make_benefit: Callable[..., Any]) -> None:
    make_benefit()
    client = Client()
    for path in [
        "/dashboard",
        "/objectives",
        "/matrix",
        "/principles",
        "/programmes",
        "/projects",
        "/benefit-map",
        "/benefits",
        "/indicators",
        "/procurement/releases",
        "/procurement/needs",
        "/glossary",
        "/apis",
        "/interoperability",
        "/governance-bodies",
        "/maturity",
        "/benefits/B01/measurements",
    ]:
        assert client.get(API + path).status_code == 200, path


def test_internal_registers_need_a_staff_token(
    api_client: Callable[[Any], Client], make_user: Callable[..., Any]
) -> None:
    assert_error(Client().get(f"{API}/risks"), 401, "not_authenticated")
    assert_error(api_client(make_user()).get(f"{API}/risks"), 403, "permission_denied")
    assert api_client(make_user(Role.MODERATOR)).get(f"{API}/risks").status_code == 200


def test_writes_need_a_token(db: Any) -> None:
    assert_error(
        Client().post(f"{API}/objectives", {}, content_type="application/json"), 401, "not_authenticated"
    )


def test_the_office_builds_the_roadmap_through_the_api(office_api: Client, today: dt.date) -> None:
    programme = office_api.post(
        f"{API}/programmes",
        {"code": "P1", "title": "Green Mobility", "starts_on": "2025-01-01", "ends_on": "2028-12-31"},
        content_type="application/json",
    )
    assert programme.status_code == 201, programme.content
    projects = []
    for code in ("A", "B"):
        response = office_api.post(
            f"{API}/projects",
            {
                "programme_id": programme.json()["id"],
                "code": code,
                "title": code,
                "starts_on": "2025-01-01",
                "ends_on": "2026-01-01",
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        projects.append(response.json()["id"])
    ok = office_api.post(
        f"{API}/projects/{projects[0]}/dependencies",
        {"depends_on_id": projects[1]},
        content_type="application/json",
    )
    assert ok.status_code == 201
    loop = office_api.post(
        f"{API}/projects/{projects[1]}/dependencies",
        {"depends_on_id": projects[0]},
        content_type="application/json",
    )
    error = assert_error(loop, 400, "cycle")
    assert "B cannot depend on A" in error["message"]


def test_a_benefit_map_edge_that_makes_a_loop_is_a_400(office_api: Client) -> None:
    first = services.benefit_map_node_create(actor=None, kind="outcome", label="One")
    second = services.benefit_map_node_create(actor=None, kind="outcome", label="Two")
    services.benefit_link_create(actor=None, from_node_id=first.pk, to_node_id=second.pk, effect="increases")
    response = office_api.post(
        f"{API}/benefit-map/links",
        {"from_node_id": str(second.pk), "to_node_id": str(first.pk), "effect": "increases"},
        content_type="application/json",
    )
    error = assert_error(response, 400, "cycle")
    assert "Two → One → Two" in error["message"]
    assert BenefitLink.objects.count() == 1


def test_a_measurement_in_the_wrong_unit_is_a_400(
    office_api: Client, make_benefit: Callable[..., Any]
) -> None:
    make_benefit(unit="hours")
    response = office_api.post(
        f"{API}/benefits/B01/measurements",
        {"period": str(last_year()), "value": 4, "unit": "minutes"},
        content_type="application/json",
    )
    assert "measured in “hours”" in assert_error(response, 400, "invalid_value")["message"]


def test_a_csv_upload_with_bad_rows_names_each_row(office_api: Client, reference: None) -> None:
    configured_kpi("EC:ICT:ICT:1C")
    year = last_year()
    upload = SimpleUploadedFile(
        "values.csv",
        f"code,period,value,unit\nEC:ICT:ICT:1C,{year},80,%\nEC:ICT:ICT:1C,{year - 1},80,km\n".encode(),
    )
    error = assert_error(office_api.post(f"{API}/indicator-values/import", {"file": upload}), 400, "bad_rows")
    assert error["fields"] == [
        {
            "location": "file.row 3",
            "message": "the value is in “km”, but EC:ICT:ICT:1C is measured in “%”; convert it first",
        }
    ]
    assert not IndicatorValue.objects.exists()
    good = SimpleUploadedFile("values.csv", f"code,period,value,unit\nEC:ICT:ICT:1C,{year},80,%\n".encode())
    response = office_api.post(f"{API}/indicator-values/import", {"file": good})
    assert response.status_code == 200 and response.json() == {"rows": 1, "created": 1, "replaced": 0}


def test_a_file_that_is_not_utf8_is_explained(office_api: Client, make_benefit: Callable[..., Any]) -> None:
    make_benefit()
    upload = SimpleUploadedFile("m.csv", "period,value,unit\n2024,1,hours\nÄ".encode("latin-1"))
    assert (
        "CSV UTF-8"
        in assert_error(
            office_api.post(f"{API}/benefits/B01/measurements/import", {"file": upload}), 400, "bad_encoding"
        )["message"]
    )


def test_validation_errors_use_the_one_error_shape(office_api: Client) -> None:
    error = assert_error(
        office_api.post(
            f"{API}/stakeholders",
            {"name": "X", "kind": "other", "interest": 9, "influence": 1},
            content_type="application/json",
        ),
        422,
        "validation_error",
    )
    assert error["fields"][0]["location"].endswith("interest")


def test_the_dashboard_api_matches_the_page_data(reference: None) -> None:
    indicator = configured_kpi("EC:ICT:ICT:1C", is_headline=True)
    services.indicator_value_record(
        actor=None, indicator_id=indicator.pk, period=str(last_year() - 1), value=70, unit="%"
    )
    services.indicator_value_record(
        actor=None, indicator_id=indicator.pk, period=str(last_year()), value=75, unit="%"
    )
    body = Client().get(f"{API}/dashboard").json()
    (headline,) = body["indicators"]
    assert (headline["code"], headline["latest_value"], headline["trend"]) == (
        "EC:ICT:ICT:1C",
        75.0,
        "better",
    )
    assert headline["series"] == [[str(last_year() - 1), 70.0], [str(last_year()), 75.0]]


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize(
    "path",
    [
        "/indicators",
        "/benefits",
        "/programmes",
        "/projects",
        "/objectives",
        "/risks",
        "/principles",
        "/procurement/needs",
    ],
)
def test_list_endpoints_do_a_fixed_number_of_queries(
    path: str,
    reference: None,
    make_project: Callable[..., Any],
    make_benefit: Callable[..., Any],
    make_user: Callable[..., Any],
    api_client: Callable[[Any], Client],
    today: dt.date,
) -> None:
    client = api_client(make_user(Role.MODERATOR))

    def add(count: int, offset: int) -> None:
        for number in range(offset, offset + count):
            project = make_project(code=f"Q{number}")
            benefit = make_benefit(code=f"BB{number}")
            services.objective_create(actor=None, code=f"O{number}", title="o", cells=[(1, 1), (2, 2)])
            services.risk_create(
                actor=None,
                code=f"R{number}",
                title="r",
                likelihood=2,
                impact=2,
                next_review_due=today,
                project_ids=[project.pk],
                benefit_ids=[benefit.pk],
            )
            services.procurement_need_create(actor=None, reference=f"PN{number}", title="n", category="goods")

    add(2, 0)
    client.get(f"{API}{path}")  # warm caches (token, content types)
    few = _queries(client, f"{API}{path}")
    add(8, 10)
    assert _queries(client, f"{API}{path}") == few
    assert Risk.objects.count() == 10
