"""Incidents: the log, tasks for departments, shelters, situation reports, the decision log,
escalation from a service request; each change audited and on the timeline."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.alerts import services
from cityhall.alerts.contracts import IncidentStatus, ResourceStatus, TimelineKind
from cityhall.alerts.facade import emergency_decision_log, incident_escalate
from cityhall.alerts.models import Alert, Incident, Resource
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(city: None, managers: tuple[User, User], emergency_department: Department) -> Incident:
    return services.incident_create(
        actor=managers[0],
        title="Alder river flood",
        kind="flood",
        severity="severe",
        district="riverside",
        lead_id=managers[0].pk,
        department_id=emergency_department.pk,
    )


def kinds(incident: Incident) -> list[str]:
    return list(incident.timeline.values_list("kind", flat=True))


def test_opening_an_incident_logs_and_audits_it(incident: Incident) -> None:
    assert incident.code == f"INC-{timezone.now().year}-0001"
    assert kinds(incident) == [TimelineKind.OPENED]
    assert AuditEvent.objects.filter(action="incident.create", object_id=str(incident.pk)).exists()


def test_changes_are_logged_field_by_field(incident: Incident, managers: tuple[User, User]) -> None:
    services.incident_update(
        actor=managers[1], incident_id=incident.pk, status="contained", severity="moderate"
    )
    services.incident_update(actor=managers[1], incident_id=incident.pk, status="closed")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED and incident.closed_at is not None
    texts = list(incident.timeline.filter(kind=TimelineKind.CHANGED).values_list("text", flat=True))
    assert texts == ["Status is now Contained; severity is now Moderate.", "Status is now Closed."]


def test_a_task_goes_to_a_department_and_is_ticked_off(
    incident: Incident, managers: tuple[User, User], department: Department
) -> None:
    task = services.incident_task_add(
        actor=managers[0],
        incident_id=incident.pk,
        title="Sandbags on Quay Street",
        department_id=department.pk,
    )
    services.incident_task_update(actor=managers[0], task_id=task.pk, status="done")
    task.refresh_from_db()
    assert task.completed_at is not None
    assert kinds(incident).count(TimelineKind.TASK) == 2
    with pytest.raises(ServiceError, match="departments"):
        services.incident_task_add(
            actor=managers[0], incident_id=incident.pk, title="x", department_id=uuid.uuid4()
        )


def test_a_shelter_fills_up_but_never_beyond_its_capacity(
    incident: Incident, managers: tuple[User, User]
) -> None:
    shelter = services.resource_add(
        actor=managers[0],
        kind="shelter",
        name="Old Town Gymnasium",
        incident_id=incident.pk,
        status="open",
        capacity=100,
        occupancy=90,
    )
    services.resource_update(actor=managers[0], resource_id=shelter.pk, occupancy=100)
    shelter.refresh_from_db()
    assert shelter.status == ResourceStatus.FULL
    with pytest.raises(ServiceError) as error:
        services.resource_update(actor=managers[0], resource_id=shelter.pk, occupancy=101)
    assert error.value.code == "over_capacity"
    services.resource_update(actor=managers[0], resource_id=shelter.pk, occupancy=60)
    shelter.refresh_from_db()
    assert (shelter.occupancy, shelter.status) == (60, ResourceStatus.OPEN)


def test_the_database_refuses_occupancy_over_capacity(incident: Incident) -> None:
    from django.db import IntegrityError, transaction

    shelter = Resource.objects.create(kind="shelter", name="Hall", capacity=10, occupancy=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.filter(pk=shelter.pk).update(occupancy=11)


def test_situation_reports_are_numbered_and_count_people_in_shelters(
    incident: Incident, managers: tuple[User, User]
) -> None:
    services.resource_add(
        actor=managers[0],
        kind="shelter",
        name="Hall",
        incident_id=incident.pk,
        status="open",
        capacity=50,
        occupancy=42,
    )
    now = timezone.now()
    first = services.situation_report_add(
        actor=managers[0],
        incident_id=incident.pk,
        period_start=now - dt.timedelta(hours=3),
        period_end=now,
        situation="Rising.",
        actions="Sandbags.",
    )
    second = services.situation_report_add(
        actor=managers[1],
        incident_id=incident.pk,
        period_start=now,
        period_end=now,
        situation="Peaked.",
        actions="Pumps.",
        people_sheltered=40,
    )
    assert (first.number, first.people_sheltered, second.number, second.people_sheltered) == (1, 42, 2, 40)
    with pytest.raises(ServiceError, match="end after"):
        services.situation_report_add(
            actor=managers[0],
            incident_id=incident.pk,
            period_start=now,
            period_end=now - dt.timedelta(hours=1),
            situation="x",
            actions="y",
        )


def test_the_decision_log_says_who_decided_what_when_and_on_what(
    incident: Incident, managers: tuple[User, User]
) -> None:
    now = timezone.now()
    report = services.situation_report_add(
        actor=managers[0],
        incident_id=incident.pk,
        period_start=now,
        period_end=now,
        situation="s",
        actions="a",
    )
    decided = now - dt.timedelta(minutes=10)
    first = services.decision_record(
        actor=managers[0],
        incident_id=incident.pk,
        decided_at=decided,
        decision="Open the shelters.",
        rationale="Flooding likely tonight.",
        information="Gauge readings; the rain forecast.",
        decided_by_id=managers[1].pk,
        report_numbers=[report.number],
    )
    correction = services.decision_record(
        actor=managers[0],
        incident_id=incident.pk,
        decision="Open only the gymnasium.",
        rationale="The school is needed for classes.",
        information="Call with the school.",
        supersedes_id=first.pk,
    )
    log = emergency_decision_log(incident_id=incident.pk)
    assert [entry.decision for entry in log] == ["Open the shelters.", "Open only the gymnasium."]
    assert log[0].decided_by == "Omar Approver" and log[0].decided_at == decided
    assert log[0].information == "Gauge readings; the rain forecast." and log[0].situation_reports == (1,)
    assert log[1].supersedes == first.pk and log[1].incident_code == incident.code
    assert correction.recorded_by_id == managers[0].pk
    with pytest.raises(ServiceError, match="before it is taken"):
        services.decision_record(
            actor=managers[0],
            incident_id=incident.pk,
            decided_at=now + dt.timedelta(hours=1),
            decision="d",
            rationale="r",
            information="i",
        )


def test_alerts_of_an_incident_appear_on_its_timeline(
    incident: Incident, publish: Callable[..., Alert]
) -> None:
    publish(incident_id=incident.pk)
    assert TimelineKind.ALERT in kinds(incident)
    assert incident.alert_threads.count() == 1


def test_a_service_request_is_escalated_once(
    make_user: Callable[..., User], department: Department, city: None
) -> None:
    staff = make_user(Role.DEPARTMENT_STAFF, department)
    request_id = uuid.uuid4()
    ref, created = incident_escalate(
        actor=staff,
        service_request_id=request_id,
        title="Gas smell at Market Square",
        kind="chemical",
        severity="severe",
        latitude=48.012,
        longitude=11.001,
        reference="SR-2026-00042",
    )
    again, created_again = incident_escalate(actor=staff, service_request_id=request_id, title="Gas smell")
    assert created and not created_again and again.id == ref.id
    incident = Incident.objects.get(pk=ref.id)
    assert incident.status == IncidentStatus.REPORTED and incident.source_service_request == request_id
    assert TimelineKind.ESCALATED in kinds(incident)
    assert "SR-2026-00042" in incident.timeline.get(kind=TimelineKind.ESCALATED).text


def test_a_resident_cannot_escalate(make_user: Callable[..., User], city: None) -> None:
    with pytest.raises(PermissionDeniedError):
        incident_escalate(actor=make_user(), service_request_id=uuid.uuid4(), title="x")


def test_the_incident_api(
    incident: Incident,
    managers: tuple[User, User],
    api_client: Callable[[User], Client],
    department: Department,
    django_assert_max_num_queries: Any,
) -> None:
    client = api_client(managers[1])

    def post(path: str, data: dict[str, Any]) -> Any:
        return client.post(path, data, content_type="application/json")

    base = f"/api/v1/alerts/incidents/{incident.pk}"
    assert post(f"{base}/notes", {"text": "Pumps arrived."}).status_code == 201
    task = post(f"{base}/tasks", {"title": "Close the bridge", "department_id": str(department.pk)}).json()
    assert (
        client.patch(
            f"/api/v1/alerts/tasks/{task['id']}", {"status": "done"}, content_type="application/json"
        ).json()["status"]
        == "done"
    )
    shelter = post(
        "/api/v1/alerts/resources",
        {
            "kind": "shelter",
            "name": "Hall",
            "incident_id": str(incident.pk),
            "capacity": 10,
            "status": "open",
        },
    ).json()
    over = client.patch(
        f"/api/v1/alerts/resources/{shelter['id']}", {"occupancy": 11}, content_type="application/json"
    )
    assert over.status_code == 400 and over.json()["error"]["code"] == "over_capacity"
    now = timezone.now().isoformat()
    report = post(
        f"{base}/reports", {"period_start": now, "period_end": now, "situation": "s", "actions": "a"}
    ).json()
    assert report["number"] == 1
    decision = post(
        f"{base}/decisions",
        {"decision": "Evacuate", "rationale": "r", "information": "i", "report_numbers": [1]},
    )
    assert decision.status_code == 201 and decision.json()["situation_reports"] == [1]
    changed = client.patch(base, {"status": "contained"}, content_type="application/json").json()
    assert changed["status"] == "contained"
    with django_assert_max_num_queries(14):
        detail = client.get(base).json()
    assert len(detail["decisions"]) == 1 and len(detail["tasks"]) == 1 and detail["reports"][0]["number"] == 1
    assert [entry["kind"] for entry in detail["timeline"]][:2] == ["opened", "note"]
    for number in range(3):
        services.incident_create(actor=managers[0], title=f"Fire {number}", kind="fire", severity="minor")
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/alerts/incidents").json()
    assert listed["count"] == 4
    assert client.get("/api/v1/alerts/decisions").json()["count"] == 1
