"""The resident's privacy centre and the staff privacy desk."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cityhall.accounts.contracts import AccessChannel, PersonalDataAccess, Role
from cityhall.accounts.models import (
    ApiToken,
    ConsentPurpose,
    ConsentRecord,
    DataAccessLog,
    LegalHold,
    PrivacyRequest,
    User,
)
from cityhall.accounts.privacy import (
    one_month_after,
    personal_data_accessed,
    privacy_request_answer,
    privacy_request_create,
)
from cityhall.accounts.services import api_token_create
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.notifications.models import OutboundEmail
from cityhall.notifications.services import email_queue
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def reauthenticated(client: Client) -> Client:
    """allauth asks for the password again before exports: give it, as the resident would."""
    response = client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_the_privacy_centre_shows_every_section(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    html = signed_in_client(make_user()).get("/account/privacy/").content.decode()
    for heading in (
        "How sure the city is",
        "Your data",
        "Who used your data",
        "Your consents",
        "Ask for a correction",
    ):
        assert heading in html


def test_a_staff_read_is_shown_to_the_resident_with_who_and_why(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    resident, clerk = make_user(), make_user(Role.COUNCIL_CLERK, full_name="Clara Clerk")
    personal_data_accessed(
        accessor=clerk,
        department="Council Clerk's Office",
        access=PersonalDataAccess(
            resident_ids=(resident.pk,),
            data_category="contact",
            purpose="FOI reply",
            channel=AccessChannel.STAFF_UI,
            case_reference="FOI-12",
        ),
    )
    html = signed_in_client(resident).get("/account/privacy/").content.decode()
    assert "Clara Clerk" in html and "FOI reply" in html and "FOI-12" in html


def test_logging_reads_of_many_residents_takes_a_bounded_number_of_queries(
    make_user: Callable[..., User], django_assert_max_num_queries: Any
) -> None:
    staff = make_user(Role.DEPARTMENT_STAFF)
    residents = tuple(make_user().pk for _ in range(40))
    access = PersonalDataAccess(residents, "contact", "queue listing", AccessChannel.STAFF_UI)
    with django_assert_max_num_queries(8):
        personal_data_accessed(accessor=staff, access=access)
    assert DataAccessLog.objects.count() == 40


def test_my_data_needs_a_fresh_password(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(make_user()).get("/account/privacy/my-data.json")
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]


def test_my_data_exports_everything_held_including_who_read_it(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    resident = make_user(full_name="Rosa Resident")
    email_queue(to=resident.email, subject="Your report", body_text="We fixed it.", purpose="test")
    personal_data_accessed(
        accessor="system-x", access=PersonalDataAccess((resident.pk,), "contact", "check", AccessChannel.API)
    )
    client = reauthenticated(signed_in_client(resident))
    data = json.loads(client.get("/account/privacy/my-data.json").content)
    assert data["personal_data"]["accounts.User"][0]["full_name"] == "Rosa Resident"
    assert data["personal_data"]["notifications.OutboundEmail"][0]["body_text"] == "We fixed it."
    assert data["accesses"][0]["purpose"] == "check"


def test_the_csv_export_is_safe_to_open_in_a_spreadsheet(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    resident = make_user(full_name='=HYPERLINK("http://evil")')
    client = reauthenticated(signed_in_client(resident))
    rows = list(csv.reader(io.StringIO(client.get("/account/privacy/my-data.csv").content.decode())))
    names = [row[3] for row in rows if row[2] == "full_name"]
    assert names == ['\'=HYPERLINK("http://evil")']


def test_consent_is_given_and_withdrawn_with_proof_of_the_text(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    purpose = ConsentPurpose.objects.create(slug="newsletter", title="Newsletter", text="Monthly news.")
    user = make_user()
    client = signed_in_client(user)
    client.post("/account/privacy/consents/newsletter/", {"given": "yes"})
    client.post("/account/privacy/consents/newsletter/", {"given": "no"})
    records = list(ConsentRecord.objects.filter(user=user).order_by("created_at"))
    assert [r.given for r in records] == [True, False]
    assert records[0].text_version == purpose.version and len(records[0].text_sha256) == 64


def test_a_request_is_due_within_one_calendar_month() -> None:
    assert one_month_after(dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC)) == dt.datetime(
        2026, 2, 28, 10, tzinfo=dt.UTC
    )
    assert one_month_after(dt.datetime(2026, 12, 5, tzinfo=dt.UTC)) == dt.datetime(2027, 1, 5, tzinfo=dt.UTC)


def test_erasure_under_a_legal_hold_is_refused_saying_why(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    user = make_user()
    LegalHold.objects.create(user=user, reason="court case 2026/17")
    response = signed_in_client(user).post(
        "/account/privacy/requests/", {"kind": "erasure", "details": "Please erase everything."}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "legal hold (court case 2026/17)" in html
    assert not PrivacyRequest.objects.exists()


def test_an_approved_erasure_removes_what_may_be_removed_and_says_what_is_kept(
    make_user: Callable[..., User],
) -> None:
    admin, resident = make_user(Role.ADMINISTRATOR), make_user(full_name="Rosa Resident")
    email_queue(to=resident.email, subject="s", body_text="b", purpose="test")
    api_token_create(actor=None, user=resident, name="script")
    request = privacy_request_create(user=resident, kind="erasure", details="Erase my account.")

    privacy_request_answer(actor=admin, request=request, approve=True, answer="Your account is erased.")

    resident.refresh_from_db()
    assert (resident.full_name, resident.is_active) == ("", False)
    assert resident.email.endswith("@erased.invalid")
    assert not resident.has_usable_password()
    assert not ApiToken.objects.filter(user=resident).exists()
    request.refresh_from_db()
    assert request.status == PrivacyRequest.Status.DONE
    assert "Kept, as the law requires" in request.answer
    assert OutboundEmail.objects.count() == 1  # public-task delivery records stay (Art. 17(3)(b))


def test_only_administrators_answer_requests(make_user: Callable[..., User]) -> None:
    resident = make_user()
    request = privacy_request_create(user=resident, kind="rectification", details="Fix my name.")
    with pytest.raises(PermissionDeniedError):
        privacy_request_answer(
            actor=make_user(Role.DEPARTMENT_STAFF), request=request, approve=True, answer="x"
        )


def test_a_request_is_answered_once(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    request = privacy_request_create(user=make_user(), kind="rectification", details="Fix my name.")
    privacy_request_answer(actor=admin, request=request, approve=False, answer="Your name is right.")
    with pytest.raises(ServiceError, match="answered already"):
        privacy_request_answer(actor=admin, request=request, approve=True, answer="again")


def test_the_privacy_desk_flags_overdue_requests(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    request = privacy_request_create(user=make_user(), kind="rectification", details="Fix my name.")
    PrivacyRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    html = signed_in_client(make_user(Role.ADMINISTRATOR)).get("/staff/privacy-requests/").content.decode()
    assert "Overdue" in html
    assert signed_in_client(make_user(Role.MODERATOR)).get("/staff/privacy-requests/").status_code == 403


def test_the_resident_desk_prints_a_code_once_and_verifies_in_person(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    staff, resident = make_user(Role.DEPARTMENT_STAFF), make_user()
    client = signed_in_client(staff)
    page = client.post(
        "/staff/residents/",
        {"form": "issue_code", "post-email": resident.email, "post-address": "1 River St"},
    )
    assert len(page.context["issued_code"]) == 11
    done = client.post(
        "/staff/residents/",
        {"form": "in_person", "person-email": resident.email, "person-document": "ID card"},
    )
    assert done.status_code == 302
    unknown = client.post(
        "/staff/residents/",
        {"form": "in_person", "person-email": "nobody@example.org", "person-document": "ID"},
    )
    assert unknown.status_code == 400 and "no account with this email" in unknown.content.decode()
