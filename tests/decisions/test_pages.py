"""Public decision pages, the Atom feed, open-data exports and the clerk's pages, through HTTP."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from django.test import Client
from lxml import etree

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.decisions import services
from cityhall.decisions.models import Decision, Vote
from tests.decisions.conftest import Council

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(council: Council, open_vote: Decision, clerk: User) -> Decision:
    ana, ben, cy = council.members
    services.votes_record(
        actor=clerk, decision_id=open_vote.pk, votes={ana.pk: "yes", ben.pk: "no", cy.pk: "yes"}
    )
    return services.decision_vote_close(actor=clerk, decision_id=open_vote.pk)


def test_the_search_page_finds_decisions(decided: Decision) -> None:
    response = Client().get("/decisions/", {"q": "cycle lanes"})
    assert response.status_code == 200
    assert "Protected cycle lanes on Harbour Road" in response.content.decode()
    assert "No decisions found" in Client().get("/decisions/", {"q": "zeppelin"}).content.decode()


def test_the_decision_page_shows_the_votes_table(decided: Decision) -> None:
    page = Client().get(f"/decisions/{decided.pk}/").content.decode()
    assert "Yes 2, no 1, abstained 0, absent 0." in page
    assert "<td>Ben</td>" in page and "Adopted" in page


def test_drafts_are_not_public(council: Council, clerk: User) -> None:
    draft = services.decision_create(actor=clerk, body_id=council.body.pk, title="Draft")
    assert Client().get(f"/decisions/{draft.pk}/").status_code == 404


def test_body_and_meeting_pages(council: Council, decided: Decision, clerk: User) -> None:
    services.agenda_item_add(actor=clerk, meeting_id=council.meeting.pk, title="Harbour Road cycle lanes")
    body = Client().get("/decisions/bodies/council/").content.decode()
    assert "Ana" in body and "Dee Former" not in body  # only members whose term covers today
    meeting = Client().get(f"/decisions/meetings/{council.meeting.pk}/").content.decode()
    assert "Harbour Road cycle lanes" in meeting and decided.reference in meeting


def test_the_atom_feed(decided: Decision) -> None:
    response = Client().get("/decisions/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = root.xpath("//a:entry/a:title/text()", namespaces=ns)
    assert titles == [f"{decided.reference}: Protected cycle lanes on Harbour Road (Adopted)"]


def test_open_data_exports(decided: Decision) -> None:
    rows = list(csv.DictReader(io.StringIO(Client().get("/decisions/data/votes.csv").content.decode())))
    assert sorted((r["member_name"], r["option"]) for r in rows) == [
        ("Ana", "yes"),
        ("Ben", "no"),
        ("Cy", "yes"),
    ]
    events = json.loads(Client().get("/decisions/data/votes.json").content)["vote_events"]
    assert events[0]["result"] == "pass"
    assert {c["option"]: c["value"] for c in events[0]["counts"]} == {
        "yes": 2,
        "no": 1,
        "abstain": 0,
        "absent": 0,
    }
    decisions = json.loads(Client().get("/decisions/data/decisions.json").content)["decisions"]
    assert decisions[0]["reference"] == decided.reference
    assert Client().get("/decisions/data/secrets.csv").status_code == 404


def test_the_clerk_records_a_roll_call_on_the_staff_page(
    council: Council, open_vote: Decision, clerk: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(clerk)
    ana, ben, _cy = council.members
    page = client.get(f"/staff/decisions/{open_vote.pk}/").content.decode()
    assert f'name="vote-{ana.pk}"' in page and "Dee Former" not in page
    response = client.post(
        f"/staff/decisions/{open_vote.pk}/",
        {"form": "close", f"vote-{ana.pk}": "yes", f"vote-{ben.pk}": "no", f"vote-{_cy.pk}": "yes"},
    )
    assert response.status_code == 302
    open_vote.refresh_from_db()
    assert open_vote.status == "adopted"


def test_a_vote_for_a_non_member_is_an_error_on_the_page(
    council: Council, open_vote: Decision, clerk: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(clerk).post(
        f"/staff/decisions/{open_vote.pk}/", {"form": "votes", f"vote-{council.outsider.pk}": "yes"}
    )
    assert response.status_code == 400
    assert "is not a member of City Council" in response.content.decode()
    assert Vote.objects.count() == 0


def test_an_invalid_transition_is_an_error_on_the_page(
    decided: Decision, motion: Decision, clerk: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(clerk).post(
        f"/staff/decisions/{decided.pk}/", {"form": "transition", "transition-to_status": "submitted"}
    )
    assert response.status_code == 400
    decided.refresh_from_db()
    assert decided.status == "adopted"


def test_the_clerk_schedules_a_meeting(
    council: Council, clerk: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(clerk).post(
        "/staff/decisions/",
        {
            "form": "meeting",
            "meeting-body": str(council.body.pk),
            "meeting-title": "Council, April",
            "meeting-starts_at": "2026-04-14T18:00",
        },
    )
    assert response.status_code == 302 and "/staff/decisions/meetings/" in response["Location"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.DEPARTMENT_STAFF, Role.EMERGENCY_MANAGER])
def test_staff_pages_are_for_clerks_only(
    role: Role, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    assert signed_in_client(make_user(role)).get("/staff/decisions/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/staff/decisions/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_feed_per_body(council: Council, decided: Decision, clerk: User) -> None:
    other = services.body_create(actor=clerk, slug="port", name="Port Board", kind="board")
    services.decision_create(actor=clerk, body_id=other.pk, title="Port fees", submit=True)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = etree.fromstring(Client().get("/decisions/feed.atom", {"body": "port"}).content)
    assert root.xpath("//a:entry/a:title/text()", namespaces=ns)[0].endswith("Port fees (Submitted)")
    assert len(root.xpath("//a:entry", namespaces=ns)) == 1
    assert Client().get("/decisions/feed.atom", {"body": "nope"}).status_code == 404
