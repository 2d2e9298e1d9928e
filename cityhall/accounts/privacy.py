"""The resident's privacy: consents, who read their data, GDPR requests, export and erasure."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts import rules
from cityhall.accounts.assurance import user_assurance
from cityhall.accounts.contracts import PersonalDataAccess
from cityhall.accounts.models import (
    ApiToken,
    ConsentPurpose,
    ConsentRecord,
    DataAccessLog,
    LegalHold,
    PrivacyRequest,
    User,
)
from cityhall.accounts.services import audit_actor
from cityhall.core.audit import audit_record
from cityhall.core.csvsafe import csv_text
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.personal_data import DataSubject, erase_personal_data, erasure_plan, personal_data_of

ACCOUNT_MODEL = "accounts.User"


def one_month_after(moment: dt.datetime) -> dt.datetime:
    """GDPR Art. 12(3): "within one month" — the same day next month, or that month's last day."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# --- Consent --------------------------------------------------------------------------------


@transaction.atomic
def consent_set(*, user: User, purpose: ConsentPurpose, given: bool, channel: str = "web") -> ConsentRecord:
    """Give or withdraw consent; each change is a new record proving the text that was agreed to."""
    record = ConsentRecord.objects.create(
        user=user,
        purpose=purpose,
        text_version=purpose.version,
        text_sha256=hashlib.sha256(purpose.text.encode()).hexdigest(),
        given=given,
        channel=channel,
    )
    audit_record(
        actor=audit_actor(user),
        action="consent.give" if given else "consent.withdraw",
        object_type="consent_purpose",
        object_id=purpose.slug,
        data={"version": purpose.version},
    )
    return record


def consents_of(user: User) -> list[tuple[ConsentPurpose, ConsentRecord | None]]:
    latest: dict[Any, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(user=user).order_by("created_at"):
        latest[record.purpose_id] = record
    return [(purpose, latest.get(purpose.pk)) for purpose in ConsentPurpose.objects.order_by("title")]


def has_consent(user: User, purpose_slug: str) -> bool:
    record = (
        ConsentRecord.objects.filter(user=user, purpose__slug=purpose_slug).order_by("-created_at").first()
    )
    return bool(record and record.given)


# --- Who used my data -----------------------------------------------------------------------


def personal_data_accessed(*, accessor: User | str, department: str = "", access: PersonalDataAccess) -> None:
    """Log a read of residents' personal data: one row each (shown to them) and one audit event.

    Two inserts whatever the number of residents, so list pages stay within a bounded query count.
    """
    if not access.resident_ids:
        return
    label = accessor if isinstance(accessor, str) else f"{accessor.get_full_name()} ({accessor.email})"
    event = audit_record(
        actor=audit_actor(accessor) if isinstance(accessor, User) else audit_actor(None, system=accessor),
        action="personal_data.read",
        object_type="residents",
        data={
            "residents": [str(r) for r in access.resident_ids],
            "category": access.data_category,
            "purpose": access.purpose,
            "channel": str(access.channel),
            "case": access.case_reference,
        },
    )
    DataAccessLog.objects.bulk_create(
        [
            DataAccessLog(
                resident_id=resident_id,
                accessor=label[:200],
                accessor_department=department[:200],
                channel=access.channel,
                data_category=access.data_category,
                purpose=access.purpose,
                case_reference=access.case_reference,
                audit_seq=event.seq,
            )
            for resident_id in access.resident_ids
        ]
    )


# --- GDPR requests --------------------------------------------------------------------------


def active_legal_hold(user: User) -> LegalHold | None:
    today = timezone.localdate()
    for hold in LegalHold.objects.filter(user=user):
        if hold.until is None or hold.until >= today:
            return hold
    return None


@transaction.atomic
def privacy_request_create(*, user: User, kind: str, details: str) -> PrivacyRequest:
    if kind not in PrivacyRequest.Kind.values:
        raise ServiceError(_("Choose what you are asking for: correction or erasure."), code="invalid_kind")
    if not details.strip():
        raise ServiceError(_("Say what should be corrected or erased."), code="details_required")
    if kind == PrivacyRequest.Kind.ERASURE:
        hold = active_legal_hold(user)
        if hold is not None:
            until = f"{hold.until:%Y-%m-%d}" if hold.until else _("further notice")
            raise ServiceError(
                _(
                    "Your data cannot be erased now: it is under a legal hold (%(reason)s) until %(until)s. "
                    "The city must keep it by law (GDPR Art. 17(3)); you can still ask for corrections."
                )
                % {"reason": hold.reason, "until": until},
                code="legal_hold",
                status=409,
            )
    now = timezone.now()
    request = PrivacyRequest.objects.create(
        user=user, kind=kind, details=details.strip(), due_at=one_month_after(now)
    )
    audit_record(
        actor=audit_actor(user),
        action="privacy_request.create",
        object_type="privacy_request",
        object_id=str(request.pk),
        data={"kind": kind},
    )
    return request


def _anonymise_account(user: User) -> None:
    EmailAddress.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "full_name", "is_active", "password"])


