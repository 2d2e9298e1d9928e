"""The operating model's simple registers as one kind of staff page: a table and a form to add a row.

Each register names its form, the service that adds a row, the rows to list and the columns to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.core.errors import ServiceError
from cityhall.operating import forms, rules, services
from cityhall.operating.models import Contract
from cityhall.operating.selectors import architecture, procurement, roadmap, strategy
from cityhall.operating.views.staff import _bound, _staff, _status, submit

Column = tuple[Promise, Callable[[Any], Any]]


@dataclass(frozen=True)
class Register:
    slug: str
    title: Promise
    form: type[django_forms.Form]
    create: Callable[[Any, dict[str, Any]], Any]
    rows: Callable[[], QuerySet[Any]]
    columns: list[Column]
    link: Callable[[Any], str] | None = None


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _without(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in names}


def _department(row: Any) -> str:
    department = getattr(row, "department", None)
    return department.name if department is not None else "—"


REGISTERS = {
    register.slug: register
    for register in [
        Register(
            "governance-bodies",
            gettext_lazy("Governance bodies"),
            forms.GovernanceBodyForm,
            lambda user, d: services.governance_body_create(actor=user, **d),
            strategy.governance_bodies,
            [
                (gettext_lazy("Name"), lambda r: r.name),
                (gettext_lazy("Kind"), lambda r: r.get_kind_display()),
                (gettext_lazy("Department"), _department),
                (gettext_lazy("Meets"), lambda r: r.meeting_frequency),
            ],
        ),
        Register(
            "stakeholders",
            gettext_lazy("Stakeholder register"),
            forms.StakeholderForm,
            lambda user, d: services.stakeholder_create(actor=user, **d),
            strategy.stakeholder_register,
            [
                (gettext_lazy("Name"), lambda r: r.name),
                (gettext_lazy("Kind"), lambda r: r.get_kind_display()),
                (gettext_lazy("Interest"), lambda r: r.interest),
                (gettext_lazy("Influence"), lambda r: r.influence),
                (gettext_lazy("Approach"), lambda r: r.engagement_approach),
            ],
        ),
        Register(
            "engagements",
            gettext_lazy("Engagement activities"),
            forms.EngagementForm,
            lambda user, d: services.engagement_activity_create(actor=user, **d),
            strategy.engagement_activities,
            [
                (gettext_lazy("Held on"), lambda r: r.held_on),
                (gettext_lazy("Title"), lambda r: r.title),
                (gettext_lazy("Method"), lambda r: r.get_method_display()),
                (
                    gettext_lazy("Participants"),
                    lambda r: r.participants if r.participants is not None else "—",
                ),
                (gettext_lazy("Loop closed"), lambda r: _("yes") if r.response else _("no")),
            ],
        ),
        Register(
            "programmes",
            gettext_lazy("Programmes"),
            forms.ProgrammeForm,
            lambda user, d: services.programme_create(
                actor=user, owner_id=d["owner"], **_without(d, "owner")
            ),
            roadmap.programme_list,
            [
                (gettext_lazy("Code"), lambda r: r.code),
                (gettext_lazy("Title"), lambda r: r.title),
                (gettext_lazy("Status"), lambda r: r.get_status_display()),
                (gettext_lazy("Starts"), lambda r: r.starts_on),
                (gettext_lazy("Ends"), lambda r: r.ends_on),
            ],
        ),
        Register(
            "projects",
            gettext_lazy("Projects"),
            forms.ProjectForm,
            lambda user, d: services.project_create(actor=user, owner_id=d["owner"], **_without(d, "owner")),
            roadmap.project_list,
            [
                (gettext_lazy("Code"), lambda r: r.code),
                (gettext_lazy("Title"), lambda r: r.title),
                (gettext_lazy("Programme"), lambda r: r.programme.code),
                (gettext_lazy("Status"), lambda r: r.get_status_display()),
                (gettext_lazy("Ends"), lambda r: r.ends_on),
            ],
            link=lambda r: reverse("operating:staff_project", kwargs={"project_id": r.pk}),
        ),
        Register(
            "suppliers",
            gettext_lazy("Suppliers"),
            forms.SupplierForm,
            lambda user, d: services.supplier_create(actor=user, **d),
            procurement.suppliers,
            [
                (gettext_lazy("Name"), lambda r: r.name),
                (
                    gettext_lazy("Identifier"),
                    lambda r: f"{r.identifier_scheme} {r.identifier}".strip() or "—",
                ),
                (gettext_lazy("SME"), lambda r: _("yes") if r.is_sme else _("no")),
                (gettext_lazy("Performance"), lambda r: r.performance_rating or "—"),
            ],
        ),
        Register(
            "procurement-needs",
            gettext_lazy("Procurement needs"),
            forms.NeedForm,
            lambda user, d: services.procurement_need_create(actor=user, **d),
            procurement.needs,
            [
                (gettext_lazy("Reference"), lambda r: r.reference),
                (gettext_lazy("Title"), lambda r: r.title),
                (gettext_lazy("Category"), lambda r: r.get_category_display()),
                (gettext_lazy("Status"), lambda r: r.get_status_display()),
            ],
        ),
        Register(
            "contracts",
            gettext_lazy("Contracts"),
            forms.ContractForm,
            lambda user, d: services.contract_create(actor=user, **d),
            lambda: Contract.objects.select_related("need", "supplier"),
            [
                (gettext_lazy("Reference"), lambda r: r.reference),
                (gettext_lazy("Title"), lambda r: r.title),
                (gettext_lazy("Supplier"), lambda r: r.supplier.name),
                (gettext_lazy("Status"), lambda r: r.get_status_display()),
            ],
            link=lambda r: reverse("operating:staff_contract", kwargs={"contract_id": r.pk}),
        ),
        Register(
            "glossary",
            gettext_lazy("Glossary"),
            forms.TermForm,
            lambda user, d: services.term_create(
                actor=user, alt_labels=_split(d["alt_labels"]), **_without(d, "alt_labels")
            ),
            architecture.glossary,
            [
                (gettext_lazy("Term"), lambda r: r.label),
                (gettext_lazy("ISO/IEC 30182 concept"), lambda r: r.sccm_concept or "—"),
                (gettext_lazy("Definition"), lambda r: r.definition),
            ],
        ),
        Register(
            "it-systems",
            gettext_lazy("IT systems"),
            forms.ItSystemForm,
            lambda user, d: services.it_system_create(
                actor=user, owner_id=d["owner"], **_without(d, "owner")
            ),
            architecture.it_systems,
            [
                (gettext_lazy("Name"), lambda r: r.name),
                (gettext_lazy("Capability"), lambda r: r.capability),
                (gettext_lazy("Department"), _department),
                (gettext_lazy("Lifecycle"), lambda r: r.get_lifecycle_display()),
                (gettext_lazy("Data assets"), lambda r: r.data_asset_count),
            ],
        ),
        Register(
            "data-assets",
            gettext_lazy("Data assets"),
            forms.DataAssetForm,
            lambda user, d: services.data_asset_create(
                actor=user, catalog_datasets=_split(d["catalog_datasets"]), **_without(d, "catalog_datasets")
            ),
            architecture.data_assets,
            [
                (gettext_lazy("Name"), lambda r: r.name),
                (gettext_lazy("Department"), _department),
                (gettext_lazy("Classification"), lambda r: r.get_classification_display()),
                (gettext_lazy("Sharing"), lambda r: r.get_sharing_display()),
                (gettext_lazy("Catalog datasets"), lambda r: ", ".join(r.catalog_datasets) or "—"),
            ],
        ),
        Register(
            "apis",
            gettext_lazy("APIs and services"),
            forms.ApiServiceForm,
            lambda user, d: services.api_service_create(actor=user, **d),
            architecture.api_registry,
            [
                (gettext_lazy("Name"), lambda r: r.name),
                (gettext_lazy("Address"), lambda r: r.base_url),
                (gettext_lazy("Status"), lambda r: r.get_status_display()),
                (gettext_lazy("Operations"), lambda r: r.operation_count),
                (gettext_lazy("Reused by"), lambda r: r.reuse_count),
            ],
        ),
        Register(
            "interoperability-domains",
            gettext_lazy("Interoperability domains"),
            forms.InteropDomainForm,
            lambda user, d: services.interoperability_domain_create(
                actor=user, name=d["name"], description=d["description"], order=d["order"] or 0
            ),
            lambda: architecture.interoperability_matrix().domains,  # type: ignore[arg-type,return-value]
            [
                (gettext_lazy("Domain or system"), lambda r: r.name),
                (gettext_lazy("Order"), lambda r: r.order),
            ],
        ),
    ]
}


@login_required
def register_page(request: HttpRequest, slug: str) -> HttpResponse:
    user = _staff(request)
    register = REGISTERS.get(slug)
    if register is None:
        raise Http404
    form = _bound(request, "add", register.form)
    can_manage = rules.can_manage_operating_model(user)
    if (
        request.method == "POST"
        and request.POST.get("form") == "add"
        and submit(request, form, lambda data: register.create(user, data), _("The record is added."))
    ):
        return redirect("operating:staff_register", slug=slug)
    rows = [
        (register.link(row) if register.link else "", [value(row) for _header, value in register.columns])
        for row in register.rows()
    ]
    return render(
        request,
        "operating/staff/register.html",
        {
            "register": register,
            "headers": [header for header, _value in register.columns],
            "rows": rows,
            "form": form,
            "can_manage": can_manage,
            "registers": REGISTERS.values(),
        },
        status=_status([form]),
    )


@login_required
def interoperability_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    matrix = architecture.interoperability_matrix()
    form = _bound(request, "cell", forms.InteropCellForm)
    form.fields["domain"].choices = [(str(domain.pk), domain.name) for domain in matrix.domains]
    if (
        request.method == "POST"
        and request.POST.get("form") == "cell"
        and submit(
            request,
            form,
            lambda d: services.interoperability_cell_set(
                actor=user,
                layer=d["layer"],
                domain_id=d["domain"],
                status=d["status"],
                barrier=d["barrier"],
                standard=d["standard"],
            ),
            _("The cell is saved."),
        )
    ):
        return redirect("operating:staff_interoperability")
    if request.method == "POST" and request.POST.get("form") == "sync":
        try:
            services.api_registry_sync(actor=user)
            messages.success(request, _("Cityhall's own APIs are listed in the registry."))
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("operating:staff_register", slug="apis")
    return render(
        request,
        "operating/staff/interoperability.html",
        {
            "matrix": matrix,
            "form": form,
            "duplicates": architecture.duplication_report(),
            "can_manage": rules.can_manage_operating_model(user),
        },
        status=_status([form]),
    )
