"""The public pages and API: registry, verification by hash and by upload, key history,
detached signatures; and the staff pages for registering, signing, sharing and keys."""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.documents import services
from cityhall.documents.models import Document, Share, SigningKey
from tests.documents.conftest import PDF

pytestmark = pytest.mark.django_db
SHA = hashlib.sha256(PDF).hexdigest()


def _signed(register: Callable[..., Document], clerk: User, **extra: object) -> Document:
    document = register(**extra)
    services.document_sign(actor=clerk, document_id=document.pk)
    return document


def test_the_verify_page_checks_an_uploaded_file(register: Callable[..., Document], clerk: User) -> None:
    _signed(register, clerk)
    response = Client().post("/documents/verify/", {"file": SimpleUploadedFile("x.pdf", PDF)})
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert (
        "Genuine: this file is version 1" in text and "Dana Official" in text and "Road works permit" in text
    )


def test_the_verify_page_names_the_difference_for_a_changed_file(
    register: Callable[..., Document], clerk: User
) -> None:
    document = _signed(register, clerk)
    changed = PDF.replace(b"Catalog", b"Catalug")
    response = Client().post(
        "/documents/verify/", {"file": SimpleUploadedFile("x.pdf", changed), "document": str(document.pk)}
    )
    text = html.unescape(response.content.decode())
    assert "the file's SHA-256 does not match the registered version" in text
    assert "differs from version 1 registered on" in text


def test_the_verify_page_takes_a_pasted_hash_and_refuses_junk(
    register: Callable[..., Document], clerk: User
) -> None:
    _signed(register, clerk)
    assert "Genuine" in Client().post("/documents/verify/", {"sha256": SHA.upper()}).content.decode()
    bad = Client().post("/documents/verify/", {"sha256": "abc"})
    assert bad.status_code == 400 and "64 characters" in bad.content.decode()
    empty = Client().post("/documents/verify/", {})
    assert empty.status_code == 400 and "Choose a file or paste its SHA-256" in empty.content.decode()


def test_verification_hides_the_title_of_a_document_the_visitor_may_not_read(
    register: Callable[..., Document], clerk: User
) -> None:
    _signed(register, clerk, classification="restricted", title="Secret tender evaluation")
    response = Client().post("/api/v1/documents/verify", {"sha256": SHA}, content_type="application/json")
    body = response.json()
    assert body["status"] == "genuine" and body["title"] is None and body["classification"] == "restricted"
    assert "Secret" not in Client().post("/documents/verify/", {"sha256": SHA}).content.decode()


def test_the_api_verifies_by_hash_and_by_upload(register: Callable[..., Document], clerk: User) -> None:
    document = _signed(register, clerk)
    by_hash = (
        Client().post("/api/v1/documents/verify", {"sha256": SHA}, content_type="application/json").json()
    )
    assert by_hash["genuine"] and by_hash["signatures"][0]["key_valid_then"]
    assert Client().get(f"/api/v1/documents/verify/{SHA}").json()["genuine"]
    assert Client().get("/api/v1/documents/verify/not-a-hash").status_code == 422
    upload = (
        Client()
        .post(
            "/api/v1/documents/verify/upload",
            {"file": SimpleUploadedFile("x.pdf", PDF + b"x"), "document_id": str(document.pk)},
        )
        .json()
    )
    assert upload.get("status") == "mismatch" and "does not match" in upload["message"], upload
    bad = Client().post("/api/v1/documents/verify", {"sha256": "zz"}, content_type="application/json")
    assert bad.status_code == 422


def test_the_api_verifies_a_detached_signature_upload(register: Callable[..., Document], clerk: User) -> None:
    document = _signed(register, clerk)
    signature_id = document.versions.get().signatures.get().pk
    detached = Client().get(f"/api/v1/documents/signatures/{signature_id}").content
    page_file = Client().get(f"/documents/signatures/{signature_id}.sig.json")
    assert page_file["Content-Disposition"].startswith("attachment;")
    result = (
        Client()
        .post(
            "/api/v1/documents/verify/upload",
            {
                "file": SimpleUploadedFile("x.pdf", PDF),
                "signature": SimpleUploadedFile("x.sig.json", detached),
            },
        )
        .json()
    )
    assert result["genuine"] and result["signatures"][0]["in_signature_log"]


