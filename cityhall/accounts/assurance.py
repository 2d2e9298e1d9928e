"""Assurance levels: how sure the city is who an account belongs to, and how residents get verified.

Levels: account < email verified < verified resident (census match, a posted one-time code, or an
in-person check by staff). Staff work at NIST AAL2 (a second factor) on top of that.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cityhall.accounts import rules
from cityhall.accounts.contracts import Assurance, AssuranceLevel, Permission, VerificationMethod
from cityhall.accounts.levels import level_columns, level_forget, level_from, level_noted
from cityhall.accounts.models import CensusEntry, ResidentVerification, User, VerificationCode
from cityhall.accounts.services import audit_actor
from cityhall.core.audit import audit_record
from cityhall.core.errors import PermissionDeniedError, ServiceError

POSTAL_CODE_VALID_DAYS = 30
POSTAL_CODE_MAX_ATTEMPTS = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: it is typed from paper


def user_assurance(user: User) -> Assurance:
    verification = (
        ResidentVerification.objects.filter(user=user, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if verification is not None:
        level = AssuranceLevel.VERIFIED_RESIDENT
    elif EmailAddress.objects.filter(user=user, verified=True).exists():
        level = AssuranceLevel.EMAIL_VERIFIED
    else:
        level = AssuranceLevel.ACCOUNT
    method = VerificationMethod(verification.method) if verification else None
    return Assurance(level=level, aal=2 if is_mfa_enabled(user) else 1, method=method)


def user_assurance_level(user: User) -> AssuranceLevel:
    """The level alone (what eligibility checks need): one small query on the hot path of voting and
    supporting, written in SQL because building it with the ORM cost more than running it; none when
    the request's token lookup already read it (levels.level_note). user_assurance also reads the
    verification method and the second factor."""
    noted = level_noted(user)
    if noted is not None:
        return noted
    user_id = User._meta.pk.get_db_prep_value(user.pk, connection)
    facts = level_columns("%s", connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {facts['resident']}, {facts['emailed']}", [user_id, user_id])
        resident, emailed = cursor.fetchone()
    return level_from(resident=resident, emailed=emailed)


def require_assurance(user: User, level: AssuranceLevel) -> None:
    """For processes in other modules: refuse, saying how to get there, when the level is too low."""
    current = user_assurance_level(user)
    if current >= level:
        return
    how = {
        AssuranceLevel.EMAIL_VERIFIED: _("Confirm your email address with the link we sent you."),
        AssuranceLevel.VERIFIED_RESIDENT: _(
            "Verify that you live in the city from your account's privacy page: by census match, "
            "a code posted to your address, or at a city office."
        ),
    }.get(level, "")
    raise PermissionDeniedError(
        _("This needs the level “%(level)s”; your account is at “%(current)s”. %(how)s")
        % {"level": level.label, "current": current.label, "how": how}
    )


def users_at_assurance_count(level: AssuranceLevel) -> int:
    """How many active accounts are at `level` or above (the register a share threshold counts from)."""
    users = User.objects.filter(is_active=True)
    verified = ResidentVerification.objects.filter(revoked_at__isnull=True).values("user_id")
    if level >= AssuranceLevel.VERIFIED_RESIDENT:
        users = users.filter(pk__in=verified)
    elif level >= AssuranceLevel.EMAIL_VERIFIED:
        emailed = EmailAddress.objects.filter(verified=True).values("user_id")
        users = users.filter(Q(pk__in=verified) | Q(pk__in=emailed))
    return users.count()


def _verify(
    *, user: User, method: VerificationMethod, verified_by: User | None, evidence: str
) -> ResidentVerification:
    verification = ResidentVerification.objects.create(
        user=user, method=method, verified_by=verified_by, evidence=evidence[:200]
    )
    level_forget(user)
    audit_record(
        actor=audit_actor(verified_by or user),
        action="resident.verified",
        object_type="user",
        object_id=str(user.pk),
        data={"method": str(method)},
    )
    return verification


# --- Census match ---------------------------------------------------------------------------


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(folded.replace("-", " ").split())


def census_match_key(*, full_name: str, birth_date: dt.date, postcode: str) -> str:
    """A keyed hash, so the census table holds no readable names, dates or addresses."""
    message = "|".join([_normalise(full_name), birth_date.isoformat(), _normalise(postcode).replace(" ", "")])
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def census_import(*, actor: User | None, rows: Iterable[tuple[int, dict[str, str]]]) -> int:
    """Load census rows (full_name, birth_date YYYY-MM-DD, postcode); all or nothing, errors name the row."""
    if actor is not None and not rules.can_manage_users(actor):
        raise PermissionDeniedError(_("Only administrators can import the census."))
    keys = []
    for number, row in rows:
        missing = [
            name for name in ("full_name", "birth_date", "postcode") if not (row.get(name) or "").strip()
        ]
        if missing:
            raise ServiceError(
                _("Row %(row)d: %(fields)s missing.") % {"row": number, "fields": ", ".join(missing)},
                code="census_row_invalid",
            )
        try:
            born = dt.date.fromisoformat(row["birth_date"].strip())
        except ValueError as error:
            raise ServiceError(
                _("Row %(row)d: birth_date “%(value)s” is not a date like 1980-04-30.")
                % {"row": number, "value": row["birth_date"]},
                code="census_row_invalid",
            ) from error
        keys.append(census_match_key(full_name=row["full_name"], birth_date=born, postcode=row["postcode"]))
    CensusEntry.objects.bulk_create([CensusEntry(match_key=k) for k in keys], ignore_conflicts=True)
    audit_record(
        actor=audit_actor(actor, system="census-import"),
        action="census.import",
        object_type="census",
        data={"rows": len(keys)},
    )
    return len(keys)


class CensusSource(Protocol):
    """Where census rows come from: built with the location staff give (a file, a register's address),
    it yields (row number, {full_name, birth_date, postcode}). The CENSUS_SOURCE setting names the class."""

    def __init__(self, location: str) -> None: ...

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]: ...


class CsvCensusSource:
    """The census as a UTF-8 CSV file with the columns full_name, birth_date (YYYY-MM-DD), postcode."""

    def __init__(self, location: str) -> None:
        self.location = location

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        with open(self.location, newline="", encoding="utf-8-sig") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):  # row 1 is the header
                yield number, {key.strip(): (value or "") for key, value in row.items() if key}


DEFAULT_CENSUS_SOURCE = "cityhall.accounts.assurance.CsvCensusSource"


def census_source(location: str) -> CensusSource:
    source_class = import_string(getattr(settings, "CENSUS_SOURCE", DEFAULT_CENSUS_SOURCE))
    source: CensusSource = source_class(location)
    return source


def census_import_from(*, actor: User | None, location: str) -> int:
    """Import the census from the configured source (CSV by default); all or nothing."""
    return census_import(actor=actor, rows=census_source(location).rows())


@transaction.atomic
def resident_verify_by_census(
    *, user: User, full_name: str, birth_date: dt.date, postcode: str
) -> ResidentVerification:
    key = census_match_key(full_name=full_name, birth_date=birth_date, postcode=postcode)
    if not CensusEntry.objects.filter(match_key=key).exists():
        raise ServiceError(
            _(
                "We found no resident with that name, birth date and postcode. Check them against your "
                "registration, or ask for a code by post or at a city office."
            ),
            code="census_no_match",
        )
    return _verify(user=user, method=VerificationMethod.CENSUS, verified_by=None, evidence="census match")


# --- Posted one-time code -------------------------------------------------------------------


def _code_hash(code: str) -> str:
    cleaned = "".join(code.upper().split()).replace("-", "")
    return hmac.new(settings.SECRET_KEY.encode(), cleaned.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def verification_code_issue(*, actor: User, user: User, address: str) -> tuple[VerificationCode, str]:
    """Staff print a code for the resident's address; returns the record and the code (shown once)."""
    if not rules.user_has_permission(actor, Permission.MANAGE_USERS) and not rules.user_has_permission(
        actor, Permission.HANDLE_SERVICE_REQUESTS
    ):
        raise PermissionDeniedError(_("Only city staff can issue verification codes."))
    if not address.strip():
        raise ServiceError(_("Give the postal address the code is sent to."), code="address_required")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    code = f"{raw[:5]}-{raw[5:]}"
    record = VerificationCode.objects.create(
        user=user,
        code_hash=_code_hash(code),
        issued_by=actor,
        address=address.strip(),
        expires_at=timezone.now() + dt.timedelta(days=POSTAL_CODE_VALID_DAYS),
    )
    audit_record(
        actor=audit_actor(actor),
        action="verification_code.issue",
        object_type="user",
        object_id=str(user.pk),
        data={"code_id": str(record.pk)},
    )
    return record, code


@dataclass(frozen=True, slots=True)
class PrintedCode:
    """One letter to print: shown once, never stored in clear."""

    email: str
    full_name: str
    address: str
    code: str
    expires_at: dt.datetime


BATCH_MAX_LINES = 500


@transaction.atomic
def verification_codes_issue_batch(*, actor: User, lines: str) -> list[PrintedCode]:
    """Codes for many residents at once, one line each: "email; postal address". All or nothing; an
    error names the line."""
    entries: list[tuple[User, str]] = []
    numbered = [(n, line.strip()) for n, line in enumerate(lines.splitlines(), start=1) if line.strip()]
    if not numbered:
        raise ServiceError(_("Write one line per resident: email; postal address."), code="batch_empty")
    if len(numbered) > BATCH_MAX_LINES:
        raise ServiceError(
            _("At most %(max)d letters at a time; split the list.") % {"max": BATCH_MAX_LINES},
            code="batch_too_long",
        )
    for number, line in numbered:
        email, _sep, address = line.partition(";")
        if not _sep or not email.strip() or not address.strip():
            raise ServiceError(
                _("Line %(line)d: write the email, a semicolon, then the postal address.") % {"line": number},
                code="batch_line_invalid",
            )
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise ServiceError(
                _("Line %(line)d: there is no account with the email %(email)s.")
                % {"line": number, "email": email.strip()},
                code="batch_line_invalid",
            )
        entries.append((user, address.strip()))
    printed = []
    for user, address in entries:
        record, code = verification_code_issue(actor=actor, user=user, address=address)
        printed.append(PrintedCode(user.email, user.full_name, address, code, record.expires_at))
    return printed


def resident_verify_by_code(*, user: User, code: str) -> ResidentVerification:
    """Redeem a posted code. Expired, used or wrong codes are refused with the reason."""
    with transaction.atomic():
        record = (
            VerificationCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if record is None:
            raise ServiceError(
                _("There is no unused code for your account. Ask for a new one."), code="no_code"
            )
        if record.failed_attempts >= POSTAL_CODE_MAX_ATTEMPTS:
            raise ServiceError(
                _("This code was typed wrongly too many times and no longer works. Ask for a new one."),
                code="code_locked",
            )
        if record.expires_at <= timezone.now():
            raise ServiceError(
                _("This code expired on %(date)s. Ask for a new one.")
                % {"date": f"{record.expires_at:%Y-%m-%d}"},
                code="code_expired",
            )
        if not hmac.compare_digest(record.code_hash, _code_hash(code)):
            record.failed_attempts += 1
            record.save(update_fields=["failed_attempts", "updated_at"])
            wrong = True
        else:
            wrong = False
            record.used_at = timezone.now()
            record.save(update_fields=["used_at", "updated_at"])
            verification = _verify(
                user=user,
                method=VerificationMethod.POSTAL_CODE,
                verified_by=record.issued_by,
                evidence="posted code",
            )
    if wrong:  # raised after commit, so the failed attempt is counted
        raise ServiceError(_("That code is not right. Check it against the letter."), code="code_wrong")
    return verification


@transaction.atomic
def resident_verify_in_person(*, actor: User, user: User, document: str) -> ResidentVerification:
    """Staff checked the resident's document at a counter; who checked is recorded."""
    if not rules.can_access_staff_area(actor):
        raise PermissionDeniedError(_("Only city staff can verify residents in person."))
    if actor.pk == user.pk:
        raise PermissionDeniedError(_("Staff cannot verify their own account."))
    if not document.strip():
        raise ServiceError(
            _("Say which document you checked, for example “ID card”."), code="document_required"
        )
    return _verify(user=user, method=VerificationMethod.IN_PERSON, verified_by=actor, evidence=document)
