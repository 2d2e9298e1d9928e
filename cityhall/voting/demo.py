"""The demo city's polls and budgets: an open poll, a closed survey weighted to the census, an open
budget, and a closed participatory budget with 15 projects, 500 ballots and both outcomes.

Demo ballots come from synthetic voters (no accounts), drawn with a fixed seed, and go through the
same validation as real ones. Safe to run again: each process is made once, by title.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.accounts.facade import departments
from cityhall.core.models import District
from cityhall.voting import services
from cityhall.voting.contracts import PollKind, QuestionKind, VoteRule
from cityhall.voting.models import Budget, Poll

SEED = 2026
OPEN_POLL = "Car-free Market Square on Saturdays?"
CLOSED_SURVEY = "How should the library's opening hours change?"
CLOSED_BUDGET = "Aldermere Neighbourhood Budget 2026"
OPEN_BUDGET = "Schoolyards 2027"
BUDGET_TOTAL = 1_000_000
BUDGET_BALLOTS = 500
SURVEY_BALLOTS = 320

PROJECTS = [  # code, title, cost (EUR), district slug or "" for city-wide
    ("P01", "Riverside cycle path", 320_000, "riverside"),
    ("P02", "Old Town street trees", 90_000, "old-town"),
    ("P03", "Eastfield sports hall roof", 280_000, "eastfield"),
    ("P04", "Harbour promenade lighting", 120_000, "harbour"),
    ("P05", "North Hill playground", 75_000, "north-hill"),
    ("P06", "Westbrook community garden", 45_000, "westbrook"),
    ("P07", "Public drinking fountains across the city", 60_000, ""),
    ("P08", "Library late opening for a year", 110_000, ""),
    ("P09", "Eastfield bus shelters", 85_000, "eastfield"),
    ("P10", "Riverside flood-safe benches", 40_000, "riverside"),
    ("P11", "Old Town step-free pavements", 210_000, "old-town"),
    ("P12", "Harbour youth centre refit", 160_000, "harbour"),
    ("P13", "North Hill safe routes to school", 130_000, "north-hill"),
    ("P14", "Westbrook skate park", 180_000, "westbrook"),
    ("P15", "Solar panels on school roofs", 350_000, ""),
]


def _department_id(slug: str) -> object | None:
    return next((d.id for d in departments() if d.slug == slug), None)


def _districts() -> list[District]:
    return list(District.objects.order_by("slug"))


def _move_window(process: Poll | Budget, *, opened_days_ago: int, closed_days_ago: int) -> None:
    """Demo only: put a vote that has been cast into the past, as if its window had run."""
    now = timezone.now()
    type(process).objects.filter(pk=process.pk).update(
        opens_at=now - dt.timedelta(days=opened_days_ago), closes_at=now - dt.timedelta(days=closed_days_ago)
    )
    process.refresh_from_db()


def _open_poll(log: Callable[[str], None]) -> None:
    if Poll.objects.filter(title=OPEN_POLL).exists():
        return
    now = timezone.now()
    poll = services.poll_create(
        actor=None,
        title=OPEN_POLL,
        description=(
            "The council is considering closing Market Square to cars on Saturdays from 9:00 to 18:00, "
            "for the market and for people on foot. Tell us what you think before the decision."
        ),
        opens_at=now - dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=28),
        department_id=_department_id("mayors-office"),  # type: ignore[arg-type]
        questions=[
            services.QuestionInput(
                text="Should Market Square be car-free on Saturdays?",
                options=[("yes", "Yes"), ("no", "No"), ("unsure", "I am not sure")],
            ),
            services.QuestionInput(
                text="What should the square have instead of parking? (up to two)",
                options=[
                    ("stalls", "More market stalls"),
                    ("trees", "Trees and benches"),
                    ("bikes", "Bike parking"),
                    ("play", "Space for children to play"),
                ],
                kind=QuestionKind.MULTIPLE,
                min_choices=1,
                max_choices=2,
            ),
        ],
    )
    services.process_publish(actor=None, process=poll)
    log(f"voting: open poll “{OPEN_POLL}”.")


def _closed_survey(log: Callable[[str], None], rng: random.Random) -> None:
    if Poll.objects.filter(title=CLOSED_SURVEY).exists():
        return
    now = timezone.now()
    districts = _districts()
    poll = services.poll_create(
        actor=None,
        title=CLOSED_SURVEY,
        kind=PollKind.SURVEY,
        description="An opinion survey on the central library's opening hours, weighted to the census.",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        department_id=_department_id("social"),  # type: ignore[arg-type]
        questions=[
            services.QuestionInput(
                text="Which change to the opening hours would help you most?",
                options=[
                    ("evenings", "Open until 21:00 on weekdays"),
                    ("sundays", "Open on Sundays"),
                    ("mornings", "Open at 8:00"),
                    ("none", "No change needed"),
                ],
            ),
            services.QuestionInput(
                text="Your age",
                options=[("16-34", "16 to 34"), ("35-64", "35 to 64"), ("65+", "65 or over")],
                profile_variable="age_band",
            ),
            services.QuestionInput(
                text="Where do you live?",
                options=[(d.slug, d.name) for d in districts],
                profile_variable="district",
            ),
        ],
    )
    population = sum(d.population or 0 for d in districts) or 1
    margins = ["age_band,16-34,0.30", "age_band,35-64,0.48", "age_band,65+,0.22"]
    margins += [f"district,{d.slug},{(d.population or 0) / population:.6f}" for d in districts]
    services.poll_margins_set(
        actor=None,
        poll_id=poll.pk,
        csv_text="\n".join(margins),
        source="Aldermere census 2021 (demo figures)",
    )
    services.process_publish(actor=None, process=poll)
    questions = list(poll.questions.order_by("position"))
    preference = {
        "16-34": [0.5, 0.3, 0.05, 0.15],
        "35-64": [0.3, 0.35, 0.15, 0.2],
        "65+": [0.05, 0.2, 0.4, 0.35],
    }
    ballots = []
    for _ in range(SURVEY_BALLOTS):
        band = rng.choices(["16-34", "35-64", "65+"], weights=[0.55, 0.35, 0.10])[0]  # online skews young
        district = rng.choices([d.slug for d in districts], weights=[d.population or 1 for d in districts])[0]
        answer = rng.choices(["evenings", "sundays", "mornings", "none"], weights=preference[band])[0]
        ballots.append(
            {
                "answers": {
                    str(questions[0].pk): [answer],
                    str(questions[1].pk): [band],
                    str(questions[2].pk): [district],
                }
            }
        )
    services.demo_ballots_add(process=poll, ballots=ballots, voter_prefix="survey")
    _move_window(poll, opened_days_ago=30, closed_days_ago=5)
    services.process_seal(process=poll)
    log(f"voting: closed survey “{CLOSED_SURVEY}” with {SURVEY_BALLOTS} ballots, weighted results.")


def _budget_ballots(rng: random.Random, districts: list[District]) -> list[dict[str, list[str]]]:
    ballots = []
    for _ in range(BUDGET_BALLOTS):
        home = rng.choices([d.slug for d in districts], weights=[d.population or 1 for d in districts])[0]
        liked = []
        for code, _title, _cost, district in PROJECTS:
            chance = 0.7 if district == home else 0.45 if not district else 0.07
            if rng.random() < chance:
                liked.append(code)
        rng.shuffle(liked)
        cost = {code: c for code, _t, c, _d in PROJECTS}
        chosen: list[str] = []
        spent = 0
        for code in liked:
            if spent + cost[code] <= BUDGET_TOTAL:
                chosen.append(code)
                spent += cost[code]
        if not chosen:
            chosen = [rng.choice([p[0] for p in PROJECTS if p[3] == home] or ["P07"])]
        ballots.append({"projects": chosen})
    return ballots


def _closed_budget(log: Callable[[str], None], rng: random.Random) -> None:
    if Budget.objects.filter(title=CLOSED_BUDGET).exists():
        return
    now = timezone.now()
    budget = services.budget_create(
        actor=None,
        title=CLOSED_BUDGET,
        description=(
            "One million euros for projects proposed by residents. Choose the projects you support; "
            "together they may cost at most the budget."
        ),
        total=BUDGET_TOTAL,
        vote_rule=VoteRule.KNAPSACK,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        min_assurance=AssuranceLevel.VERIFIED_RESIDENT,
        department_id=_department_id("finance"),  # type: ignore[arg-type]
        projects=[
            services.ProjectInput(code, title, cost, "", district) for code, title, cost, district in PROJECTS
        ],
    )
    services.process_publish(actor=None, process=budget)
    services.demo_ballots_add(
        process=budget, ballots=_budget_ballots(rng, _districts()), voter_prefix="pb2026"
    )
    _move_window(budget, opened_days_ago=40, closed_days_ago=10)
    services.process_seal(process=budget)
    log(
        f"voting: closed participatory budget with {len(PROJECTS)} projects, {BUDGET_BALLOTS} ballots, "
        "greedy and Equal Shares outcomes."
    )


def _open_budget(log: Callable[[str], None]) -> None:
    if Budget.objects.filter(title=OPEN_BUDGET).exists():
        return
    now = timezone.now()
    budget = services.budget_create(
        actor=None,
        title=OPEN_BUDGET,
        description=(
            "Greener, livelier schoolyards, open to the neighbourhood after school. Pick one to three."
        ),
        total=300_000,
        vote_rule=VoteRule.APPROVAL,
        min_projects=1,
        max_projects=3,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=21),
        department_id=_department_id("parks"),  # type: ignore[arg-type]
        projects=[
            services.ProjectInput("S1", "Trees and shade at Riverside Primary", 80_000, "", "riverside"),
            services.ProjectInput("S2", "Climbing wall at North Hill School", 60_000, "", "north-hill"),
            services.ProjectInput("S3", "Vegetable beds at Westbrook School", 25_000, "", "westbrook"),
            services.ProjectInput("S4", "Rain garden at Harbour School", 95_000, "", "harbour"),
            services.ProjectInput("S5", "Outdoor classroom in Eastfield", 120_000, "", "eastfield"),
            services.ProjectInput("S6", "Open schoolyards on Saturdays, city-wide", 50_000),
        ],
    )
    services.process_publish(actor=None, process=budget)
    log(f"voting: open participatory budget “{OPEN_BUDGET}”.")


def demo_load(log: Callable[[str], None]) -> None:
    rng = random.Random(SEED)
    with transaction.atomic():
        _open_poll(log)
    with transaction.atomic():
        _closed_survey(log, rng)
    with transaction.atomic():
        _closed_budget(log, rng)
    with transaction.atomic():
        _open_budget(log)
