"""Registering, signing, key rotation and revocation, and verification of files and hashes."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import timezone

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.documents import crypto, services, verification
from cityhall.documents.contracts import VerificationStatus
from cityhall.documents.models import Document, Signature, SigningKey
from tests.documents.conftest import PDF

pytestmark = pytest.mark.django_db


def test_a_signed_file_is_genuine_and_names_signer_time_and_key(
    register: Callable[..., Document], clerk: User
) -> None:
    document = register()
    signature = services.document_sign(actor=clerk, document_id=document.pk)

    result = verification.verify_content(PDF)

    assert result.status == VerificationStatus.GENUINE
    assert result.version is not None and result.version.number == 1
    [check] = result.signatures
    assert check.signer_name == "Dana Official"
    assert check.department_name == "Public Works"
    assert check.signed_at == signature.signed_at
    assert check.key_valid_then and check.key_fingerprint == signature.key.fingerprint


def test_a_file_changed_by_one_byte_fails_and_says_why(
    register: Callable[..., Document], clerk: User
) -> None:
    document = register()
    services.document_sign(actor=clerk, document_id=document.pk)
    changed = PDF[:-2] + bytes([PDF[-2] ^ 0x01]) + PDF[-1:]

    alone = verification.verify_content(changed)
    against = verification.verify_content(changed, document_id=document.pk)

    assert alone.status == VerificationStatus.NOT_FOUND
    assert against.status == VerificationStatus.MISMATCH
    assert "SHA-256 does not match the registered version" in against.headline
    assert "differs from version 1 registered on" in against.reasons[0]
    assert hashlib.sha256(PDF).hexdigest() in against.reasons[0]


def test_an_older_version_is_still_genuine_and_says_a_newer_one_exists(
    register: Callable[..., Document], clerk: User
) -> None:
    document = register()
    services.document_sign(actor=clerk, document_id=document.pk)
    services.document_add_version(
        actor=clerk,
        document_id=document.pk,
        file_name="permit-v2.pdf",
        content=PDF + b"% v2\n",
        media_type="application/pdf",
    )

    result = verification.verify_content(PDF, document_id=document.pk)

    assert result.status == VerificationStatus.GENUINE
    assert any("newer version (2)" in reason for reason in result.reasons)
    assert verification.verify_content(PDF + b"% v2\n").status == VerificationStatus.UNSIGNED


def test_the_private_key_is_stored_encrypted_and_bound_to_its_row(
    register: Callable[..., Document], clerk: User
) -> None:
    services.document_sign(actor=clerk, document_id=register().pk)
    key = SigningKey.objects.get(user=clerk)
    assert key.encrypted_private_key.startswith("v1:")
    private = crypto.decrypt_private_key(key.encrypted_private_key, key_id=str(key.pk))
    raw = private.private_bytes_raw()
    assert base64.b64encode(raw).decode() not in key.encrypted_private_key
    with pytest.raises(crypto.KeyDecryptionError):
        crypto.decrypt_private_key(key.encrypted_private_key, key_id="another-key")


def test_a_changed_key_encryption_secret_refuses_to_sign_and_says_what_to_do(
    register: Callable[..., Document], clerk: User, settings: Any
) -> None:
    document = register()
    services.document_sign(actor=clerk, document_id=document.pk)
    services.document_add_version(
        actor=clerk,
        document_id=document.pk,
        file_name="p.pdf",
        content=PDF + b"%2\n",
        media_type="application/pdf",
    )
    settings.DOCUMENTS_KEY_ENCRYPTION_SECRET = "a different secret read at call time"
    with pytest.raises(ServiceError, match="key-encryption secret"):
        services.document_sign(actor=clerk, document_id=document.pk)


def test_rotation_keeps_old_signatures_valid_and_signs_with_the_new_key(
    register: Callable[..., Document], clerk: User
) -> None:
    first = register()
    old = services.document_sign(actor=clerk, document_id=first.pk).key
    new = services.signing_key_rotate(actor=clerk, key_id=old.pk)
    second = register(content=PDF + b"%second\n", title="Second")
    signature = services.document_sign(actor=clerk, document_id=second.pk)

    old.refresh_from_db()
    assert old.valid_until is not None and not old.active
    assert signature.key == new
    assert verification.verify_content(PDF).status == VerificationStatus.GENUINE
    [check] = verification.verify_content(PDF).signatures
    assert "rotated out later" in check.key_note


def _forge_with(key: SigningKey, document: Document, at: dt.datetime) -> Signature:
    """What a thief holding an old private key could produce, even through the log."""
    private = crypto.decrypt_private_key(key.encrypted_private_key, key_id=str(key.pk))
    version = document.versions.get(number=document.current_version)
    return services.signature_record(version=version, key=key, signer=None, signed_at=at, private_key=private)


def test_a_signature_made_after_rotation_says_the_key_was_not_valid_then(
    register: Callable[..., Document], clerk: User
) -> None:
    old = services.user_key(clerk)
    services.signing_key_rotate(actor=clerk, key_id=old.pk)
    document = register()
    _forge_with(old, document, timezone.now())

    result = verification.verify_content(PDF)

    assert result.status == VerificationStatus.INVALID
    assert (
        "rotated out on" in result.reasons[0]
        and "not valid when this signature was made" in result.reasons[0]
    )


def test_a_signature_made_after_revocation_says_the_key_was_not_valid_then(
    register: Callable[..., Document], clerk: User
) -> None:
    key = services.user_key(clerk)
    services.signing_key_revoke(actor=clerk, key_id=key.pk, reason="laptop stolen")
    document = register()
    key.refresh_from_db()
    _forge_with(key, document, timezone.now())

    result = verification.verify_content(PDF)

    assert result.status == VerificationStatus.INVALID
    assert "revoked on" in result.reasons[0] and "laptop stolen" in result.reasons[0]


def test_revocation_needs_a_reason_and_a_revoked_key_is_not_used_again(
    register: Callable[..., Document], clerk: User
) -> None:
    key = services.user_key(clerk)
    with pytest.raises(ServiceError, match="Say why"):
        services.signing_key_revoke(actor=clerk, key_id=key.pk, reason=" ")
    services.signing_key_revoke(actor=clerk, key_id=key.pk, reason="left the city")
    signature = services.document_sign(actor=clerk, document_id=register().pk)
    assert signature.key != key


def test_the_detached_signature_verifies_offline_with_plain_cryptography(
    register: Callable[..., Document], clerk: User
) -> None:
    signature = services.document_sign(actor=clerk, document_id=register().pk)
    detached = json.loads(json.dumps(verification.detached_signature(signature)))

    # The documented offline procedure (docs/documents.md), with nothing from Cityhall:
    statement_bytes = base64.b64decode(detached["statement_base64"])
    statement = json.loads(statement_bytes)
    public_raw = base64.b64decode(detached["public_key"])
    assert hashlib.sha256(public_raw).hexdigest() == detached["public_key_fingerprint"]
    assert statement["key_fingerprint"] == detached["public_key_fingerprint"]
    assert statement["sha256"] == hashlib.sha256(PDF).hexdigest()
    Ed25519PublicKey.from_public_bytes(public_raw).verify(
        base64.b64decode(detached["signature"]), statement_bytes
    )
    assert (
        statement_bytes
        == json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )


def test_a_detached_signature_is_checked_against_the_file_and_key_history(
    register: Callable[..., Document], clerk: User
) -> None:
    signature = services.document_sign(actor=clerk, document_id=register().pk)
    file = json.dumps(verification.detached_signature(signature)).encode()

    assert verification.verify_detached(PDF, file).status == VerificationStatus.GENUINE
    changed = verification.verify_detached(PDF + b" ", file)
    assert changed.status == VerificationStatus.MISMATCH and "does not match" in changed.headline
    assert verification.verify_detached(PDF, b"not json").status == VerificationStatus.INVALID
    tampered = json.loads(file)
    tampered["statement_base64"] = base64.b64encode(
        base64.b64decode(tampered["statement_base64"]).replace(b"Dana", b"Eve.")
    ).decode()
    assert (
        verification.verify_detached(PDF, json.dumps(tampered).encode()).status == VerificationStatus.INVALID
    )


def test_the_signature_log_detects_a_changed_statement(
    register: Callable[..., Document], clerk: User
) -> None:
    services.document_sign(actor=clerk, document_id=register().pk)
    services.document_sign(actor=clerk, document_id=register(content=PDF + b"%2\n").pk)
    assert verification.signature_log_verify().ok

    Signature.objects.filter(seq=1).update(signed_at=timezone.now() - dt.timedelta(days=400))
    assert verification.signature_log_verify().ok  # signed_at column is a copy; the statement rules
    first = Signature.objects.get(seq=1)
    Signature.objects.filter(seq=1).update(statement=first.statement.replace("Dana", "Eve."))

    result = verification.signature_log_verify()
    assert not result.ok and result.first_bad_seq == 1


def test_signing_twice_returns_the_first_signature(register: Callable[..., Document], clerk: User) -> None:
    document = register()
    first = services.document_sign(actor=clerk, document_id=document.pk)
    assert services.document_sign(actor=clerk, document_id=document.pk) == first


def test_a_department_seal_signs_as_the_department(
    register: Callable[..., Document], clerk: User, works: Department
) -> None:
    signature = services.document_sign(actor=clerk, document_id=register().pk, as_department=True)
    assert signature.key.department_id == works.pk
    assert json.loads(signature.statement)["signer"] == {
        "kind": "department",
        "id": f"department:{works.pk}",
        "name": "Public Works",
    }


@pytest.mark.parametrize("role", [None, Role.MODERATOR, Role.DATA_PUBLISHER, Role.ADMINISTRATOR])
def test_only_the_departments_document_handlers_register_and_sign(
    role: Role | None, make_user: Callable[..., User], works: Department, register: Callable[..., Document]
) -> None:
    outsider = make_user(role, works)
    with pytest.raises(PermissionDeniedError):
        register(actor=outsider)
    document = register()
    with pytest.raises(PermissionDeniedError):
        services.document_sign(actor=outsider, document_id=document.pk)


def test_staff_of_another_department_cannot_sign(
    make_user: Callable[..., User], social: Department, register: Callable[..., Document]
) -> None:
    other = make_user(Role.DEPARTMENT_STAFF, social)
    with pytest.raises(PermissionDeniedError):
        services.document_sign(actor=other, document_id=register().pk)


def test_a_council_clerk_may_sign_for_the_clerks_office(
    make_user: Callable[..., User], works: Department
) -> None:
    clerk = make_user(Role.COUNCIL_CLERK, works)
    document = services.document_register(
        actor=clerk,
        department_id=works.pk,
        title="Minutes",
        file_name="m.txt",
        content=b"Minutes",
        media_type="text/plain",
        classification="public",
    )
    assert services.document_sign(actor=clerk, document_id=document.pk).signer == clerk


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"content": b""}, "empty"),
        ({"content": b"not a pdf"}, "not application/pdf"),
        ({"media_type": "application/x-msdownload"}, "not accepted"),
        ({"classification": "secret"}, "classification"),
        ({"title": "  "}, "title"),
        ({"retention_years": 500}, "retention"),
        ({"file_name": "../"}, "needs a name"),
    ],
)
def test_bad_registrations_are_refused_with_a_reason(
    change: dict[str, Any], message: str, register: Callable[..., Document]
) -> None:
    with pytest.raises(ServiceError, match=message):
        register(**change)
    assert not Document.objects.exists()


def test_the_file_name_is_cleaned_and_storage_path_is_server_generated(
    register: Callable[..., Document],
) -> None:
    document = register(file_name="../../etc/passwd\x00.pdf")
    version = document.versions.get()
    assert version.file_name == "passwd.pdf"
    assert version.file.name == f"documents/{version.sha256[:2]}/{version.sha256}"
    assert version.file.read() == PDF
