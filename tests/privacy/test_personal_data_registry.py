"""Every personal-data field is declared; retention runs on the declarations; scheduling is once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.apps import apps
from django.utils import timezone

from cityhall.accounts.models import User, VerificationCode
from cityhall.accounts.tasks import personal_data_retention
from cityhall.core.models import ScheduledRun
from cityhall.core.personal_data import LegalBasis, apply_retention, declarations
from cityhall.core.schedule import schedule_tick
from cityhall.notifications.models import OutboundEmail
from cityhall.notifications.services import email_queue

# Field names that usually hold personal data. A field with one of these names must be declared in
# its app's personal_data.py, or listed here with the reason it is not about a person.
PERSONAL_NAMES = {
    "email",
    "to",
    "full_name",
    "first_name",
    "last_name",
    "phone",
    "address",
    "postal_address",
    "date_of_birth",
    "birth_date",
    "ip",
    "ip_address",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
}
NOT_ABOUT_A_PERSON = {
    ("accounts.Department", "email"): "a department's public contact address",
    ("accounts.Department", "phone"): "a department's public contact number",
    ("servicerequests.ServiceRequest", "address"): "where the reported problem is; public in Open311",
}


def test_every_declared_field_exists_with_a_basis_a_public_authority_may_use() -> None:
    for entry in declarations():
        model = apps.get_model(entry.model)
        model._meta.get_field(entry.field)
        assert entry.legal_basis in LegalBasis.values
        assert entry.purpose and entry.category


def test_every_field_that_looks_personal_is_declared() -> None:
    declared = {(e.model, e.field) for e in declarations()}
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("cityhall."):
            continue
        for field in model._meta.get_fields():
            key = (model._meta.label, field.name)
            if field.name in PERSONAL_NAMES and key not in declared and key not in NOT_ABOUT_A_PERSON:
                missing.append(f"{key[0]}.{key[1]}")
    assert missing == [], f"Declare these in the app's personal_data.py: {missing}"


@pytest.mark.django_db
def test_retention_blanks_old_contact_data_but_keeps_the_records_for_statistics() -> None:
    old = email_queue(to="old@example.org", subject="s", body_text="old body", purpose="t")
    new = email_queue(to="new@example.org", subject="s", body_text="new body", purpose="t")
    OutboundEmail.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=91))

    apply_retention()

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.to, old.body_text) == ("", "")
    assert (new.to, new.body_text) == ("new@example.org", "new body")
    assert OutboundEmail.objects.count() == 2
    assert apply_retention() == []  # idempotent: nothing left to do


@pytest.mark.django_db
def test_retention_deletes_expired_postal_codes(make_user: Callable[..., User]) -> None:
    user = make_user()
    code = VerificationCode.objects.create(
        user=user, code_hash="x" * 64, address="1 River St", expires_at=timezone.now()
    )
    VerificationCode.objects.filter(pk=code.pk).update(created_at=timezone.now() - dt.timedelta(days=91))
    assert personal_data_retention.call() == 1
    assert not VerificationCode.objects.exists()


@pytest.mark.django_db
def test_a_periodic_task_is_enqueued_once_per_interval() -> None:
    now = timezone.now()
    assert "personal-data-retention" in schedule_tick(now)
    assert "personal-data-retention" not in schedule_tick(now + dt.timedelta(hours=1))
    assert "personal-data-retention" in schedule_tick(now + dt.timedelta(days=1, seconds=1))
    assert ScheduledRun.objects.get(name="personal-data-retention").last_enqueued_at is not None
