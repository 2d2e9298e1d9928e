"""Pages: polls and participatory budgets for residents (no JavaScript needed), their results and
open data, and the staff pages under /staff/voting/."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.core.errors import ServiceError
from cityhall.voting import forms, opendata, rules, selectors, services
from cityhall.voting.contracts import BallotChannel, OutcomeMethod, ProcessState, VoteRule
from cityhall.voting.models import Budget, Poll

# --- Shared --------------------------------------------------------------------------------


def _poll_or_404(poll_id: uuid.UUID) -> Poll:
    poll = selectors.public_poll(poll_id)
    if poll is None:
        raise Http404(_("There is no poll at this address."))
    return poll


def _budget_or_404(budget_id: uuid.UUID) -> Budget:
    budget = selectors.public_budget(budget_id)
    if budget is None:
        raise Http404(_("There is no participatory budget at this address."))
    return budget


def _sealed(process: Poll | Budget) -> bool:
    """Results appear after closing: seal now if the scheduled job has not come round yet."""
    if process.state == ProcessState.CLOSED and process.sealed_at is None:
        services.process_seal(process=process)
    return selectors.results_available(process)


def _voter_context(request: HttpRequest, process: Poll | Budget) -> dict[str, Any]:
    user = request.user
    voted = services.has_voted(user=user, process=process)
    problem = ""
    if user.is_authenticated and not voted and process.state == ProcessState.OPEN:
        try:
            services.process_eligibility(user=user, process=process, lives_in_district=True)
        except ServiceError as error:
            problem = error.message
    return {"voted": voted, "eligibility_problem": problem, "process_state": str(process.state)}


def _download(content: str | bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Polls ---------------------------------------------------------------------------------


@require_GET
def poll_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.split_state(list(selectors.public_polls()))
    return render(request, "voting/poll_list.html", {"groups": groups})


def _poll_page(
    request: HttpRequest, poll: Poll, form: forms.PollBallotForm | None, status: int = 200
) -> HttpResponse:
    questions = selectors.poll_questions(poll)
    if form is None and poll.state == ProcessState.OPEN:
        form = forms.PollBallotForm(poll=poll, questions=questions)
    context = {"poll": poll, "questions": questions, "form": form, **_voter_context(request, poll)}
    return render(request, "voting/poll_detail.html", context, status=status)


@require_GET
def poll_detail(request: HttpRequest, poll_id: uuid.UUID) -> HttpResponse:
    return _poll_page(request, _poll_or_404(poll_id), None)


@login_required
@require_POST
def poll_vote(request: HttpRequest, poll_id: uuid.UUID) -> HttpResponse:
    poll = _poll_or_404(poll_id)
    questions = selectors.poll_questions(poll)
    form = forms.PollBallotForm(request.POST, poll=poll, questions=questions)
    if form.is_valid():
        try:
            cast = services.poll_ballot_cast(
                voter=request.user,
                poll_id=poll.pk,
                answers=form.answers(),
                lives_in_district=bool(form.cleaned_data.get("lives_in_district")),
                channel=BallotChannel.WEB,
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            # The receipt is shown in this answer only: kept in no session, so nothing links it to you.
            return render(request, "voting/receipt.html", {"process": poll, "cast": cast, "kind": "poll"})
    return _poll_page(request, poll, form, status=400)


@require_GET
def poll_results(request: HttpRequest, poll_id: uuid.UUID) -> HttpResponse:
    poll = _poll_or_404(poll_id)
    if not _sealed(poll):
        return render(request, "voting/not_yet.html", {"process": poll}, status=200)
    receipt_form = forms.ReceiptForm(request.GET or None)
    found = None
    if receipt_form.is_valid():
        found = selectors.poll_ballot_by_receipt(poll, receipt_form.cleaned_data["receipt"])
    context = {
        "poll": poll,
        "results": selectors.poll_results(poll),
        "receipt_form": receipt_form,
        "checked": receipt_form.is_bound and receipt_form.is_valid(),
        "found": found,
        "found_answers": _answers_readable(poll, found.answers) if found else [],
    }
    return render(request, "voting/poll_results.html", context)


def _answers_readable(poll: Poll, answers: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    readable = []
    for question in selectors.poll_questions(poll):
        labels = {o.code: o.label for o in question.options.all()}
        readable.append((question.text, [labels.get(c, c) for c in answers.get(str(question.pk), [])]))
    return readable


@require_GET
def poll_open_data(request: HttpRequest, poll_id: uuid.UUID, name: str) -> HttpResponse:
    poll = _poll_or_404(poll_id)
    if not _sealed(poll):
        raise Http404(_("The results are published after the poll closes."))
    makers: dict[str, Callable[[], tuple[str, str]]] = {
        "results.json": lambda: (
            json.dumps(opendata.poll_results_document(poll), ensure_ascii=False, indent=1),
            "application/json",
        ),
        "results.csv": lambda: (opendata.poll_results_csv(poll), "text/csv; charset=utf-8"),
        "ballots.json": lambda: (
            json.dumps(opendata.poll_ballots_document(poll), ensure_ascii=False),
            "application/json",
        ),
        "ballots.csv": lambda: (opendata.poll_ballots_csv(poll), "text/csv; charset=utf-8"),
    }
    if name not in makers:
        raise Http404
    content, media_type = makers[name]()
    return _download(content, media_type, f"poll-{poll.pk}-{name}")


# --- Budgets -------------------------------------------------------------------------------


@require_GET
def budget_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.split_state(list(selectors.public_budgets()))
    return render(request, "voting/budget_list.html", {"groups": groups})


def _budget_page(
    request: HttpRequest, budget: Budget, form: forms.BudgetBallotForm | None, status: int = 200
) -> HttpResponse:
    projects = selectors.budget_projects(budget)
    if form is None and budget.state == ProcessState.OPEN:
        form = forms.BudgetBallotForm(budget=budget, projects=projects)
    context = {
        "budget": budget,
        "projects": projects,
        "form": form,
        "knapsack": budget.vote_rule == VoteRule.KNAPSACK,
        "least_spend": budget.total * budget.min_spend_percent // 100,
        "cost_map": {p.code: p.cost for p in projects},
        **_voter_context(request, budget),
    }
    return render(request, "voting/budget_detail.html", context, status=status)


@require_GET
def budget_detail(request: HttpRequest, budget_id: uuid.UUID) -> HttpResponse:
    return _budget_page(request, _budget_or_404(budget_id), None)


@login_required
@require_POST
def budget_vote(request: HttpRequest, budget_id: uuid.UUID) -> HttpResponse:
    budget = _budget_or_404(budget_id)
    form = forms.BudgetBallotForm(request.POST, budget=budget, projects=selectors.budget_projects(budget))
    if form.is_valid():
        try:
            cast = services.budget_ballot_cast(
                voter=request.user,
                budget_id=budget.pk,
                projects=form.cleaned_data["projects"],
                lives_in_district=bool(form.cleaned_data.get("lives_in_district")),
                channel=BallotChannel.WEB,
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "voting/receipt.html", {"process": budget, "cast": cast, "kind": "budget"})
    return _budget_page(request, budget, form, status=400)


def _outcome_rows(budget: Budget) -> dict[str, Any]:
    stored = selectors.budget_outcomes(budget)
    projects = selectors.budget_projects(budget)
    greedy = stored.get(OutcomeMethod.GREEDY)
    mes = stored.get(OutcomeMethod.MES)
    votes = mes.details["votes"] if mes else {}
    rows = [
        {
            "project": p,
            "votes": votes.get(p.code, 0),
            "greedy": bool(greedy and p.code in greedy.selected),
            "mes": bool(mes and p.code in mes.selected),
        }
        for p in sorted(projects, key=lambda p: -votes.get(p.code, 0))
    ]
    return {"rows": rows, "greedy": greedy, "mes": mes}


@require_GET
def budget_results(request: HttpRequest, budget_id: uuid.UUID) -> HttpResponse:
    budget = _budget_or_404(budget_id)
    if not _sealed(budget):
        return render(request, "voting/not_yet.html", {"process": budget})
    context = {"budget": budget, **_outcome_rows(budget)}
    return render(request, "voting/budget_results.html", context)


@require_GET
def budget_shares(request: HttpRequest, budget_id: uuid.UUID) -> HttpResponse:
    """How each voter's share was spent under the Method of Equal Shares; look up your own ballot."""
    budget = _budget_or_404(budget_id)
    if not _sealed(budget):
        return render(request, "voting/not_yet.html", {"process": budget})
    mes = selectors.budget_outcomes(budget).get(OutcomeMethod.MES)
    if mes is None:
        raise Http404
    projects = {p.code: p for p in selectors.budget_projects(budget)}
    outcome = selectors.mes_outcome(mes)
    rounds = [
        {
            "number": number,
            "project": projects.get(r.code),
            "cost": r.cost,
            "supporters": r.supporters,
            "rho": selectors.money(r.rho),
            "paid_in_full": r.paid_in_full,
            "paid_less": r.supporters - r.paid_in_full,
        }
        for number, r in enumerate(outcome.rounds, start=1)
    ]
    receipt_form = forms.ReceiptForm(request.GET or None)
    explanation = None
    found = None
    if receipt_form.is_valid():
        found = selectors.budget_ballot_by_receipt(budget, receipt_form.cleaned_data["receipt"])
        if found is not None:
            explanation = selectors.share_explanation(budget, list(found.projects))
    context = {
        "budget": budget,
        "mes": mes,
        "outcome": outcome,
        "rounds": rounds,
        "completion": [projects[c] for c in outcome.completion if c in projects],
        "base_share": selectors.money(outcome.base_share),
        "share": selectors.money(outcome.share_per_voter),
        "receipt_form": receipt_form,
        "checked": receipt_form.is_bound and receipt_form.is_valid(),
        "found": found,
        "explanation": explanation,
        "explanation_lines": [
            {"project": line.project, "paid": selectors.money(line.paid)} for line in explanation.lines
        ]
        if explanation
        else [],
        "explanation_left": selectors.money(explanation.left) if explanation else "",
    }
    return render(request, "voting/budget_shares.html", context)


