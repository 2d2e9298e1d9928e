"""The programme office's pages. Every form posts to one service; a refusal or a broken rule comes back
as the form's error, and a success redirects (post/redirect/get)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.operating import forms, rules, services
from cityhall.operating.csvio import CsvImportError, decode_upload
from cityhall.operating.models import (
    BenefitMapNode,
    Contract,
    DeliveryPrinciple,
    Indicator,
    Project,
    ProjectStatus,
)
from cityhall.operating.selectors import benefits, indicators, overview, procurement, risks, roadmap, strategy
from cityhall.operating.services._common import today
from cityhall.operating.services.roadmap import NEXT_STATUSES


def _staff(request: HttpRequest) -> Any:
    if not rules.can_view_internal_records(request.user):
        raise PermissionDenied
    return request.user


def submit(
    request: HttpRequest,
    form: django_forms.Form,
    action: Callable[[dict[str, Any]], Any],
    success: str,
) -> bool:
    """Run the form's service; True when it worked (a message is queued), else the error is on the form."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except CsvImportError as error:
        form.add_error(None, error.message.split(" Row ")[0])
        for row, problem in error.row_errors:
            form.add_error(None, _("Row %(row)d: %(problem)s") % {"row": row, "problem": problem})
        return False
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    except ServiceError as error:
        form.add_error(None, error.message)
        return False
    messages.success(request, success)
    return True


def _bound(request: HttpRequest, name: str, form_class: type[django_forms.Form], **kwargs: Any) -> Any:
    """The form bound to the POST when it was the one sent (forms carry a hidden `form` name), else empty."""
    if request.method == "POST" and request.POST.get("form") == name:
        return form_class(request.POST, request.FILES, prefix=name, **kwargs)
    return form_class(prefix=name, **kwargs)


def _status(forms_: list[django_forms.Form]) -> int:
    return 400 if any(form.is_bound and form.errors for form in forms_) else 200


# --- Overview ------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    return render(
        request,
        "operating/staff/home.html",
        {
            "overview": overview.overview(today=today()),
            "can_manage": rules.can_manage_operating_model(user),
        },
    )


# --- Strategy ------------------------------------------------------------------------------


@login_required
def strategy_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    can_manage = rules.can_manage_operating_model(user)
    principle_choices = [(str(p.pk), str(p)) for p in DeliveryPrinciple.objects.all()]
    vision_form = _bound(request, "vision", forms.VisionForm)
    objective_form = _bound(request, "objective", forms.ObjectiveForm)
    adopt_form = _bound(request, "adopt", forms.PrincipleAdoptForm)
    adopt_form.fields["principle"].choices = principle_choices
    maturity_form = _bound(request, "maturity", forms.MaturityForm)
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "vision":
            done = submit(
                request,
                vision_form,
                lambda d: services.vision_draft(actor=user, **d),
                _("The new draft is saved."),
            )
        elif sent == "adopt_vision":
            try:
                services.vision_adopt(actor=user, vision_id=uuid.UUID(request.POST.get("vision", "")))
                messages.success(request, _("The vision is adopted."))
            except (ServiceError, ValueError) as error:
                messages.error(request, getattr(error, "message", _("Choose a draft to adopt.")))
            done = True
        elif sent == "objective":
            done = submit(
                request,
                objective_form,
                lambda d: services.objective_create(
                    actor=user, **{**d, "order": d["order"] or 0, "cells": forms.parse_cells(d["cells"])}
                ),
                _("The objective is added."),
            )
        elif sent == "adopt":
            done = submit(
                request,
                adopt_form,
                lambda d: services.principle_adopt(
                    actor=user,
                    principle_id=d["principle"],
                    adopted_on=d["adopted_on"],
                    evidence=d["evidence"],
                ),
                _("The principle is adopted."),
            )
        elif sent == "maturity":
            done = submit(
                request,
                maturity_form,
                lambda d: services.maturity_assess(actor=user, **d),
                _("The assessment is saved."),
            )
        if done:
            return redirect("operating:staff_strategy")
    all_forms = [vision_form, objective_form, adopt_form, maturity_form]
    return render(
        request,
        "operating/staff/strategy.html",
        {
            "can_manage": can_manage,
            "versions": strategy.vision_versions(),
            "objectives": strategy.objective_list(active_only=False),
            "principles": strategy.principle_register(),
            "maturity": strategy.maturity_overview(),
            "vision_form": vision_form,
            "objective_form": objective_form,
            "adopt_form": adopt_form,
            "maturity_form": maturity_form,
        },
        status=_status(all_forms),
    )