def test_the_public_registry_lists_only_public_documents_with_a_bounded_query_count(
    register: Callable[..., Document], clerk: User
) -> None:
    for number in range(5):
        _signed(register, clerk, content=PDF + str(number).encode(), title=f"Public {number}")
    register(content=PDF + b"i", classification="internal", title="Internal memo")
    with CaptureQueriesContext(connection) as queries:
        body = Client().get("/api/v1/documents/").json()
    assert body["count"] == 5 and all(item["signed"] for item in body["items"])
    assert len(queries) <= 4
    page = Client().get("/documents/?q=Public").content.decode()
    assert "Public 3" in page and "Internal memo" not in page
    assert "Internal memo" not in Client().get("/documents/").content.decode()


def test_the_key_history_shows_rotated_keys(register: Callable[..., Document], clerk: User) -> None:
    key = services.user_key(clerk)
    services.signing_key_rotate(actor=clerk, key_id=key.pk)
    page = Client().get("/documents/keys/").content.decode()
    api = Client().get("/api/v1/documents/keys").json()
    assert key.fingerprint in page and api["count"] == 2
    assert {item["valid_until"] is None for item in api["items"]} == {True, False}


def test_staff_register_sign_share_through_the_pages(
    clerk: User, works: Department, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(clerk)
    response = client.post(
        "/staff/documents/",
        {
            "title": "Bridge inspection",
            "department": str(works.pk),
            "classification": "public",
            "file": SimpleUploadedFile("bridge.pdf", PDF, content_type="application/pdf"),
            "retention_years": "10",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert client.post(f"/staff/documents/{document.pk}/sign/").status_code == 302
    assert client.post(f"/staff/documents/{document.pk}/seal/").status_code == 302
    shared = client.post(
        f"/staff/documents/{document.pk}/share/", {"emails": "guest@agency.example", "days": "7"}
    ).content.decode()
    assert "/documents/shared/" in shared and Share.objects.count() == 1
    assert document.versions.get().signatures.count() == 2
    bad = client.post(
        "/staff/documents/",
        {
            "title": "Fake",
            "department": str(works.pk),
            "classification": "public",
            "file": SimpleUploadedFile("fake.pdf", b"MZ not a pdf", content_type="application/pdf"),
        },
    )
    assert bad.status_code == 400 and "is not application/pdf" in html.unescape(bad.content.decode())


def test_staff_rotate_and_revoke_keys_through_the_page(
    clerk: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(clerk)
    assert "You have no key yet" in client.get("/staff/documents/keys/").content.decode()
    key = services.user_key(clerk)
    assert client.post("/staff/documents/keys/", {"action": "rotate", "key": str(key.pk)}).status_code == 302
    current = SigningKey.objects.get(user=clerk, valid_until__isnull=True)
    no_reason = client.post(
        "/staff/documents/keys/", {"action": "revoke", "key": str(current.pk), "reason": ""}
    )
    assert no_reason.status_code == 400
    client.post(
        "/staff/documents/keys/", {"action": "revoke", "key": str(current.pk), "reason": "phone lost"}
    )
    current.refresh_from_db()
    assert current.revocation_reason == "phone lost"


@pytest.mark.parametrize("role", [None, Role.MODERATOR])
def test_staff_pages_refuse_who_does_not_handle_documents(
    role: Role | None,
    make_user: Callable[..., User],
    works: Department,
    signed_in_client: Callable[[User], Client],
) -> None:
    client = signed_in_client(make_user(role, works))
    for path in ("/staff/documents/", "/staff/documents/keys/", "/staff/exchange/"):
        assert client.get(path).status_code == 403


def test_the_api_registers_signs_and_shares_with_a_token(
    clerk: User, works: Department, api_client: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    client = api_client(clerk)
    created = client.post(
        "/api/v1/documents/manage",
        {
            "department_id": str(works.pk),
            "title": "Tender notice",
            "file_name": "tender.txt",
            "media_type": "text/plain",
            "content_base64": base64.b64encode(b"Tender notice").decode(),
            "classification": "public",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]
    signed = client.post(
        f"/api/v1/documents/manage/{document_id}/signatures", {}, content_type="application/json"
    )
    assert signed.status_code == 201 and signed.json()["signer"] == "Dana Official"
    share = client.post(
        f"/api/v1/documents/manage/{document_id}/shares",
        {"anyone_with_link": True, "days": 3},
        content_type="application/json",
    )
    assert share.status_code == 201 and "/documents/shared/" in share.json()["url"]
    outsider = api_client(make_user(Role.DEPARTMENT_STAFF, Department.objects.create(slug="x", name="X")))
    refused = outsider.post(
        f"/api/v1/documents/manage/{document_id}/signatures", {}, content_type="application/json"
    )
    assert refused.status_code == 404
    assert Client().get(f"/api/v1/documents/{document_id}").json()["signed"] is True