@require_GET
def budget_open_data(request: HttpRequest, budget_id: uuid.UUID, name: str) -> HttpResponse:
    budget = _budget_or_404(budget_id)
    if not _sealed(budget):
        raise Http404(_("The results are published after voting closes."))
    makers: dict[str, Callable[[], tuple[str, str]]] = {
        "results.json": lambda: (
            json.dumps(opendata.budget_results_document(budget), ensure_ascii=False, indent=1),
            "application/json",
        ),
        "results.csv": lambda: (opendata.budget_results_csv(budget), "text/csv; charset=utf-8"),
        "ballots.pb": lambda: (opendata.budget_pabulib(budget), "text/plain; charset=utf-8"),
    }
    if name not in makers:
        raise Http404
    content, media_type = makers[name]()
    return _download(content, media_type, f"budget-{budget.pk}-{name}")


# --- Staff ---------------------------------------------------------------------------------


def _staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rules.can_manage_voting(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@_staff
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    polls = list(selectors.staff_polls())
    budgets = list(selectors.staff_budgets())
    return render(request, "voting/staff/home.html", {"polls": polls, "budgets": budgets})


@_staff
@require_http_methods(["GET", "POST"])
def staff_poll_new(request: HttpRequest) -> HttpResponse:
    form = forms.PollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            poll = services.poll_create(actor=request.user, kind=form.cleaned_data["kind"], **form.common())
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The poll is saved as a draft. Add its questions, then publish it."))
            return redirect("voting:staff_poll", poll.pk)
    return render(
        request,
        "voting/staff/process_new.html",
        {"form": form, "kind": "poll"},
        status=400 if form.errors else 200,
    )


def _staff_poll_or_404(poll_id: uuid.UUID) -> Poll:
    poll = selectors.staff_polls().filter(pk=poll_id).first()
    if poll is None:
        raise Http404
    return poll


@_staff
@require_http_methods(["GET", "POST"])
def staff_poll(request: HttpRequest, poll_id: uuid.UUID) -> HttpResponse:
    poll = _staff_poll_or_404(poll_id)
    question_form = forms.QuestionForm(request.POST if request.POST.get("form") == "question" else None)
    margins_initial = {
        "margins": "\n".join(f"{v},{c},{s}" for v, cats in poll.margins.items() for c, s in cats.items()),
        "source": poll.margins_source,
    }
    margins_form = forms.MarginsForm(
        request.POST if request.POST.get("form") == "margins" else None, initial=margins_initial
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if action == "question" and question_form.is_valid():
                services.poll_question_add(actor=request.user, poll_id=poll.pk, data=question_form.to_input())
                messages.success(request, _("The question is added."))
                return redirect("voting:staff_poll", poll.pk)
            if action == "margins" and margins_form.is_valid():
                services.poll_margins_set(
                    actor=request.user,
                    poll_id=poll.pk,
                    csv_text=margins_form.cleaned_data["margins"],
                    source=margins_form.cleaned_data["source"],
                )
                messages.success(request, _("The census margins are saved."))
                return redirect("voting:staff_poll", poll.pk)
            if action == "publish":
                services.process_publish(actor=request.user, process=poll)
                messages.success(request, _("The poll is published."))
                return redirect("voting:staff_poll", poll.pk)
            if action == "close":
                services.process_close_now(actor=request.user, process=poll)
                messages.success(request, _("Voting is closed."))
                return redirect("voting:staff_poll", poll.pk)
        except ServiceError as error:
            target = margins_form if action == "margins" else question_form
            if not target.is_bound:
                messages.error(request, error.message)
            else:
                target.add_error(None, error.message)
        status = 400
    context = {
        "poll": poll,
        "questions": selectors.poll_questions(poll),
        "question_form": question_form,
        "margins_form": margins_form,
        "ballots": selectors.ballot_count(process=poll),
    }
    return render(request, "voting/staff/poll.html", context, status=status)


@_staff
@require_http_methods(["GET", "POST"])
def staff_budget_new(request: HttpRequest) -> HttpResponse:
    form = forms.BudgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            budget = services.budget_create(
                actor=request.user,
                total=data["total"],
                currency=data["currency"],
                vote_rule=VoteRule(data["vote_rule"]),
                min_projects=data["min_projects"],
                max_projects=data["max_projects"],
                min_spend_percent=data["min_spend_percent"],
                mes_utility=data["mes_utility"],
                **form.common(),
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The budget is saved as a draft. Add its projects, then publish it."))
            return redirect("voting:staff_budget", budget.pk)
    return render(
        request,
        "voting/staff/process_new.html",
        {"form": form, "kind": "budget"},
        status=400 if form.errors else 200,
    )


@_staff
@require_http_methods(["GET", "POST"])
def staff_budget(request: HttpRequest, budget_id: uuid.UUID) -> HttpResponse:
    budget = selectors.staff_budgets().filter(pk=budget_id).first()
    if budget is None:
        raise Http404
    project_form = forms.ProjectForm(request.POST if request.POST.get("form") == "project" else None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if action == "project" and project_form.is_valid():
                services.budget_project_add(
                    actor=request.user, budget_id=budget.pk, data=project_form.to_input()
                )
                messages.success(request, _("The project is added."))
                return redirect("voting:staff_budget", budget.pk)
            if action == "publish":
                services.process_publish(actor=request.user, process=budget)
                messages.success(request, _("The budget is published."))
                return redirect("voting:staff_budget", budget.pk)
            if action == "close":
                services.process_close_now(actor=request.user, process=budget)
                messages.success(request, _("Voting is closed."))
                return redirect("voting:staff_budget", budget.pk)
        except ServiceError as error:
            if project_form.is_bound:
                project_form.add_error(None, error.message)
            else:
                messages.error(request, error.message)
        status = 400
    context = {
        "budget": budget,
        "projects": selectors.budget_projects(budget),
        "project_form": project_form,
        "ballots": selectors.ballot_count(process=budget),
    }
    return render(request, "voting/staff/budget.html", context, status=status)
