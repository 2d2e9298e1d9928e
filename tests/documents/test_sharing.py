"""Share links: expiry, access list, every access logged; classification rules for reading."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import DataAccessLog, Department, User
from cityhall.core.errors import ServiceError
from cityhall.core.models import AuditEvent
from cityhall.documents import services
from cityhall.documents.models import Document, Share, ShareAccess
from tests.documents.conftest import PDF

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return f"/documents/shared/{token}/"


def test_a_named_recipient_opens_and_downloads_and_both_are_logged(
    register: Callable[..., Document],
    clerk: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
) -> None:
    agency = make_user(email="auditor@agency.example")
    document = register(classification="restricted")
    created = services.share_create(
        actor=clerk, document_id=document.pk, days=7, emails=["Auditor@Agency.example"]
    )
    client = signed_in_client(agency)

    page = client.get(_url(created.token))
    file = client.get(_url(created.token) + "download/")

    assert page.status_code == 200 and b"Road works permit" in page.content
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF
    results = list(ShareAccess.objects.order_by("at").values_list("user__email", "result"))
    assert results == [("auditor@agency.example", "granted"), ("auditor@agency.example", "downloaded")]


def test_an_expired_share_link_says_it_expired(register: Callable[..., Document], clerk: User) -> None:
    created = services.share_create(actor=clerk, document_id=register().pk, days=1, anyone_with_link=True)
    Share.objects.filter(pk=created.share.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = Client().get(_url(created.token))

    assert response.status_code == 410
    assert "This share link expired on" in response.content.decode()
    assert ShareAccess.objects.get().result == "expired"


def test_someone_not_on_the_access_list_is_refused_and_logged(
    register: Callable[..., Document],
    clerk: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
) -> None:
    created = services.share_create(
        actor=clerk,
        document_id=register(classification="restricted").pk,
        days=7,
        emails=["someone@agency.example"],
    )
    stranger = make_user(email="stranger@example.org")

    response = signed_in_client(stranger).get(_url(created.token))
    download = signed_in_client(stranger).get(_url(created.token) + "download/")

    assert response.status_code == 403 and download.status_code == 403
    assert "not on this share's access list" in html.unescape(response.content.decode())
    assert b"%PDF" not in download.content
    access = ShareAccess.objects.filter(user=stranger)
    assert access.count() == 2 and {a.result for a in access} == {"not_on_list"}
    assert AuditEvent.objects.filter(action="document.share_refused").count() == 2


def test_an_anonymous_visitor_is_asked_to_sign_in_and_logged(
    register: Callable[..., Document], clerk: User
) -> None:
    created = services.share_create(actor=clerk, document_id=register().pk, days=7, emails=["a@b.example"])
    response = Client().get(_url(created.token))
    assert response.status_code == 403 and "Sign in to open it" in response.content.decode()
    assert ShareAccess.objects.get().result == "not_signed_in"


def test_a_whole_department_can_be_on_the_access_list(
    register: Callable[..., Document],
    clerk: User,
    social: Department,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
) -> None:
    created = services.share_create(
        actor=clerk, document_id=register(classification="internal").pk, days=7, department_ids=[social.pk]
    )
    member = make_user(Role.DEPARTMENT_STAFF, social)
    assert signed_in_client(member).get(_url(created.token)).status_code == 200


def test_a_withdrawn_link_and_an_unknown_token_are_refused(
    register: Callable[..., Document], clerk: User
) -> None:
    created = services.share_create(actor=clerk, document_id=register().pk, days=7, anyone_with_link=True)
    assert Client().get(_url(created.token)).status_code == 200
    services.share_revoke(actor=clerk, share_id=created.share.pk)
    response = Client().get(_url(created.token))
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    assert Client().get(_url("no-such-token")).status_code == 404


def test_the_token_is_stored_only_as_a_hash(register: Callable[..., Document], clerk: User) -> None:
    created = services.share_create(actor=clerk, document_id=register().pk, days=7, anyone_with_link=True)
    share = Share.objects.get()
    assert created.token not in share.token_sha256 and len(created.token) >= 40


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 0, "anyone_with_link": True}, "1 to 365"),
        ({"days": 7}, "Name who may open"),
        ({"days": 7, "emails": ["not-an-email"]}, "not an email"),
    ],
)
def test_bad_shares_are_refused(
    register: Callable[..., Document], clerk: User, kwargs: dict, message: str
) -> None:
    with pytest.raises(ServiceError, match=message):
        services.share_create(actor=clerk, document_id=register().pk, **kwargs)


def test_restricted_documents_cannot_be_open_to_anyone_with_the_link(
    register: Callable[..., Document], clerk: User
) -> None:
    with pytest.raises(ServiceError, match="only be shared with named"):
        services.share_create(
            actor=clerk, document_id=register(classification="restricted").pk, days=7, anyone_with_link=True
        )


@pytest.mark.parametrize(
    ("classification", "anonymous", "resident", "other_staff", "owner"),
    [
        ("public", 200, 200, 200, 200),
        ("internal", 404, 404, 200, 200),
        ("restricted", 404, 404, 404, 200),
        ("personal_data", 404, 404, 404, 200),
    ],
)
def test_classification_decides_who_reads(
    classification: str,
    anonymous: int,
    resident: int,
    other_staff: int,
    owner: int,
    register: Callable[..., Document],
    clerk: User,
    social: Department,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
) -> None:
    document = register(classification=classification)
    url = f"/documents/{document.pk}/"
    download = f"/documents/{document.pk}/versions/1/download/"
    clients = {
        anonymous: Client(),
        resident: signed_in_client(make_user()),
        other_staff: signed_in_client(make_user(Role.DEPARTMENT_STAFF, social)),
        owner: signed_in_client(clerk),
    }
    for expected, client in [
        (anonymous, Client()),
        (resident, signed_in_client(make_user())),
        (other_staff, signed_in_client(make_user(Role.DEPARTMENT_STAFF, social))),
        (owner, signed_in_client(clerk)),
    ]:
        assert client.get(url).status_code == expected
        assert client.get(download).status_code == expected
    assert clients


def test_reading_a_personal_data_document_is_shown_to_the_resident(
    register: Callable[..., Document],
    clerk: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
) -> None:
    resident = make_user(email="rosa@example.org")
    document = register(classification="personal_data", title="Housing decision", subject_id=resident.pk)

    signed_in_client(clerk).get(f"/documents/{document.pk}/versions/1/download/")

    access = DataAccessLog.objects.get(resident=resident)
    assert access.accessor.startswith("Dana Official") and access.accessor_department == "Public Works"
    assert "Housing decision" in access.purpose


def test_retention_marks_documents_for_disposal_once_and_audits_it(register: Callable[..., Document]) -> None:
    old = register(retention_years=1)
    keep = register(content=PDF + b"%k\n", retention_years=None)
    later = timezone.now() + dt.timedelta(days=400)

    assert services.documents_mark_for_disposal(later) == 1
    assert services.documents_mark_for_disposal(later) == 0

    old.refresh_from_db()
    keep.refresh_from_db()
    assert old.disposal == "marked" and keep.disposal == ""
    assert AuditEvent.objects.filter(action="document.mark_for_disposal").count() == 1