@transaction.atomic
def privacy_request_answer(
    *, actor: User, request: PrivacyRequest, approve: bool, answer: str
) -> PrivacyRequest:
    """Staff answer a request. Approving an erasure erases what may be erased and says what is kept."""
    if not rules.can_manage_users(actor):
        raise PermissionDeniedError(_("Only administrators handle data-protection requests."))
    if request.status != PrivacyRequest.Status.RECEIVED:
        raise ServiceError(_("This request has been answered already."), code="already_answered")
    if not answer.strip():
        raise ServiceError(_("Write the answer the resident will read."), code="answer_required")
    text = answer.strip()
    if approve and request.kind == PrivacyRequest.Kind.ERASURE:
        hold = active_legal_hold(request.user)
        if hold is not None:
            raise ServiceError(
                _("The resident's data is under a legal hold (%(reason)s); erasure must wait.")
                % {"reason": hold.reason},
                code="legal_hold",
                status=409,
            )
        kept = sorted({item.reason for item in erasure_plan() if not item.erasable})
        subject = DataSubject(id=request.user.pk, email=request.user.email)
        erase_personal_data(subject, skip_models=frozenset({ACCOUNT_MODEL}))
        _anonymise_account(request.user)
        if kept:
            text += "\n\n" + _("Kept, as the law requires:") + "\n- " + "\n- ".join(kept)
    request.status = PrivacyRequest.Status.DONE if approve else PrivacyRequest.Status.REFUSED
    request.answer = text
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
    audit_record(
        actor=audit_actor(actor),
        action="privacy_request.answer",
        object_type="privacy_request",
        object_id=str(request.pk),
        data={"kind": request.kind, "status": request.status},
    )
    return request


# --- My data --------------------------------------------------------------------------------


def my_data(user: User) -> dict[str, Any]:
    """Everything held about the resident (GDPR Art. 15), including who read it."""
    assurance = user_assurance(user)
    return {
        "account": {"id": str(user.pk), "email": user.email, "joined": user.date_joined.isoformat()},
        "assurance": {"level": str(assurance.level.label), "second_factor": assurance.aal == 2},
        "personal_data": personal_data_of(DataSubject(id=user.pk, email=user.email)),
        "consents": [
            {
                "purpose": purpose.slug,
                "given": bool(record and record.given),
                "at": record.created_at.isoformat() if record else None,
            }
            for purpose, record in consents_of(user)
        ],
        "accesses": [
            {
                "at": row.at.isoformat(),
                "who": row.accessor,
                "department": row.accessor_department,
                "channel": row.channel,
                "data": row.data_category,
                "purpose": row.purpose,
                "case": row.case_reference,
            }
            for row in DataAccessLog.objects.filter(resident=user).order_by("-at")
        ],
        "requests": [
            {"kind": r.kind, "status": r.status, "due": r.due_at.isoformat(), "answer": r.answer}
            for r in PrivacyRequest.objects.filter(user=user)
        ],
    }


def my_data_csv(user: User) -> str:
    """The same export as rows of section, record, field, value (spreadsheet-safe)."""
    data = my_data(user)
    rows: list[list[Any]] = []
    for key, value in data["account"].items():
        rows.append(["account", "", key, value])
    for model_label, records in data["personal_data"].items():
        for record in records:
            for key, value in record.items():
                if key != "pk":
                    rows.append([model_label, record["pk"], key, value])
    for section in ("consents", "accesses", "requests"):
        for number, item in enumerate(data[section], start=1):
            for key, value in item.items():
                rows.append([section, number, key, value])
    return csv_text(["section", "record", "field", "value"], rows)
