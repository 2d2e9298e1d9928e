"""Assurance levels and the three ways to become a verified resident."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from cityhall.accounts.assurance import (
    POSTAL_CODE_MAX_ATTEMPTS,
    census_import,
    require_assurance,
    resident_verify_by_census,
    resident_verify_by_code,
    resident_verify_in_person,
    user_assurance,
    verification_code_issue,
)
from cityhall.accounts.contracts import AssuranceLevel, Role, VerificationMethod
from cityhall.accounts.models import CensusEntry, ResidentVerification, User, VerificationCode
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BORN = dt.date(1984, 2, 29)


def census_row(
    name: str = "María José Núñez", born: str = "1984-02-29", postcode: str = "AL1 2RV"
) -> dict[str, str]:
    return {"full_name": name, "birth_date": born, "postcode": postcode}


def test_a_new_account_starts_unverified_and_email_verification_raises_it(
    make_user: Callable[..., User],
) -> None:
    user = make_user()
    EmailAddress.objects.filter(user=user).update(verified=False)
    assert user_assurance(user).level == AssuranceLevel.ACCOUNT
    EmailAddress.objects.filter(user=user).update(verified=True)
    assert user_assurance(user).level == AssuranceLevel.EMAIL_VERIFIED


def test_staff_with_a_second_factor_are_at_aal2(make_user: Callable[..., User]) -> None:
    assert user_assurance(make_user(Role.MODERATOR)).aal == 2
    assert user_assurance(make_user()).aal == 1


def test_a_process_asking_for_a_higher_level_says_how_to_get_there(make_user: Callable[..., User]) -> None:
    user = make_user()
    with pytest.raises(PermissionDeniedError, match="Verify that you live in the city"):
        require_assurance(user, AssuranceLevel.VERIFIED_RESIDENT)
    require_assurance(user, AssuranceLevel.EMAIL_VERIFIED)


def test_census_match_tolerates_accents_case_and_spacing(make_user: Callable[..., User]) -> None:
    census_import(actor=None, rows=[(2, census_row())])
    user = make_user()
    resident_verify_by_census(user=user, full_name="maria jose  NUNEZ", birth_date=BORN, postcode="al12rv")
    assessed = user_assurance(user)
    assert (assessed.level, assessed.method) == (AssuranceLevel.VERIFIED_RESIDENT, VerificationMethod.CENSUS)


def test_the_census_table_holds_no_readable_personal_data() -> None:
    census_import(actor=None, rows=[(2, census_row())])
    stored = CensusEntry.objects.get().match_key
    assert "nunez" not in stored.lower() and "1984" not in stored


def test_no_census_match_is_a_clear_refusal(make_user: Callable[..., User]) -> None:
    user = make_user()
    with pytest.raises(ServiceError, match="found no resident"):
        resident_verify_by_census(user=user, full_name="Someone Else", birth_date=BORN, postcode="AL1 2RV")
    assert not ResidentVerification.objects.exists()


def test_a_census_file_with_a_bad_row_imports_nothing_and_names_the_row() -> None:
    rows = [(2, census_row()), (3, census_row(name="B", born="30/04/1980"))]
    with pytest.raises(ServiceError, match="Row 3: birth_date “30/04/1980” is not a date"):
        census_import(actor=None, rows=rows)
    assert not CensusEntry.objects.exists()


def test_only_administrators_import_the_census(make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDeniedError):
        census_import(actor=make_user(Role.DEPARTMENT_STAFF), rows=[(2, census_row())])


def test_a_posted_code_verifies_once(make_user: Callable[..., User]) -> None:
    staff, resident = make_user(Role.DEPARTMENT_STAFF), make_user()
    _record, code = verification_code_issue(actor=staff, user=resident, address="1 River Street")
    verification = resident_verify_by_code(user=resident, code=code.lower().replace("-", " "))
    assert verification.method == VerificationMethod.POSTAL_CODE
    assert verification.verified_by == staff
    with pytest.raises(ServiceError, match="no unused code"):
        resident_verify_by_code(user=resident, code=code)


def test_an_expired_code_says_it_expired(make_user: Callable[..., User]) -> None:
    staff, resident = make_user(Role.DEPARTMENT_STAFF), make_user()
    record, code = verification_code_issue(actor=staff, user=resident, address="1 River Street")
    VerificationCode.objects.filter(pk=record.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ServiceError, match="This code expired on") as caught:
        resident_verify_by_code(user=resident, code=code)
    assert caught.value.code == "code_expired"
    assert user_assurance(resident).level == AssuranceLevel.EMAIL_VERIFIED


def test_wrong_codes_are_counted_and_then_lock_the_code(make_user: Callable[..., User]) -> None:
    staff, resident = make_user(Role.DEPARTMENT_STAFF), make_user()
    _record, code = verification_code_issue(actor=staff, user=resident, address="1 River Street")
    for _ in range(POSTAL_CODE_MAX_ATTEMPTS):
        with pytest.raises(ServiceError, match="not right"):
            resident_verify_by_code(user=resident, code="AAAAA-AAAAA")
    with pytest.raises(ServiceError, match="too many times"):
        resident_verify_by_code(user=resident, code=code)


def test_residents_cannot_issue_codes(make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDeniedError):
        verification_code_issue(actor=make_user(), user=make_user(), address="x")


def test_an_in_person_check_records_who_checked(make_user: Callable[..., User]) -> None:
    staff, resident = make_user(Role.DEPARTMENT_STAFF), make_user()
    verification = resident_verify_in_person(actor=staff, user=resident, document="ID card")
    assert verification.verified_by == staff
    event = AuditEvent.objects.get(action="resident.verified")
    assert event.actor == f"user:{staff.pk}" and event.object_id == str(resident.pk)


def test_staff_cannot_verify_themselves_and_residents_cannot_verify_anyone(
    make_user: Callable[..., User],
) -> None:
    staff = make_user(Role.DEPARTMENT_STAFF)
    with pytest.raises(PermissionDeniedError):
        resident_verify_in_person(actor=staff, user=staff, document="ID card")
    with pytest.raises(PermissionDeniedError):
        resident_verify_in_person(actor=make_user(), user=make_user(), document="ID card")
