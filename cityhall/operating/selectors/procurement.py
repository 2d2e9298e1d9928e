"""Reads for B4: procurement needs, contracts with their checklist, suppliers, and the Open Contracting
(OCDS 1.1) release package of the city's smart-city procurement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cityhall.core.models import City
from cityhall.operating.models import (
    ClauseItem,
    ClauseStatus,
    Contract,
    ContractClauseCheck,
    ContractStatus,
    NeedStatus,
    ProcurementNeed,
    Supplier,
)

OCDS_VERSION = "1.1"
DEFAULT_OCID_PREFIX = "ocds-cityhall"
TENDER_STATUS = {
    NeedStatus.IDENTIFIED: "planning",
    NeedStatus.PLANNED: "planned",
    NeedStatus.TENDERING: "active",
    NeedStatus.AWARDED: "complete",
    NeedStatus.CANCELLED: "cancelled",
}
RELEASE_TAG = {
    NeedStatus.IDENTIFIED: ["planning"],
    NeedStatus.PLANNED: ["planning"],
    NeedStatus.TENDERING: ["tender"],
    NeedStatus.AWARDED: ["award", "contract"],
    NeedStatus.CANCELLED: ["tenderCancellation"],
}


def needs() -> QuerySet[ProcurementNeed]:
    contracts = Contract.objects.select_related("supplier").prefetch_related(
        Prefetch("clause_checks", queryset=ContractClauseCheck.objects.order_by("item"))
    )
    return ProcurementNeed.objects.select_related("project").prefetch_related(
        "departments", Prefetch("contracts", queryset=contracts)
    )


def suppliers() -> QuerySet[Supplier]:
    return Supplier.objects.all()


@dataclass(frozen=True, slots=True)
class ContractChecklist:
    contract: Contract
    answers: list[tuple[str, str, ContractClauseCheck | None]]  # (item, label, answer)
    complete: bool
    lock_in_risk: bool


def contract_checklist(contract: Contract) -> ContractChecklist:
    """The four checklist items with their answers; lock-in is flagged when exit or open standards fall "
    "short."""
    answers = {check.item: check for check in contract.clause_checks.all()}
    rows = [(item.value, str(item.label), answers.get(item.value)) for item in ClauseItem]
    risky = {ClauseStatus.NOT_MET, ClauseStatus.PARTLY_MET}
    lock_in = any(
        answer is None or answer.status in risky
        for item, _label, answer in rows
        if item in {ClauseItem.EXIT_AND_LOCK_IN, ClauseItem.OPEN_STANDARDS}
    )
    return ContractChecklist(
        contract=contract, answers=rows, complete=all(answer for _i, _l, answer in rows), lock_in_risk=lock_in
    )


# --- OCDS ----------------------------------------------------------------------------------


def ocid_prefix() -> str:
    return str(getattr(settings, "OCDS_OCID_PREFIX", "") or DEFAULT_OCID_PREFIX)


def _datetime(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _amount(value: Any, currency: str) -> dict[str, Any] | None:
    return None if value is None else {"amount": float(value), "currency": currency}


def _clean(value: Any) -> Any:
    """Leave out empty fields, as OCDS publishers do."""
    if isinstance(value, dict):
        cleaned = {key: _clean(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def ocds_release(need: ProcurementNeed, *, buyer_name: str) -> dict[str, Any]:
    """One OCDS 1.1 release describing the contracting process of a procurement need as it stands."""
    contracts = list(need.contracts.all())
    changed = max([need.updated_at, *(contract.updated_at for contract in contracts)])
    ocid = f"{ocid_prefix()}-{need.pk}"
    buyer = {"id": "buyer", "name": buyer_name}
    parties: list[dict[str, Any]] = [{**buyer, "roles": ["buyer", "procuringEntity"]}]
    for supplier in {contract.supplier.pk: contract.supplier for contract in contracts}.values():
        identifier = (
            {"scheme": supplier.identifier_scheme, "id": supplier.identifier, "legalName": supplier.name}
            if supplier.identifier
            else {"legalName": supplier.name}
        )
        parties.append(
            {
                "id": f"supplier-{supplier.pk}",
                "name": supplier.name,
                "identifier": identifier,
                "address": {"countryName": supplier.country},
                "roles": ["supplier", "payee"],
                "details": {"scale": "sme" if supplier.is_sme else "large"},
            }
        )
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{changed.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%S%fZ')}",
        "date": _datetime(changed),
        "tag": RELEASE_TAG[NeedStatus(need.status)],
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": buyer,
        "planning": {
            "rationale": need.outcomes_sought,
            "budget": {
                "amount": _amount(need.estimated_value, need.currency),
                "project": need.project.title if need.project else "",
                "projectID": need.project.code if need.project else "",
            },
        },
        "tender": {
            "id": need.reference,
            "title": need.title,
            "description": need.description,
            "status": TENDER_STATUS[NeedStatus(need.status)],
            "value": _amount(need.estimated_value, need.currency),
            "mainProcurementCategory": need.category,
            "submissionMethod": ["electronicSubmission"] if need.is_e_procurement else [],
            "procuringEntity": buyer,
        },
        "awards": [
            {
                "id": f"{contract.reference}-award",
                "title": contract.title,
                "status": "cancelled" if contract.status == ContractStatus.CANCELLED else "active",
                "date": _datetime(contract.signed_on),
                "value": _amount(contract.value, contract.currency),
                "suppliers": [{"id": f"supplier-{contract.supplier.pk}", "name": contract.supplier.name}],
            }
            for contract in contracts
        ],
        "contracts": [
            {
                "id": contract.reference,
                "awardID": f"{contract.reference}-award",
                "title": contract.title,
                "status": contract.status,
                "period": {
                    "startDate": _datetime(contract.starts_on),
                    "endDate": _datetime(contract.ends_on),
                },
                "value": _amount(contract.value, contract.currency),
                "dateSigned": _datetime(contract.signed_on),
            }
            for contract in contracts
        ],
    }
    return _clean(release)


def ocds_release_package(*, uri: str) -> dict[str, Any]:
    """An OCDS 1.1 release package of every procurement need, newest first."""
    city = City.objects.only("name").first()
    buyer_name = city.name if city else settings.CITY_NAME
    releases = [ocds_release(need, buyer_name=buyer_name) for need in needs().order_by("-updated_at")]
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _datetime(timezone.now()),
        "publisher": {"name": buyer_name},
        "releases": releases,
    }