# --- Projects ------------------------------------------------------------------------------


@login_required
def project_page(request: HttpRequest, project_id: uuid.UUID) -> HttpResponse:
    user = _staff(request)
    project = Project.objects.select_related("programme", "department", "owner").filter(pk=project_id).first()
    if project is None:
        raise Http404
    can_manage = rules.can_manage_operating_model(user)
    can_work = rules.can_work_on_project(user, owner_id=project.owner_id, department_id=project.department_id)
    status_form = _bound(request, "status", forms.ProjectStatusForm)
    status_form.fields["status"].choices = [
        (s, ProjectStatus(s).label) for s in sorted(NEXT_STATUSES[project.status])
    ]
    assess_form = _bound(request, "assess", forms.AssessmentForm)
    assess_form.fields["principle"].choices = [(str(p.pk), str(p)) for p in strategy.adopted_principles()]
    milestone_form = _bound(request, "milestone", forms.MilestoneForm)
    dependency_form = _bound(request, "dependency", forms.DependencyForm)
    dependency_form.fields["depends_on"].choices = [
        (str(p.pk), str(p)) for p in Project.objects.exclude(pk=project.pk)
    ]
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "status":
            done = submit(
                request,
                status_form,
                lambda d: services.project_set_status(actor=user, project_id=project.pk, status=d["status"]),
                _("The project's status is changed."),
            )
        elif sent == "assess":
            done = submit(
                request,
                assess_form,
                lambda d: services.principle_assess(
                    actor=user,
                    principle_id=d["principle"],
                    project_id=project.pk,
                    score=d["score"],
                    rationale=d["rationale"],
                    evidence=d["evidence"],
                ),
                _("The assessment is saved."),
            )
        elif sent == "milestone":
            done = submit(
                request,
                milestone_form,
                lambda d: services.milestone_create(actor=user, project_id=project.pk, **d),
                _("The milestone is added."),
            )
        elif sent == "dependency":
            done = submit(
                request,
                dependency_form,
                lambda d: services.project_dependency_add(
                    actor=user, project_id=project.pk, depends_on_id=d["depends_on"]
                ),
                _("The dependency is added."),
            )
        elif sent == "complete":
            try:
                services.milestone_complete(
                    actor=user, milestone_id=uuid.UUID(request.POST.get("milestone", ""))
                )
                messages.success(request, _("The milestone is marked reached."))
            except (ServiceError, ValueError) as error:
                messages.error(request, getattr(error, "message", _("Choose a milestone.")))
            done = True
        if done:
            return redirect("operating:staff_project", project_id=project.pk)
    links = roadmap.project_detail(project, missing_principles=services.missing_principles(project=project))
    all_forms = [status_form, assess_form, milestone_form, dependency_form]
    return render(
        request,
        "operating/staff/project.html",
        {
            "project": project,
            "links": links,
            "can_manage": can_manage,
            "can_work": can_work,
            "status_form": status_form,
            "assess_form": assess_form,
            "milestone_form": milestone_form,
            "dependency_form": dependency_form,
        },
        status=_status(all_forms),
    )


# --- Benefits ------------------------------------------------------------------------------


