"""Open data files of a sealed vote: results and the list of counted ballots (JSON and CSV), and
for budgets the Pabulib .pb file, so anyone can recount independently."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

from cityhall.core.csvsafe import csv_text
from cityhall.core.models import City
from cityhall.voting import outcomes, selectors
from cityhall.voting.contracts import OutcomeMethod
from cityhall.voting.models import Budget, Poll


@dataclass(frozen=True, slots=True)
class OpenDataFile:
    name: str
    content: bytes
    media_type: str
    format: str


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()


def poll_results_document(poll: Poll) -> dict[str, Any]:
    results = selectors.poll_results(poll)
    return {
        "poll": {
            "id": str(poll.pk),
            "title": poll.title,
            "kind": poll.kind,
            "opens_at": poll.opens_at.isoformat(),
            "closes_at": poll.closes_at.isoformat(),
        },
        "ballots": results.ballots,
        "non_probability_sample": True,
        "note": "Self-selected online respondents: a non-probability sample. Margins of error are modelled.",
        "worst_margin_of_error_95": results.worst_margin_of_error,
        "weighting": asdict(results.weighting) if results.weighting else None,
        "questions": [asdict(q) for q in results.questions],
    }


def poll_results_csv(poll: Poll) -> str:
    results = selectors.poll_results(poll)
    rows = [
        [
            q.id,
            q.text,
            o.code,
            o.label,
            o.count,
            f"{o.share:.6f}",
            "" if o.weighted_share is None else f"{o.weighted_share:.6f}",
            "" if o.margin_of_error is None else f"{o.margin_of_error:.6f}",
        ]
        for q in results.questions
        for o in q.options
    ]
    return csv_text(
        [
            "question_id",
            "question",
            "option_code",
            "option",
            "count",
            "share",
            "weighted_share",
            "margin_of_error_95",
        ],
        rows,
    )


def poll_ballots_document(poll: Poll) -> dict[str, Any]:
    return {
        "poll": str(poll.pk),
        "receipt_rule": "receipt = SHA-256(canonical_json({process, ballot}) || nonce)",
        "ballots": [{"receipt": b.receipt, "answers": b.answers} for b in selectors.poll_ballots(poll)],
    }


def poll_ballots_csv(poll: Poll) -> str:
    rows = []
    for ballot in selectors.poll_ballots(poll):
        for qid, codes in sorted(ballot.answers.items()):
            rows.append([ballot.receipt, qid, ",".join(codes)])
    return csv_text(["receipt", "question_id", "options"], rows)


def budget_results_document(budget: Budget) -> dict[str, Any]:
    stored = selectors.budget_outcomes(budget)
    projects = selectors.budget_projects(budget)
    return {
        "budget": {
            "id": str(budget.pk),
            "title": budget.title,
            "total": budget.total,
            "currency": budget.currency,
            "vote_rule": budget.vote_rule,
            "min_projects": budget.min_projects,
            "max_projects": budget.max_projects,
            "min_spend_percent": budget.min_spend_percent,
        },
        "projects": [
            {
                "code": p.code,
                "title": p.title,
                "cost": p.cost,
                "district": p.district.slug if p.district else None,
            }
            for p in projects
        ],
        "outcomes": {method: {"selected": o.selected, **o.details} for method, o in stored.items()},
    }


def budget_results_csv(budget: Budget) -> str:
    stored = selectors.budget_outcomes(budget)
    greedy = stored.get(OutcomeMethod.GREEDY)
    mes = stored.get(OutcomeMethod.MES)
    either = mes or greedy
    votes: dict[str, int] = either.details.get("votes", {}) if either is not None else {}
    rows = [
        [
            p.code,
            p.title,
            p.cost,
            votes.get(p.code, 0),
            "yes" if greedy and p.code in greedy.selected else "no",
            "yes" if mes and p.code in mes.selected else "no",
        ]
        for p in selectors.budget_projects(budget)
    ]
    return csv_text(
        ["project_id", "title", "cost", "votes", "selected_greedy", "selected_equal_shares"], rows
    )


def budget_pabulib(budget: Budget) -> str:
    projects = selectors.budget_projects(budget)
    ballots = [b.projects for b in selectors.budget_ballots(budget)]
    votes = dict.fromkeys((p.code for p in projects), 0)
    for ballot in ballots:
        for code in ballot:
            votes[code] = votes.get(code, 0) + 1
    mes = selectors.budget_outcomes(budget).get(OutcomeMethod.MES)
    city = City.objects.first()
    meta: dict[str, object] = {
        "description": budget.title,
        "country": (city.country_code if city else "") or "-",
        "unit": city.name if city else settings.CITY_NAME,
        "instance": budget.opens_at.year,
        "num_projects": len(projects),
        "num_votes": len(ballots),
        "budget": budget.total,
        "vote_type": "approval",
        "rule": "equalshares" if mes else "greedy",
        "date_begin": budget.opens_at.date().isoformat(),
        "date_end": budget.closes_at.date().isoformat(),
        "currency": budget.currency,
    }
    if budget.district:
        meta["district"] = budget.district.name
    if budget.vote_rule == "knapsack":
        meta["max_sum_cost"] = budget.total
        if budget.min_spend_percent:
            meta["min_sum_cost"] = budget.total * budget.min_spend_percent // 100
    meta["min_length"] = budget.min_projects
    if budget.max_projects is not None:
        meta["max_length"] = budget.max_projects
    rows: list[dict[str, object]] = [
        {
            "project_id": p.code,
            "cost": p.cost,
            "votes": votes.get(p.code, 0),
            "name": p.title,
            "selected": int(bool(mes and p.code in mes.selected)),
        }
        for p in projects
    ]
    return outcomes.pabulib_text(meta=meta, projects=rows, votes=ballots)


def files_for(process: Poll | Budget) -> list[OpenDataFile]:
    if isinstance(process, Poll):
        return [
            OpenDataFile("results.json", _json(poll_results_document(process)), "application/json", "JSON"),
            OpenDataFile("results.csv", poll_results_csv(process).encode(), "text/csv", "CSV"),
            OpenDataFile("ballots.json", _json(poll_ballots_document(process)), "application/json", "JSON"),
            OpenDataFile("ballots.csv", poll_ballots_csv(process).encode(), "text/csv", "CSV"),
        ]
    return [
        OpenDataFile("results.json", _json(budget_results_document(process)), "application/json", "JSON"),
        OpenDataFile("results.csv", budget_results_csv(process).encode(), "text/csv", "CSV"),
        OpenDataFile("ballots.pb", budget_pabulib(process).encode(), "text/plain", "PB"),
    ]


def dataset_description(process: Poll | Budget) -> str:
    if isinstance(process, Poll):
        return (
            f"Results of the poll “{process.title}” and every counted ballot with its receipt, so each "
            "voter can find their ballot and anyone can recount. Self-selected online respondents: a "
            "non-probability sample."
        )
    return (
        f"Results of the participatory budget “{process.title}” by greedy and by the Method of Equal "
        "Shares, and every counted ballot as a Pabulib .pb file for an independent recount."
    )
