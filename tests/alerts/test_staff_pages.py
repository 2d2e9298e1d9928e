"""The staff pages: compose in three languages, submit, approve (not one's own), cancel; incidents."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from cityhall.accounts.models import Department, User
from cityhall.alerts import selectors
from cityhall.alerts.contracts import AlertState
from cityhall.alerts.models import Alert, Incident

pytestmark = pytest.mark.django_db


def form(**changes: object) -> dict[str, object]:
    expires = (timezone.now() + dt.timedelta(days=1)).astimezone(selectors.city_zone())
    data: dict[str, object] = {
        "status": "Actual",
        "categories": ["Met"],
        "urgency": "Expected",
        "severity": "Severe",
        "certainty": "Likely",
        "response_types": ["Avoid"],
        "expires": expires.strftime("%Y-%m-%dT%H:%M"),
        "districts": ["riverside"],
        "event_en": "Flood",
        "headline_en": "Flood warning for Riverside",
        "description_en": "The river is rising.",
        "instruction_en": "Keep away from the bank.",
        "event_es": "Inundación",
        "headline_es": "Aviso de inundación en Ribera",
        "description_es": "El río crece.",
    }
    data.update(changes)
    return data


def test_compose_submit_and_approve_through_the_pages(
    city: None, managers: tuple[User, User], signed_in_client: Callable[[User], Client]
) -> None:
    author, approver = (signed_in_client(user) for user in managers)
    assert author.get("/staff/alerts/new/").status_code == 200
    response = author.post("/staff/alerts/new/", form())
    assert response.status_code == 302, response.content.decode()[:2000]
    alert = Alert.objects.get()
    assert alert.infos.count() == 2
    page = author.get(f"/staff/alerts/{alert.pk}/").content.decode()
    assert "Submit for approval" in page and "characters" in page  # the SMS length is shown
    author.post(f"/staff/alerts/{alert.pk}/submit/")
    alert.refresh_from_db()
    assert alert.state == AlertState.PENDING
    own_page = author.get(f"/staff/alerts/{alert.pk}/").content.decode()
    assert "Approve and publish" not in own_page and "another emergency manager must approve" in own_page
    assert "<pre" in own_page and "urn:oasis:names:tc:emergency:cap:1.2" in own_page
    refused = author.post(f"/staff/alerts/{alert.pk}/approve/", {"sha256": alert.xml_sha256}, follow=True)
    assert "you cannot approve it" in refused.content.decode()
    approver.post(f"/staff/alerts/{alert.pk}/approve/", {"sha256": alert.xml_sha256})
    alert.refresh_from_db()
    assert alert.state == AlertState.PUBLISHED and alert.approved_by_id == managers[1].pk

    approver.post(f"/staff/alerts/{alert.pk}/cancel/", {"reason": "The river fell."})
    cancel = Alert.objects.get(msg_type="Cancel", state=AlertState.PENDING)
    author.post(f"/staff/alerts/{cancel.pk}/approve/", {"sha256": cancel.xml_sha256})
    cancel.refresh_from_db()
    assert cancel.state == AlertState.PUBLISHED


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"polygons": "47.9,11.0 48.0,11.0 48.0,11.1 47.9,11.1", "area_description": "Banks"}, "not closed"),
        ({"polygons": "47.9,11.0 48.0,11.0 47.9,11.0", "area_description": "Banks"}, "at least 4 points"),
        ({"circles": "99.9,11.0 2", "area_description": "Round"}, "out of range"),
        (
            {"effective": "2030-01-02T12:00", "expires": "2030-01-02T11:00"},
            "after the time the alert takes effect",
        ),
        ({"districts": []}, "at least one area"),
        ({"description_es": ""}, "or leave all three empty"),
    ],
)
def test_the_composer_shows_each_mistake_next_to_its_field(
    city: None, managers: tuple[User, User], signed_in_client: Callable[[User], Client],
    changes: dict[str, object], field_error: str,
) -> None:  # fmt: skip
    response = signed_in_client(managers[0]).post("/staff/alerts/new/", form(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and field_error in html
    assert not Alert.objects.exists()


def test_the_composer_edits_a_draft_with_its_values(
    city: None, managers: tuple[User, User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(managers[0])
    client.post("/staff/alerts/new/", form())
    alert = Alert.objects.get()
    page = client.get(f"/staff/alerts/{alert.pk}/edit/").content.decode()
    assert 'value="Flood warning for Riverside"' in page and 'value="riverside"' in page
    client.post(
        f"/staff/alerts/{alert.pk}/edit/", form(headline_en="Flood warning for Riverside and Harbour")
    )
    assert alert.infos.get(language="en").headline == "Flood warning for Riverside and Harbour"


def test_the_incident_pages(
    city: None,
    managers: tuple[User, User],
    signed_in_client: Callable[[User], Client],
    department: Department,
) -> None:
    client = signed_in_client(managers[0])
    response = client.post(
        "/staff/incidents/",
        {"title": "Alder flood", "kind": "flood", "severity": "severe", "district": "riverside"},
    )
    incident = Incident.objects.get()
    assert response["Location"] == f"/staff/incidents/{incident.pk}/"
    base = f"/staff/incidents/{incident.pk}/"
    assert client.get(base).status_code == 200
    client.post(base, {"form": "note", "note-text": "Pumps arrived."})
    client.post(
        base, {"form": "task", "task-title": "Close the bridge", "task-department": str(department.pk)}
    )
    client.post(
        base,
        {
            "form": "resource",
            "resource-kind": "shelter",
            "resource-name": "Hall",
            "resource-status": "open",
            "resource-capacity": "20",
            "resource-occupancy": "5",
        },
    )
    now = timezone.now().astimezone(selectors.city_zone()).strftime("%Y-%m-%dT%H:%M")
    client.post(
        base,
        {
            "form": "report",
            "report-period_start": now,
            "report-period_end": now,
            "report-situation": "Rising",
            "report-actions": "Sandbags",
            "report-people_affected": "10",
            "report-people_evacuated": "0",
            "report-injuries": "0",
            "report-fatalities": "0",
        },
    )
    client.post(
        base,
        {
            "form": "decision",
            "decision-decision": "Open the hall",
            "decision-rationale": "Rising water",
            "decision-information": "SITREP 1",
            "decision-reports": ["1"],
        },
    )
    client.post(
        base,
        {"form": "update", "update-status": "contained", "update-severity": "moderate", "update-lead": ""},
    )
    incident.refresh_from_db()
    assert incident.status == "contained"
    assert incident.tasks.count() == 1 and incident.resources.count() == 1 and incident.reports.count() == 1
    assert incident.decisions.get().situation_reports.get().number == 1
    shelter = incident.resources.get()
    client.post(
        f"/staff/incidents/resources/{shelter.pk}/", {"occupancy": "25", "status": "open"}, follow=True
    )
    shelter.refresh_from_db()
    assert shelter.occupancy == 5  # over capacity: refused with a message
    page = client.get(base).content.decode()
    assert "Pumps arrived." in page and "Open the hall" in page


def test_correcting_a_published_alert_keeps_its_areas(
    publish: Callable[..., Alert], managers: tuple[User, User], signed_in_client: Callable[[User], Client]
) -> None:
    alert = publish()
    client = signed_in_client(managers[1])
    response = client.post(f"/staff/alerts/{alert.pk}/update/")
    update = Alert.objects.get(msg_type="Update")
    assert response["Location"] == f"/staff/alerts/{update.pk}/edit/"
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'<input type="checkbox" name="districts" value="riverside"[^>]*checked', page)
    assert "47.972" not in page  # the district's polygon is not copied into the typed polygons
    client.post(f"/staff/alerts/{update.pk}/edit/", form(severity="Extreme"))
    update.refresh_from_db()
    assert update.severity == "Extreme"
    assert list(update.areas.values_list("district__slug", flat=True)) == ["riverside"]