@login_required
def benefit_map_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    node_choices = [
        (str(n.pk), f"{n.get_kind_display()}: {n.label}")
        for n in BenefitMapNode.objects.order_by("kind", "label")
    ]
    node_form = _bound(request, "node", forms.NodeForm)
    link_form = _bound(request, "link", forms.LinkForm)
    link_form.fields["from_node"].choices = node_choices
    link_form.fields["to_node"].choices = node_choices
    benefit_form = _bound(request, "benefit", forms.BenefitForm)
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "node":
            done = submit(
                request,
                node_form,
                lambda d: services.benefit_map_node_create(actor=user, **d),
                _("The node is added."),
            )
        elif sent == "link":
            done = submit(
                request,
                link_form,
                lambda d: services.benefit_link_create(
                    actor=user,
                    from_node_id=d["from_node"],
                    to_node_id=d["to_node"],
                    effect=d["effect"],
                    confidence=d["confidence"],
                    rationale=d["rationale"],
                ),
                _("The link is added."),
            )
        elif sent == "benefit":
            done = submit(
                request,
                benefit_form,
                lambda d: services.benefit_create(
                    actor=user,
                    **{
                        **{k: v for k, v in d.items() if k not in {"owner", "cells"}},
                        "owner_id": d["owner"],
                        "cells": forms.parse_cells(d["cells"]),
                    },
                ),
                _("The benefit is added."),
            )
        elif sent == "unlink":
            try:
                services.benefit_link_delete(actor=user, link_id=uuid.UUID(request.POST.get("link", "")))
                messages.success(request, _("The link is removed."))
            except (ServiceError, ValueError) as error:
                messages.error(request, getattr(error, "message", _("Choose a link.")))
            done = True
        if done:
            return redirect("operating:staff_benefit_map")
    drawn = benefits.benefit_map()
    return render(
        request,
        "operating/staff/benefit_map.html",
        {
            "map": drawn,
            "benefits": benefits.benefit_list(),
            "can_manage": rules.can_manage_operating_model(user),
            "node_form": node_form,
            "link_form": link_form,
            "benefit_form": benefit_form,
        },
        status=_status([node_form, link_form, benefit_form]),
    )


