"""Pages: consultations and calls for proposals for residents under /participate/, and the staff pages
under /staff/engagement/. Thin: each view parses a form, calls one service, and renders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import user_has_permission
from cityhall.core.errors import ServiceError
from cityhall.engagement import forms, selectors, services
from cityhall.engagement.contracts import (
    ConsultationPhase,
    ProcessKind,
    ProposalProcessStatus,
    ProposalStatus,
    QuestionKind,
)
from cityhall.engagement.models import Comment, Consultation, ParticipantSettings, Proposal, ProposalProcess

# --- Resident pages -------------------------------------------------------------------------


@require_GET
def participate_home(request: HttpRequest) -> HttpResponse:
    context = {
        "consultations": selectors.public_consultations()[:20],
        "processes": selectors.public_processes()[:20],
    }
    return render(request, "engagement/home.html", context)


@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "engagement/consultations.html", {"consultations": selectors.public_consultations()}
    )


def _consultation_page(
    request: HttpRequest,
    consultation: Consultation,
    *,
    answer_form: forms.AnswerForm | None = None,
    comment_form: forms.CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    questions = selectors.questions_of(consultation)
    is_open = consultation.phase == ConsultationPhase.OPEN
    eligibility = services.eligibility_check(request.user, consultation.eligibility)
    answered = selectors.has_answered(consultation, request.user)
    context: dict[str, Any] = {
        "consultation": consultation,
        "documents": list(consultation.documents.all()),
        "questions": questions,
        "is_open": is_open,
        "eligibility": eligibility,
        "answered": answered,
        "answer_form": answer_form or forms.AnswerForm(questions=questions),
        "comment_form": comment_form or forms.CommentForm(),
        "comments": [
            {"comment": c, "author": selectors.author_name(c.author)}
            for c in selectors.visible_comments(consultation=consultation)
        ],
        "hidden_count": consultation.comments.filter(hidden_at__isnull=False).count(),
        "related_decisions": selectors.decisions_about(ProcessKind.CONSULTATION, consultation.pk),
    }
    if consultation.phase in (ConsultationPhase.CLOSED, ConsultationPhase.REPORT):
        context["total"], context["results"] = selectors.consultation_results(consultation)
    if consultation.phase == ConsultationPhase.REPORT:
        context["report_items"] = [
            {"item": item, "decision": selectors.decision_ref(item.decision_id)}
            for item in selectors.report_items(consultation)
        ]
    return render(request, "engagement/consultation.html", context, status=status)


def _public_consultation(slug: str) -> Consultation:
    consultation = selectors.public_consultation(slug)
    if consultation is None:
        raise Http404(_("There is no consultation at this address."))
    return consultation


@require_GET
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _consultation_page(request, _public_consultation(slug))


@login_required
@require_POST
def consultation_answer(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _public_consultation(slug)
    form = forms.AnswerForm(request.POST, questions=selectors.questions_of(consultation))
    if form.is_valid():
        try:
            services.consultation_answer(
                user=request.user, consultation_id=consultation.pk, answers=form.answers()
            )
        except services.AnswersInvalidError as error:
            form.add_problems(error.problems)
        except ServiceError as error:
            form.add_error(None, error.message)
            return _consultation_page(request, consultation, answer_form=form, status=error.status)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("engagement:consultation", consultation.slug)
    return _consultation_page(request, consultation, answer_form=form, status=400)


@login_required
@require_POST
def consultation_comment(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _public_consultation(slug)
    form = forms.CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.comment_create(
                user=request.user, consultation_id=consultation.pk, body=form.cleaned_data["body"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(reverse("engagement:consultation", args=[consultation.slug]) + "#comments")
    return _consultation_page(request, consultation, comment_form=form, status=status)


@require_GET
def process_list(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/processes.html", {"processes": selectors.public_processes()})


def _public_process(slug: str) -> ProposalProcess:
    process = selectors.public_process(slug)
    if process is None:
        raise Http404(_("There is no call for proposals at this address."))
    return process


@require_GET
def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    process = _public_process(slug)
    status_filter = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:100]
    proposals = list(selectors.public_proposals(process, status=status_filter, query=query)[:200])
    context = {
        "process": process,
        "proposals": proposals,
        "supported": selectors.supported_ids(request.user, process),
        "eligibility": services.eligibility_check(request.user, process.eligibility),
        "is_open": process.status == ProposalProcessStatus.OPEN,
        "status_filter": status_filter,
        "query": query,
        "statuses": [(s.value, s.label) for s in ProposalStatus if s in selectors.PUBLIC_PROPOSAL_STATUSES],
    }
    return render(request, "engagement/process.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, slug: str) -> HttpResponse:
    process = _public_process(slug)
    eligibility = services.eligibility_check(request.user, process.eligibility)
    form = forms.ProposalForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                proposal = services.proposal_create(
                    user=request.user, process_id=process.pk, **form.cleaned_data
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Your proposal is published. Share it to collect supports."))
                return redirect("engagement:proposal", process.slug, proposal.pk)
    context = {"process": process, "form": form, "eligibility": eligibility}
    return render(request, "engagement/proposal_new.html", context, status=status)


def _public_proposal(slug: str, proposal_id: uuid.UUID) -> Proposal:
    proposal = selectors.public_proposal(proposal_id)
    if proposal is None or proposal.process.slug != slug:
        raise Http404(_("There is no proposal at this address."))
    return proposal


def _proposal_page(
    request: HttpRequest,
    proposal: Proposal,
    *,
    comment_form: forms.CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    process = proposal.process
    context = {
        "proposal": proposal,
        "process": process,
        "author": selectors.author_name(proposal.author),
        "supported": proposal.pk in selectors.supported_ids(request.user, process),
        "eligibility": services.eligibility_check(request.user, process.eligibility),
        "is_open": process.status == ProposalProcessStatus.OPEN,
        "can_support": proposal.status == ProposalStatus.OPEN
        or (proposal.status == ProposalStatus.QUALIFIED and process.accumulate_beyond),
        "is_author": getattr(request.user, "pk", None) == proposal.author_id,
        "decision": selectors.decision_ref(proposal.response_decision_id),
        "overdue": selectors.is_overdue(proposal) and proposal.status == ProposalStatus.QUALIFIED,
        "comments": [
            {"comment": c, "author": selectors.author_name(c.author)}
            for c in selectors.visible_comments(proposal=proposal)
        ],
        "comment_form": comment_form or forms.CommentForm(),
        "related_decisions": selectors.decisions_about(ProcessKind.PROPOSAL, proposal.pk),
    }
    return render(request, "engagement/proposal.html", context, status=status)


@require_GET
def proposal_detail(request: HttpRequest, slug: str, proposal_id: uuid.UUID) -> HttpResponse:
    return _proposal_page(request, _public_proposal(slug, proposal_id))


@login_required
@require_POST
def proposal_support(request: HttpRequest, slug: str, proposal_id: uuid.UUID) -> HttpResponse:
    proposal = _public_proposal(slug, proposal_id)
    try:
        services.proposal_support(user=request.user, proposal_id=proposal.pk)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: your support is counted."))
    if request.POST.get("next") == "list":
        return redirect(reverse("engagement:process", args=[slug]) + f"#proposal-{proposal.pk}")
    return redirect("engagement:proposal", slug, proposal.pk)


@login_required
@require_POST
def proposal_withdraw(request: HttpRequest, slug: str, proposal_id: uuid.UUID) -> HttpResponse:
    proposal = _public_proposal(slug, proposal_id)
    try:
        services.proposal_withdraw(user=request.user, proposal_id=proposal.pk)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("engagement:proposal", slug, proposal.pk)
    messages.success(request, _("Your proposal is withdrawn."))
    return redirect("engagement:process", slug)


@login_required
@require_POST
def proposal_comment(request: HttpRequest, slug: str, proposal_id: uuid.UUID) -> HttpResponse:
    proposal = _public_proposal(slug, proposal_id)
    form = forms.CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.comment_create(
                user=request.user, proposal_id=proposal.pk, body=form.cleaned_data["body"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(reverse("engagement:proposal", args=[slug, proposal.pk]) + "#comments")
    return _proposal_page(request, proposal, comment_form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def participant_settings(request: HttpRequest) -> HttpResponse:
    record = ParticipantSettings.objects.filter(user_id=str(request.user.pk)).first()
    initial = {"email_updates": record.email_updates if record else True}
    form = forms.ParticipantSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.participant_settings_set(user=request.user, email_updates=form.cleaned_data["email_updates"])
        messages.success(request, _("Your choice is saved."))
        return redirect("engagement:settings")
    return render(request, "engagement/settings.html", {"form": form})


# --- Staff pages ----------------------------------------------------------------------------


def _can_manage(user: Any) -> bool:
    return user_has_permission(user, Permission.MANAGE_ENGAGEMENT)


def _can_moderate(user: Any) -> bool:
    return user_has_permission(user, Permission.MODERATE_CONTRIBUTIONS)


def _staff(
    check: Callable[[Any], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _can_staff(user: Any) -> bool:
    return _can_manage(user) or _can_moderate(user)


@_staff(_can_staff)
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    awaiting = [
        {"proposal": p, "overdue": selectors.is_overdue(p)} for p in selectors.awaiting_response()[:100]
    ]
    context = {
        "consultations": selectors.staff_consultations(),
        "processes": selectors.staff_processes(),
        "awaiting": awaiting,
        "can_manage": _can_manage(request.user),
    }
    return render(request, "engagement/staff/home.html", context)


@_staff(_can_manage)
@require_http_methods(["GET", "POST"])
def staff_consultation_new(request: HttpRequest) -> HttpResponse:
    form = forms.ConsultationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The draft consultation is saved. Add its questions, then open it."))
            return redirect("engagement:staff_consultation", consultation.pk)
    return render(
        request, "engagement/staff/consultation_new.html", {"form": form}, status=400 if form.errors else 200
    )


STAFF_CONSULTATION_FORMS = {
    "edit": forms.ConsultationForm,
    "question": forms.QuestionForm,
    "document": forms.DocumentForm,
    "report_item": forms.ReportItemForm,
    "publish": forms.ReportPublishForm,
}


def _consultation_action(request: HttpRequest, consultation: Consultation, which: str, form: Any) -> None:
    actor, pk = request.user, consultation.pk
    data = form.cleaned_data
    if which == "edit":
        services.consultation_edit(actor=actor, consultation_id=pk, **data)
    elif which == "question":
        services.question_add(
            actor=actor,
            consultation_id=pk,
            data=services.QuestionInput(
                kind=QuestionKind(data["kind"]),
                text=data["text"],
                help_text=data["help_text"],
                required=data["required"],
                options=data["options"].splitlines(),
                scale_min=data["scale_min"] if data["scale_min"] is not None else 1,
                scale_max=data["scale_max"] if data["scale_max"] is not None else 5,
                scale_min_label=data["scale_min_label"],
                scale_max_label=data["scale_max_label"],
            ),
        )
    elif which == "document":
        services.document_add(actor=actor, consultation_id=pk, title=data["title"], url=data["url"])
    elif which == "report_item":
        services.report_item_add(
            actor=actor,
            consultation_id=pk,
            data=services.ReportItemInput(
                theme=data["theme"],
                outcome=data["outcome"],
                response=data["response"],
                submissions=data["submissions"],
                decision_id=form.decision_id(),
                change_url=data["change_url"],
            ),
        )
    elif which == "publish":
        services.consultation_report_publish(actor=actor, consultation_id=pk, summary=data["summary"])


@_staff(_can_manage)
@require_http_methods(["GET", "POST"])
def staff_consultation(request: HttpRequest, consultation_id: uuid.UUID) -> HttpResponse:
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        raise Http404
    which = request.POST.get("form", "") if request.method == "POST" else ""
    bound: dict[str, Any] = {}
    action_error = ""
    if which in STAFF_CONSULTATION_FORMS:
        form = STAFF_CONSULTATION_FORMS[which](request.POST, prefix=which)
        bound[which] = form
        if form.is_valid():
            try:
                _consultation_action(request, consultation, which, form)
            except ServiceError as error:
                action_error = error.message
            else:
                messages.success(request, _("Saved."))
                return redirect("engagement:staff_consultation", consultation.pk)
    elif request.method == "POST":
        raise Http404
    edit_initial = {
        "title": consultation.title,
        "summary": consultation.summary,
        "body": consultation.body,
        "eligibility": consultation.eligibility,
        "closes_on": consultation.closes_on,
    }
    total, results = selectors.consultation_results(consultation)
    context = {
        "consultation": consultation,
        "questions": selectors.questions_of(consultation),
        "documents": list(consultation.documents.all()),
        "report_items": [
            {"item": item, "decision": selectors.decision_ref(item.decision_id)}
            for item in selectors.report_items(consultation)
        ],
        "total": total,
        "results": results,
        "edit_form": bound.get("edit") or forms.ConsultationForm(initial=edit_initial, prefix="edit"),
        "question_form": bound.get("question") or forms.QuestionForm(prefix="question"),
        "document_form": bound.get("document") or forms.DocumentForm(prefix="document"),
        "report_item_form": bound.get("report_item") or forms.ReportItemForm(prefix="report_item"),
        "publish_form": bound.get("publish") or forms.ReportPublishForm(prefix="publish"),
        "phases": ConsultationPhase,
        "action_error": action_error,
    }
    return render(request, "engagement/staff/consultation.html", context, status=400 if bound else 200)


@_staff(_can_manage)
@require_POST
def staff_consultation_phase(request: HttpRequest, consultation_id: uuid.UUID) -> HttpResponse:
    phase = request.POST.get("phase", "")
    if phase not in (ConsultationPhase.OPEN, ConsultationPhase.CLOSED):
        raise Http404
    try:
        services.consultation_phase_set(
            actor=request.user, consultation_id=consultation_id, phase=ConsultationPhase(phase)
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The consultation is open.")
            if phase == ConsultationPhase.OPEN
            else _("The consultation is closed."),
        )
    return redirect("engagement:staff_consultation", consultation_id)


@_staff(_can_manage)
@require_http_methods(["GET", "POST"])
def staff_process_new(request: HttpRequest) -> HttpResponse:
    form = forms.ProcessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            process = services.proposal_process_create(
                actor=request.user, data=services.ProposalProcessInput(**form.cleaned_data)
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The call for proposals is saved as a draft. Open it when ready."))
            return redirect("engagement:staff_process", process.pk)
    return render(
        request, "engagement/staff/process_new.html", {"form": form}, status=400 if form.errors else 200
    )


@_staff(_can_manage)
@require_http_methods(["GET", "POST"])
def staff_process(request: HttpRequest, process_id: uuid.UUID) -> HttpResponse:
    process = ProposalProcess.objects.filter(pk=process_id).first()
    if process is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "open":
                services.proposal_process_open(actor=request.user, process_id=process.pk)
                messages.success(request, _("The call for proposals is open."))
            elif action == "close":
                services.proposal_process_close(actor=request.user, process_id=process.pk)
                messages.success(request, _("The call for proposals is closed."))
            else:
                raise Http404
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("engagement:staff_process", process.pk)
    proposals = process.proposals.order_by("-supports_count", "created_at")
    context = {"process": process, "proposals": proposals}
    return render(request, "engagement/staff/process.html", context)


@_staff(_can_staff)
@require_http_methods(["GET", "POST"])
def staff_proposal(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    proposal = Proposal.objects.select_related("process", "author").filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404
    which = request.POST.get("form", "") if request.method == "POST" else ""
    respond_form = forms.RespondForm(request.POST if which == "respond" else None, prefix="respond")
    hide_form = forms.HideForm(request.POST if which == "hide" else None, prefix="hide")
    status = 200
    if which in ("respond", "hide"):
        form: Any = respond_form if which == "respond" else hide_form
        status = 400
        if form.is_valid():
            try:
                if which == "respond":
                    services.proposal_respond(
                        actor=request.user,
                        proposal_id=proposal.pk,
                        outcome=form.cleaned_data["outcome"],
                        text=form.cleaned_data["text"],
                        decision_id=form.decision_id(),
                    )
                    messages.success(
                        request, _("The response is published; the author and supporters are told.")
                    )
                else:
                    services.proposal_hide(
                        actor=request.user, proposal_id=proposal.pk, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The proposal is hidden."))
            except ServiceError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return redirect("engagement:staff_proposal", proposal.pk)
    elif request.method == "POST":
        raise Http404
    context = {
        "proposal": proposal,
        "respond_form": respond_form,
        "hide_form": hide_form,
        "decision": selectors.decision_ref(proposal.response_decision_id),
        "overdue": selectors.is_overdue(proposal),
        "can_manage": _can_manage(request.user),
        "can_moderate": _can_moderate(request.user),
    }
    return render(request, "engagement/staff/proposal.html", context, status=status)


@_staff(_can_moderate)
@require_GET
def staff_comments(request: HttpRequest) -> HttpResponse:
    context = {"comments": selectors.moderation_queue(), "hide_form": forms.HideForm()}
    return render(request, "engagement/staff/comments.html", context)


@_staff(_can_moderate)
@require_POST
def staff_comment_hide(request: HttpRequest, comment_id: uuid.UUID) -> HttpResponse:
    if not Comment.objects.filter(pk=comment_id).exists():
        raise Http404
    form = forms.HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for hiding the comment: it is recorded."))
    else:
        try:
            services.comment_hide(
                actor=request.user, comment_id=comment_id, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The comment is hidden; the reason is recorded."))
    return redirect("engagement:staff_comments")
