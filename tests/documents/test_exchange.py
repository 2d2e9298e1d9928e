"""Inter-agency exchange: purpose and legal basis required, signed messages, a tamper-evident log,
and the resident's view of each exchange about them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import DataAccessLog, Department, User
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.documents import crypto, facade, services, verification
from cityhall.documents.models import ExchangeRequest, ExchangeResponse, MessageLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user(email="rosa@example.org", full_name="Rosa Resident")


@pytest.fixture
def asker(make_user: Callable[..., User], social: Department) -> User:
    return make_user(Role.DEPARTMENT_STAFF, social, email="sol@city.example")


@pytest.fixture
def answerer(make_user: Callable[..., User], works: Department) -> User:
    return make_user(Role.DEPARTMENT_STAFF, works, email="will@city.example")


@pytest.fixture
def ask(asker: User, social: Department, works: Department, resident: User) -> Callable[..., ExchangeRequest]:
    def _ask(**change: Any) -> ExchangeRequest:
        arguments: dict[str, Any] = {
            "actor": asker,
            "from_department_id": social.pk,
            "to_department_id": works.pk,
            "subject_id": resident.pk,
            "purpose": "assessing a housing benefit claim",
            "legal_basis": "legal_obligation",
            "legal_reference": "Housing Act s. 12",
            "data_items": ["address", "household"],
            "case_reference": "HB-2026-0042",
        }
        arguments.update(change)
        return services.exchange_request_create(**arguments)

    return _ask


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"purpose": "  "}, "State the purpose"),
        ({"legal_basis": ""}, "Name the legal basis"),
        ({"legal_basis": "legitimate_interests"}, "Name the legal basis"),
        ({"data_items": []}, "which data"),
    ],
)
def test_a_request_without_purpose_or_legal_basis_is_refused(
    ask: Callable[..., ExchangeRequest], change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ServiceError, match=message):
        ask(**change)
    assert not ExchangeRequest.objects.exists() and not MessageLogEntry.objects.exists()


def test_the_request_and_the_answer_are_signed_with_each_departments_key(
    ask: Callable[..., ExchangeRequest], answerer: User, social: Department, works: Department
) -> None:
    request = ask()
    services.exchange_answer(
        actor=answerer, request_id=request.pk, provide=True, data={"address": "1 River St", "household": "2"}
    )

    first, second = MessageLogEntry.objects.select_related("key").order_by("seq")
    assert (first.kind, first.key.department_id) == ("request", social.pk)
    assert (second.kind, second.key.department_id) == ("response", works.pk)
    for entry in (first, second):
        assert crypto.verify(entry.key.public_key, entry.signature, entry.body.encode())
    body = json.loads(first.body)
    assert (
        body["purpose"] == "assessing a housing benefit claim" and body["legal_basis"] == "legal_obligation"
    )
    assert json.loads(second.body)["request_sha256"] == crypto.sha256_hex(first.body.encode())
    assert verification.message_log_verify().ok


def test_the_resident_sees_each_exchange_about_them(
    ask: Callable[..., ExchangeRequest],
    answerer: User,
    resident: User,
    signed_in_client: Callable[[User], Client],
) -> None:
    request = ask()
    services.exchange_answer(
        actor=answerer, request_id=request.pk, provide=True, data={"address": "1 River St", "household": "2"}
    )
    ask(purpose="checking a parking permit", data_items=["permits"])

    records = facade.exchanges_about(resident)
    page = signed_in_client(resident).get("/account/privacy/").content.decode()

    assert [r.purpose for r in records] == ["checking a parking permit", "assessing a housing benefit claim"]
    assert records[1].status == "provided" and records[1].from_department == "Social Services"
    assert "assessing a housing benefit claim" in page and "Legal obligation" in page
    access = DataAccessLog.objects.get(resident=resident, channel="inter_agency")
    assert access.purpose == "assessing a housing benefit claim"


def test_only_staff_who_exchange_for_the_department_may_ask_or_answer(
    ask: Callable[..., ExchangeRequest], make_user: Callable[..., User], social: Department, asker: User
) -> None:
    with pytest.raises(PermissionDeniedError):
        ask(actor=make_user(Role.COUNCIL_CLERK, social))
    request = ask()
    with pytest.raises(PermissionDeniedError):
        services.exchange_answer(actor=asker, request_id=request.pk, provide=False, refusal_reason="no")


def test_an_answer_must_give_every_item_or_a_reason(
    ask: Callable[..., ExchangeRequest], answerer: User
) -> None:
    request = ask()
    with pytest.raises(ServiceError, match="missing: household"):
        services.exchange_answer(actor=answerer, request_id=request.pk, provide=True, data={"address": "x"})
    with pytest.raises(ServiceError, match="Say why"):
        services.exchange_answer(actor=answerer, request_id=request.pk, provide=False)
    services.exchange_answer(
        actor=answerer, request_id=request.pk, provide=False, refusal_reason="no such case"
    )
    with pytest.raises(ServiceError, match="already been answered"):
        services.exchange_answer(actor=answerer, request_id=request.pk, provide=False, refusal_reason="again")


def _answered(ask: Callable[..., ExchangeRequest], answerer: User) -> ExchangeRequest:
    request = ask()
    services.exchange_answer(
        actor=answerer, request_id=request.pk, provide=True, data={"address": "1 River St", "household": "2"}
    )
    return request


def test_changing_a_stored_request_after_signing_is_detected(
    ask: Callable[..., ExchangeRequest], answerer: User
) -> None:
    request = _answered(ask, answerer)
    ExchangeRequest.objects.filter(pk=request.pk).update(purpose="something else entirely")
    result = verification.message_log_verify()
    assert (
        not result.ok and result.first_bad_seq == 1 and "no longer matches what was signed" in result.reason
    )


def test_changing_the_data_given_after_signing_is_detected(
    ask: Callable[..., ExchangeRequest], answerer: User
) -> None:
    request = _answered(ask, answerer)
    ExchangeResponse.objects.filter(request=request).update(data={"address": "2 Other St", "household": "2"})
    result = verification.message_log_verify()
    assert not result.ok and result.first_bad_seq == 2


def test_editing_a_log_entry_breaks_the_chain(ask: Callable[..., ExchangeRequest], answerer: User) -> None:
    _answered(ask, answerer)
    entry = MessageLogEntry.objects.get(seq=1)
    MessageLogEntry.objects.filter(seq=1).update(body=entry.body.replace("housing", "parking"))
    result = verification.message_log_verify()
    assert not result.ok and result.first_bad_seq == 1 and "changed after it was logged" in result.reason


def test_removing_the_last_entry_is_detected(ask: Callable[..., ExchangeRequest], answerer: User) -> None:
    _answered(ask, answerer)
    MessageLogEntry.objects.filter(seq=2).delete()
    result = verification.message_log_verify()
    assert not result.ok and "entries were removed" in result.reason


def test_staff_pages_ask_answer_and_show_the_log(
    asker: User,
    answerer: User,
    resident: User,
    social: Department,
    works: Department,
    signed_in_client: Callable[[User], Client],
) -> None:
    client = signed_in_client(asker)
    form = {
        "from_department": str(social.pk),
        "to_department": str(works.pk),
        "subject_email": resident.email,
        "data_items": ["address"],
        "purpose": "",
        "legal_basis": "",
    }
    refused = client.post("/staff/exchange/", form)
    assert refused.status_code == 400 and "State the purpose" in refused.content.decode()

    form.update(purpose="school place allocation", legal_basis="public_task")
    created = client.post("/staff/exchange/", form)
    assert created.status_code == 302
    request = ExchangeRequest.objects.get()

    answer = signed_in_client(answerer).post(
        f"/staff/exchange/{request.pk}/", {"decision": "provide", "item_address": "1 River St"}
    )
    assert answer.status_code == 302
    detail = client.get(f"/staff/exchange/{request.pk}/").content.decode()
    assert "1 River St" in detail
    log = client.get("/staff/exchange/log/").content.decode()
    assert "Intact: 2 messages checked." in log
    assert DataAccessLog.objects.filter(resident=resident, channel="staff_ui").exists()


def test_the_api_refuses_a_request_without_legal_basis(
    asker: User, resident: User, social: Department, works: Department, api_client: Callable[[User], Client]
) -> None:
    response = api_client(asker).post(
        "/api/v1/documents/exchanges",
        {
            "from_department_id": str(social.pk),
            "to_department_id": str(works.pk),
            "subject_id": str(resident.pk),
            "purpose": "a purpose",
            "legal_basis": "",
            "data_items": ["address"],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "legal_basis_required"