@login_required
def benefit_page(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff(request)
    benefit = benefits.benefit_by_code(code)
    if benefit is None:
        raise Http404
    can_work = rules.can_work_on_benefit(
        user, owner_id=benefit.owner_id, owner_department_id=benefit.owner_department_id
    )
    measurement_form = _bound(request, "measurement", forms.MeasurementForm, initial={"unit": benefit.unit})
    upload_form = _bound(request, "upload", forms.CsvUploadForm)
    review_form = _bound(request, "review", forms.ReviewForm, initial={"reviewed_on": today()})
    action_form = _bound(request, "action", forms.ActionForm)
    status_form = _bound(request, "status", forms.BenefitStatusForm, initial={"status": benefit.status})
    trajectory_form = _bound(
        request,
        "trajectory",
        forms.TrajectoryForm,
        initial={
            "points": "\n".join(f"{p.on.isoformat()} {p.planned_value:g}" for p in benefit.trajectory.all())
        },
    )
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "measurement":
            done = submit(
                request,
                measurement_form,
                lambda d: services.benefit_measurement_record(actor=user, benefit_id=benefit.pk, **d),
                _("The measurement is saved."),
            )
        elif sent == "upload":
            done = submit(
                request,
                upload_form,
                lambda d: services.benefit_measurements_import(
                    actor=user,
                    benefit_id=benefit.pk,
                    text=decode_upload(d["file"].read()),
                    file_name=d["file"].name,
                ),
                _("The file is imported."),
            )
        elif sent == "review":
            done = submit(
                request,
                review_form,
                lambda d: services.checkpoint_review_record(actor=user, benefit_id=benefit.pk, **d),
                _("The review is saved."),
            )
        elif sent == "action":
            done = submit(
                request,
                action_form,
                lambda d: services.delivery_action_create(
                    actor=user,
                    benefit_id=benefit.pk,
                    title=d["title"],
                    kind=d["kind"],
                    owner_id=d["owner"],
                    owner_department_id=d["owner_department_id"],
                    due_on=d["due_on"],
                ),
                _("The action is added."),
            )
        elif sent == "status":
            done = submit(
                request,
                status_form,
                lambda d: services.benefit_update(actor=user, benefit_id=benefit.pk, status=d["status"]),
                _("The benefit's status is changed."),
            )
        elif sent == "trajectory":
            done = submit(
                request,
                trajectory_form,
                lambda d: services.benefit_trajectory_set(
                    actor=user, benefit_id=benefit.pk, points=d["points"]
                ),
                _("The trajectory is saved."),
            )
        elif sent in {"action_done", "action_dropped"}:
            try:
                services.delivery_action_set_status(
                    actor=user,
                    action_id=uuid.UUID(request.POST.get("action", "")),
                    status="done" if sent == "action_done" else "dropped",
                )
                messages.success(request, _("The action is updated."))
            except (ServiceError, ValueError) as error:
                messages.error(request, getattr(error, "message", _("Choose an action.")))
            done = True
        if done:
            return redirect("operating:staff_benefit", code=benefit.code)
    return render(
        request,
        "operating/staff/benefit.html",
        {
            "detail": benefits.benefit_detail(benefit),
            "can_manage": rules.can_manage_operating_model(user),
            "can_work": can_work,
            "measurement_form": measurement_form,
            "upload_form": upload_form,
            "review_form": review_form,
            "action_form": action_form,
            "status_form": status_form,
            "trajectory_form": trajectory_form,
        },
        status=_status(
            [measurement_form, upload_form, review_form, action_form, status_form, trajectory_form]
        ),
    )


# --- Indicators ----------------------------------------------------------------------------


@login_required
def indicators_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    value_form = _bound(request, "value", forms.IndicatorValueForm)
    value_form.fields["indicator"].choices = [
        (str(i.pk), f"{i.key} {i.name}") for i in Indicator.objects.exclude(unit="").order_by("code", "part")
    ]
    upload_form = _bound(request, "upload", forms.CsvUploadForm)
    can_manage = rules.can_manage_operating_model(user)
    every_indicator = [
        (str(i.pk), f"{i.key} {i.name}")
        for i in Indicator.objects.order_by("framework__code", "code", "part")
    ]
    settings_form = _bound(request, "settings", forms.IndicatorSettingsForm)
    settings_form.fields["indicator"].choices = every_indicator
    target_form = _bound(request, "target", forms.TargetForm)
    target_form.fields["indicator"].choices = every_indicator
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "settings":
            done = submit(
                request,
                settings_form,
                lambda d: services.indicator_configure(
                    actor=user,
                    indicator_id=d["indicator"],
                    unit=d["unit"],
                    frequency=d["frequency"],
                    higher_is_better=d["higher_is_better"],
                    responsible_department_id=d["responsible_department_id"],
                    is_headline=d["is_headline"],
                ),
                _("The indicator is set up."),
            )
        elif sent == "target":
            done = submit(
                request,
                target_form,
                lambda d: services.indicator_target_set(
                    actor=user,
                    indicator_id=d["indicator"],
                    target_value=d["target_value"],
                    target_year=d["target_year"],
                    level_bands=d["level_bands"],
                ),
                _("The target is saved."),
            )
        elif sent == "value":
            done = submit(
                request,
                value_form,
                lambda d: services.indicator_value_record(
                    actor=user,
                    indicator_id=d["indicator"],
                    period=d["period"],
                    value=d["value"],
                    unit=d["unit"],
                    source_name=d["source_name"],
                    source_url=d["source_url"],
                    evidence=d["evidence"],
                ),
                _("The value is saved."),
            )
        elif sent == "upload":
            done = submit(
                request,
                upload_form,
                lambda d: services.indicator_values_import(
                    actor=user, text=decode_upload(d["file"].read()), file_name=d["file"].name
                ),
                _("The file is imported."),
            )
        if done:
            return redirect("operating:staff_indicators")
    return render(
        request,
        "operating/staff/indicators.html",
        {
            "indicators": indicators.indicator_list().exclude(unit=""),
            "value_form": value_form,
            "upload_form": upload_form,
            "settings_form": settings_form,
            "target_form": target_form,
            "can_manage": can_manage,
        },
        status=_status([value_form, upload_form, settings_form, target_form]),
    )


# --- Risks ---------------------------------------------------------------------------------


@login_required
def risks_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    risk_form = _bound(request, "risk", forms.RiskForm)
    if (
        request.method == "POST"
        and request.POST.get("form") == "risk"
        and submit(
            request,
            risk_form,
            lambda d: services.risk_create(
                actor=user, **{**{k: v for k, v in d.items() if k != "owner"}, "owner_id": d["owner"]}
            ),
            _("The risk is added."),
        )
    ):
        return redirect("operating:staff_risks")
    register = list(risks.risk_register())
    return render(
        request,
        "operating/staff/risks.html",
        {
            "risks": register,
            "matrix": risks.risk_matrix(register),
            "due": risks.overdue_reviews(today=today()),
            "today": today(),
            "can_manage": rules.can_manage_operating_model(user),
            "risk_form": risk_form,
        },
        status=_status([risk_form]),
    )


@login_required
def risk_page(request: HttpRequest, risk_id: uuid.UUID) -> HttpResponse:
    user = _staff(request)
    risk = risks.risk_register().filter(pk=risk_id).first()
    if risk is None:
        raise Http404
    review_form = _bound(
        request,
        "review",
        forms.RiskReviewForm,
        initial={
            "likelihood": risk.likelihood,
            "impact": risk.impact,
            "status": risk.status,
            "mitigation": risk.mitigation,
        },
    )
    if request.method == "POST" and submit(
        request,
        review_form,
        lambda d: services.risk_review(actor=user, risk_id=risk.pk, **d),
        _("The review is saved."),
    ):
        return redirect("operating:staff_risk", risk_id=risk.pk)
    return render(
        request,
        "operating/staff/risk.html",
        {
            "risk": risk,
            "reviews": risks.risk_reviews(risk),
            "today": today(),
            "can_review": rules.can_work_on_project(
                user, owner_id=risk.owner_id, department_id=risk.owner_department_id
            ),
            "review_form": review_form,
        },
        status=_status([review_form]),
    )


@login_required
def checklist_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    areas = list(risks.checklist())
    sent = request.POST.get("form", "") if request.method == "POST" else ""
    forms_by_area = {area.pk: _bound(request, f"area-{area.pk}", forms.ChecklistReviewForm) for area in areas}
    for area in areas:
        if sent != f"area-{area.pk}":
            continue

        def review(data: dict[str, Any], area_id: uuid.UUID = area.pk) -> Any:
            return services.checklist_review_record(actor=user, area_id=area_id, **data)

        message = _("The review of “%(area)s” is saved.") % {"area": area.heading}
        if submit(request, forms_by_area[area.pk], review, message):
            return redirect("operating:staff_checklist")
    return render(
        request,
        "operating/staff/checklist.html",
        {
            "areas": [(area, forms_by_area[area.pk]) for area in areas],
            "today": today(),
            "can_manage": rules.can_manage_operating_model(user),
        },
        status=_status(list(forms_by_area.values())),
    )


# --- Procurement ---------------------------------------------------------------------------


@login_required
def contract_page(request: HttpRequest, contract_id: uuid.UUID) -> HttpResponse:
    user = _staff(request)
    contract = Contract.objects.select_related("need", "supplier").filter(pk=contract_id).first()
    if contract is None:
        raise Http404
    clause_form = _bound(request, "clause", forms.ClauseCheckForm)
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "clause":
            done = submit(
                request,
                clause_form,
                lambda d: services.contract_check_clause(actor=user, contract_id=contract.pk, **d),
                _("The answer is saved."),
            )
        elif sent == "activate":
            try:
                services.contract_set_status(actor=user, contract_id=contract.pk, status="active")
                messages.success(request, _("The contract is active."))
            except ServiceError as error:
                messages.error(request, error.message)
            done = True
        if done:
            return redirect("operating:staff_contract", contract_id=contract.pk)
    return render(
        request,
        "operating/staff/contract.html",
        {
            "checklist": procurement.contract_checklist(contract),
            "can_manage": rules.can_manage_operating_model(user),
            "clause_form": clause_form,
        },
        status=_status([clause_form]),
    )
