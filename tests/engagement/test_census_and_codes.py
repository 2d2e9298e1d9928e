"""The two pieces added to accounts for eligibility: a pluggable census source (CSV first) and printing
one-time codes for many residents at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from cityhall.accounts.assurance import (
    census_import_from,
    resident_verify_by_census,
    resident_verify_by_code,
    verification_codes_issue_batch,
)
from cityhall.accounts.contracts import AssuranceLevel, Role
from cityhall.accounts.facade import user_assurance
from cityhall.accounts.models import CensusEntry, User, VerificationCode
from cityhall.core.errors import ServiceError
from cityhall.core.models import AuditEvent

pytestmark = pytest.mark.django_db


class ListCensusSource:
    """A census source a city might plug in (say, a population-register API)."""

    def __init__(self, location: str) -> None:
        self.location = location

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        yield 1, {"full_name": "Ana Ruiz", "birth_date": "1990-01-31", "postcode": "AL1 1AA"}


def test_the_census_csv_is_imported_and_matches(tmp_path: Path, make_user: Callable[..., User]) -> None:
    census = tmp_path / "census.csv"
    census.write_text(
        "full_name,birth_date,postcode\nAna Ruiz,1990-01-31,AL1 1AA\nBo Li,1975-06-02,AL2 2BB\n",
        encoding="utf-8",
    )
    call_command("census_import", str(census))
    assert CensusEntry.objects.count() == 2
    user = make_user()
    resident_verify_by_census(
        user=user, full_name="ana ruiz", birth_date=dt.date(1990, 1, 31), postcode="al11aa"
    )
    assert user_assurance(user).level == AssuranceLevel.VERIFIED_RESIDENT


def test_a_bad_census_row_is_named_and_nothing_is_imported(tmp_path: Path) -> None:
    census = tmp_path / "census.csv"
    census.write_text("full_name,birth_date,postcode\nAna Ruiz,1990-01-31,AL1 1AA\nBo Li,02/06/1975,AL2\n")
    with pytest.raises(CommandError, match="Row 3: birth_date"):
        call_command("census_import", str(census))
    assert not CensusEntry.objects.exists()


def test_the_census_source_is_pluggable(settings: Any) -> None:
    settings.CENSUS_SOURCE = "tests.engagement.test_census_and_codes.ListCensusSource"
    assert census_import_from(actor=None, location="register") == 1
    assert CensusEntry.objects.count() == 1


def test_staff_print_codes_for_many_residents_and_each_code_works(make_user: Callable[..., User]) -> None:
    clerk = make_user(Role.DEPARTMENT_STAFF)
    ana, bo = make_user(email="ana@example.org"), make_user(email="bo@example.org")
    letters = verification_codes_issue_batch(
        actor=clerk, lines="ana@example.org; 4 Mill Lane, Aldermere\n\nBO@example.org; 9 Quay Street"
    )
    assert [letter.email for letter in letters] == ["ana@example.org", "bo@example.org"]
    assert AuditEvent.objects.filter(action="verification_code.issue").count() == 2
    resident_verify_by_code(user=ana, code=letters[0].code)
    assert user_assurance(ana).level == AssuranceLevel.VERIFIED_RESIDENT
    with pytest.raises(ServiceError, match="not right"):
        resident_verify_by_code(user=bo, code=letters[0].code)


def test_a_bad_line_stops_the_whole_batch(make_user: Callable[..., User]) -> None:
    clerk = make_user(Role.DEPARTMENT_STAFF)
    make_user(email="ana@example.org")
    with pytest.raises(ServiceError, match=r"Line 2: there is no account with the email nobody@example\.org"):
        verification_codes_issue_batch(
            actor=clerk, lines="ana@example.org; 4 Mill Lane\nnobody@example.org; 1 Road"
        )
    with pytest.raises(ServiceError, match="Line 1: write the email, a semicolon"):
        verification_codes_issue_batch(actor=clerk, lines="ana@example.org 4 Mill Lane")
    assert not VerificationCode.objects.exists()


def test_the_printable_letters_page(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    clerk = make_user(Role.DEPARTMENT_STAFF)
    make_user(email="ana@example.org", full_name="Ana Ruiz")
    client = signed_in_client(clerk)
    assert client.get("/staff/residents/codes/").status_code == 200
    response = client.post("/staff/residents/codes/", {"lines": "ana@example.org; 4 Mill Lane"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Ana Ruiz" in page and "4 Mill Lane" in page and 'class="secret"' in page
    refused = client.post("/staff/residents/codes/", {"lines": "nobody@example.org; 1 Road"})
    assert refused.status_code == 400 and "there is no account" in refused.content.decode()
    resident = make_user()
    assert signed_in_client(resident).get("/staff/residents/codes/").status_code == 403
