"""B4: suppliers, procurement needs shared across departments, contracts and the smart-city
contracting checklist (open data, open standards, exit and lock-in, intellectual property)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.operating.models import (
    ClauseItem,
    Contract,
    ContractClauseCheck,
    ContractStatus,
    NeedStatus,
    ProcurementNeed,
    Supplier,
)
from cityhall.operating.services._common import User, audit, get_or_404, require_programme_office, validated
from cityhall.operating.services.strategy import missing_principles

NEED_NEXT_STATUSES = {
    NeedStatus.IDENTIFIED: {NeedStatus.PLANNED, NeedStatus.CANCELLED},
    NeedStatus.PLANNED: {NeedStatus.TENDERING, NeedStatus.CANCELLED},
    NeedStatus.TENDERING: {NeedStatus.AWARDED, NeedStatus.CANCELLED},
    NeedStatus.AWARDED: set(),
    NeedStatus.CANCELLED: set(),
}
CONTRACT_NEXT_STATUSES = {
    ContractStatus.PENDING: {ContractStatus.ACTIVE, ContractStatus.CANCELLED},
    ContractStatus.ACTIVE: {ContractStatus.TERMINATED},
    ContractStatus.CANCELLED: set(),
    ContractStatus.TERMINATED: set(),
}


@transaction.atomic
def supplier_create(
    *,
    actor: User | None,
    name: str,
    identifier_scheme: str = "",
    identifier: str = "",
    country: str = "",
    is_sme: bool = False,
    website: str = "",
) -> Supplier:
    require_programme_office(actor)
    supplier = Supplier(
        name=name.strip(),
        identifier_scheme=identifier_scheme.strip(),
        identifier=identifier.strip(),
        country=country.strip().upper(),
        is_sme=is_sme,
        website=website.strip(),
    )
    validated(supplier)
    supplier.save(force_insert=True)
    audit(actor, "supplier.create", supplier, {"name": supplier.name})
    return supplier


@transaction.atomic
def supplier_rate(*, actor: User | None, supplier_id: uuid.UUID, rating: int, notes: str) -> Supplier:
    require_programme_office(actor)
    supplier = get_or_404(Supplier, supplier_id, _("supplier"))
    if not 1 <= rating <= 5:
        raise ServiceError(_("Rate a supplier from 1 (poor) to 5 (excellent)."), code="invalid_score")
    supplier.performance_rating, supplier.performance_notes = rating, notes.strip()
    supplier.save(update_fields=["performance_rating", "performance_notes", "updated_at"])
    audit(actor, "supplier.rate", supplier, {"rating": rating})
    return supplier


@transaction.atomic
def procurement_need_create(
    *,
    actor: User | None,
    reference: str,
    title: str,
    category: str,
    description: str = "",
    outcomes_sought: str = "",
    department_ids: list[uuid.UUID] | None = None,
    project_id: uuid.UUID | None = None,
    estimated_value: Decimal | None = None,
    currency: str = "EUR",
    needed_by: dt.date | None = None,
    is_e_procurement: bool = True,
) -> ProcurementNeed:
    require_programme_office(actor)
    need = ProcurementNeed(
        reference=reference.strip(),
        title=title.strip(),
        category=category,
        description=description.strip(),
        outcomes_sought=outcomes_sought.strip(),
        project_id=project_id,
        estimated_value=estimated_value,
        currency=currency.upper(),
        needed_by=needed_by,
        is_e_procurement=is_e_procurement,
    )
    validated(need)
    need.save(force_insert=True)
    if department_ids:
        need.departments.set(department_ids)
    audit(
        actor,
        "procurement_need.create",
        need,
        {"reference": need.reference, "departments": department_ids or []},
    )
    return need


@transaction.atomic
def procurement_need_set_status(*, actor: User | None, need_id: uuid.UUID, status: str) -> ProcurementNeed:
    """Move a need on. Tendering needs a self-assessment against every adopted principle."""
    require_programme_office(actor)
    need = get_or_404(ProcurementNeed.objects.select_for_update(), need_id, _("procurement need"))
    if status not in NEED_NEXT_STATUSES.get(NeedStatus(need.status), set()):
        raise ServiceError(
            _("Procurement need %(reference)s is %(current)s and cannot become %(status)s.")
            % {"reference": need.reference, "current": need.get_status_display().lower(), "status": status},
            code="invalid_transition",
        )
    if status == NeedStatus.TENDERING:
        missing = missing_principles(need=need)
        if missing:
            raise ServiceError(
                _(
                    "%(reference)s has not been assessed against the adopted principle(s) %(missing)s. "
                    "Assess it against each one before going to tender."
                )
                % {"reference": need.reference, "missing": ", ".join(missing)},
                code="principles_not_assessed",
            )
    previous = need.status
    need.status = status
    need.save(update_fields=["status", "updated_at"])
    audit(actor, "procurement_need.status", need, {"from": previous, "to": status})
    return need


@transaction.atomic
def contract_create(
    *,
    actor: User | None,
    need_id: uuid.UUID,
    supplier_id: uuid.UUID,
    reference: str,
    title: str,
    value: Decimal,
    starts_on: dt.date,
    ends_on: dt.date,
    currency: str = "EUR",
    signed_on: dt.date | None = None,
) -> Contract:
    require_programme_office(actor)
    need = get_or_404(ProcurementNeed.objects.select_for_update(), need_id, _("procurement need"))
    supplier = get_or_404(Supplier, supplier_id, _("supplier"))
    if need.status == NeedStatus.CANCELLED:
        raise ServiceError(
            _("%(reference)s was cancelled; it cannot get a contract.") % {"reference": need.reference}
        )
    if ends_on < starts_on:
        raise ServiceError(_("A contract cannot end before it starts."), code="invalid_dates")
    contract = Contract(
        need=need,
        supplier=supplier,
        reference=reference.strip(),
        title=title.strip(),
        value=value,
        currency=currency.upper(),
        starts_on=starts_on,
        ends_on=ends_on,
        signed_on=signed_on,
    )
    validated(contract)
    contract.save(force_insert=True)
    if need.status != NeedStatus.AWARDED:
        need.status = NeedStatus.AWARDED
        need.save(update_fields=["status", "updated_at"])
    audit(actor, "contract.create", contract, {"reference": contract.reference, "supplier": supplier.name})
    return contract


@transaction.atomic
def contract_check_clause(
    *, actor: User | None, contract_id: uuid.UUID, item: str, status: str, evidence: str = ""
) -> ContractClauseCheck:
    """Answer one item of the contracting checklist for a contract."""
    require_programme_office(actor)
    contract = get_or_404(Contract, contract_id, _("contract"))
    check = ContractClauseCheck.objects.filter(contract=contract, item=item).first() or ContractClauseCheck(
        contract=contract, item=item
    )
    check.status, check.evidence = status, evidence.strip()
    validated(check)
    check.save()
    audit(actor, "contract.clause", contract, {"item": item, "status": status})
    return check


@transaction.atomic
def contract_set_status(*, actor: User | None, contract_id: uuid.UUID, status: str) -> Contract:
    """A contract becomes active only once every checklist item is answered."""
    require_programme_office(actor)
    contract = get_or_404(Contract.objects.select_for_update(), contract_id, _("contract"))
    if status not in CONTRACT_NEXT_STATUSES.get(ContractStatus(contract.status), set()):
        raise ServiceError(
            _("Contract %(reference)s is %(current)s and cannot become %(status)s.")
            % {
                "reference": contract.reference,
                "current": contract.get_status_display().lower(),
                "status": status,
            },
            code="invalid_transition",
        )
    if status == ContractStatus.ACTIVE:
        answered = set(contract.clause_checks.values_list("item", flat=True))
        missing = [str(item.label) for item in ClauseItem if item.value not in answered]
        if missing:
            raise ServiceError(
                _("Answer the contracting checklist before the contract starts; still open: %(missing)s.")
                % {"missing": "; ".join(missing)},
                code="checklist_incomplete",
            )
    previous = contract.status
    contract.status = status
    contract.save(update_fields=["status", "updated_at"])
    audit(actor, "contract.status", contract, {"from": previous, "to": status})
    return contract
