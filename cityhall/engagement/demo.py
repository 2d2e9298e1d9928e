"""The demo city's engagement: an open consultation on Market Square, a closed consultation on the
riverside cycle route with its "you said, we did" report, and a call for proposals with 20 proposals
and their supports (some qualified, one answered). Everything goes through the services, so the
rules, the audit log and the notifications are the real ones. Safe to run twice."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.engagement import selectors, services
from cityhall.engagement.contracts import ConsultationPhase, Outcome, QuestionKind, ThresholdBasis
from cityhall.engagement.models import Consultation, ProposalProcess

MANAGER_EMAIL = "moderator@demo.example"
OPEN_SLUG = "greener-market-square"
CLOSED_SLUG = "riverside-cycle-route"
PROCESS_SLUG = "ideas-for-aldermere-2027"

FIRST_NAMES = [
    "Amara", "Ben", "Chen", "Dalia", "Elias", "Fatima", "Gus", "Hana", "Ivan", "Jonas",
    "Kemi", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rafael", "Sofia", "Tomás",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Dev",
    "Esther", "Farid", "Greta", "Hugo", "Ines", "Jamal", "Kira", "Luis", "Mei", "Nils",
]  # fmt: skip

PROPOSALS = [
    ("Drinking fountains in every park", "Free drinking water in the parks for hot summer days."),
    ("Night buses on weekends", "Run lines 1 and 4 until 2 am on Fridays and Saturdays."),
    ("A tool library in Old Town", "Lend drills, ladders and garden tools instead of everyone buying them."),
    ("Safe crossings near schools", "Raised crossings and 20 km/h zones around every primary school."),
    ("Shade trees on Harbour Road", "Plant a row of trees along the hottest street in the city."),
    ("Public toilets at the station", "Open, clean and free toilets at Aldermere station."),
    ("Repair café once a month", "Volunteers help residents repair clothes, bikes and electronics."),
    ("Covered bike parking", "Covered, lockable bike parking at the market and the library."),
    ("Community gardens in Eastfield", "Turn the empty lot on Orchard Avenue into allotments."),
    ("Benches along the river walk", "A bench every 200 metres, so older residents can rest."),
    ("Free swimming lessons for children", "Every child in Aldermere learns to swim by age 10."),
    ("Longer library hours", "Open the central library on Sunday afternoons."),
    ("Outdoor gym in Westbrook", "Simple outdoor fitness equipment in Westbrook park."),
    ("Better lighting on Mill Lane", "Brighter, warmer street lights on the path to the station."),
    ("Skate park for teenagers", "A concrete skate park near the sports ground."),
    ("Recycling points for small electronics", "Drop-off boxes for phones, cables and batteries."),
    ("Wildflower verges", "Mow road verges less often and sow wildflowers for bees."),
    ("Car-free Sundays in the centre", "Close Market Square to cars on the first Sunday of each month."),
    ("Water refill map", "Publish where residents can refill bottles for free."),
    ("Youth council seats", "Two seats for young residents on the council's planning committee."),
]
# Supports per proposal (the call needs 15 and stops there): three qualify, the first is answered.
SUPPORTS = [15, 15, 15, 12, 11, 9, 8, 8, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 0]


def _residents(count: int) -> list[Any]:
    """Demo residents with verified email addresses (no password: they exist to take part)."""
    user_model = get_user_model()
    residents = []
    for number in range(count):
        email = f"participant{number + 1:02d}@demo.example"
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model.objects.create_user(
                email, None, full_name=f"{FIRST_NAMES[number % len(FIRST_NAMES)]} Demo"
            )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        residents.append(user)
    return residents


def _questions(manager: Any, consultation: Consultation, questions: list[services.QuestionInput]) -> None:
    for data in questions:
        services.question_add(actor=manager, consultation_id=consultation.pk, data=data)


def _open_consultation(manager: Any, residents: list[Any], rng: random.Random) -> None:
    consultation = services.consultation_create(
        actor=manager,
        slug=OPEN_SLUG,
        title="A greener Market Square",
        summary="The square will be repaved in 2027. Tell us what it should become.",
        body=(
            "Market Square is hot in summer and full of parked cars. Before the repaving, the city "
            "wants to hear how you use the square and what you would change.\n\n"
            "Read the draft plan, answer the questions, and comment. The city publishes what it "
            "heard and what it changed when the consultation closes."
        ),
        eligibility=AssuranceLevel.EMAIL_VERIFIED,
        closes_on=timezone.localdate() + dt.timedelta(days=30),
    )
    _questions(
        manager,
        consultation,
        [
            services.QuestionInput(
                kind=QuestionKind.SCALE,
                text="How happy are you with Market Square today?",
                required=True,
                scale_min=1,
                scale_max=5,
                scale_min_label="not at all",
                scale_max_label="very",
            ),
            services.QuestionInput(
                kind=QuestionKind.SINGLE,
                text="What should come first?",
                required=True,
                options=["Trees and shade", "Benches", "A fountain", "Space for the market"],
            ),
            services.QuestionInput(
                kind=QuestionKind.MULTIPLE,
                text="How do you use the square?",
                options=["Shopping", "Meeting people", "Crossing it", "Parking", "Events"],
            ),
            services.QuestionInput(
                kind=QuestionKind.TEXT,
                text="What else should the city know?",
                help_text="Optional. Your answer is read by the planning team.",
            ),
        ],
    )
    services.document_add(
        actor=manager,
        consultation_id=consultation.pk,
        title="Draft plan for Market Square (PDF)",
        url="https://aldermere.example/files/market-square-draft-plan.pdf",
    )
    services.consultation_phase_set(
        actor=manager, consultation_id=consultation.pk, phase=ConsultationPhase.OPEN
    )
    questions = list(consultation.questions.all())
    texts = ["More shade, please.", "Keep the Saturday market.", "", "Fewer cars.", ""]
    for user in residents[:18]:
        services.consultation_answer(
            user=user,
            consultation_id=consultation.pk,
            answers={
                questions[0].pk: rng.choice([1, 2, 2, 3, 3, 4]),
                questions[1].pk: rng.choice([0, 0, 0, 1, 2, 3]),
                questions[2].pk: sorted(rng.sample(range(5), rng.randint(1, 3))),
                questions[3].pk: rng.choice(texts),
            },
        )
    for user, body in zip(
        residents[:5],
        [
            "Please keep space for the Saturday market stalls.",
            "Trees first: the square is an oven in July.",
            "Where will the cars go? The plan does not say.",
            "A water fountain for children would be lovely.",
            "Good plan, but do it before the summer.",
        ],
        strict=True,
    ):
        services.comment_create(user=user, consultation_id=consultation.pk, body=body)


def _closed_consultation(manager: Any, residents: list[Any], rng: random.Random) -> None:
    consultation = services.consultation_create(
        actor=manager,
        slug=CLOSED_SLUG,
        title="The riverside cycle route",
        summary="Where should the new cycle route along the Alder run?",
        body="The city asked residents to choose between two routes for a cycle path along the river.",
        eligibility=AssuranceLevel.EMAIL_VERIFIED,
    )
    _questions(
        manager,
        consultation,
        [
            services.QuestionInput(
                kind=QuestionKind.SINGLE,
                text="Which route do you prefer?",
                required=True,
                options=["Along the quay (north bank)", "Through Willow Walk (south bank)"],
            ),
            services.QuestionInput(
                kind=QuestionKind.SCALE, text="How often would you use it?", scale_min=1, scale_max=5
            ),
            services.QuestionInput(kind=QuestionKind.TEXT, text="Anything to add?"),
        ],
    )
    services.consultation_phase_set(
        actor=manager, consultation_id=consultation.pk, phase=ConsultationPhase.OPEN
    )
    questions = list(consultation.questions.all())
    for user in residents[10:34]:
        services.consultation_answer(
            user=user,
            consultation_id=consultation.pk,
            answers={
                questions[0].pk: rng.choice([0, 0, 0, 1]),
                questions[1].pk: rng.randint(2, 5),
                questions[2].pk: rng.choice(["", "Light it at night.", "Separate it from walkers."]),
            },
        )
    services.comment_create(
        user=residents[10], consultation_id=consultation.pk, body="The quay route floods in spring."
    )
    services.consultation_phase_set(
        actor=manager, consultation_id=consultation.pk, phase=ConsultationPhase.CLOSED
    )
    decisions = selectors.decision_choices(query="cycle", limit=1) or selectors.decision_choices(limit=1)
    decision_id = decisions[0].id if decisions else None
    for data in (
        services.ReportItemInput(
            theme="Most people preferred the quay route",
            submissions=17,
            outcome=Outcome.ACCEPTED,
            response="The route runs along the quay. The council approved it and the budget for 2027.",
            decision_id=decision_id,
        ),
        services.ReportItemInput(
            theme="The quay floods in spring",
            submissions=4,
            outcome=Outcome.PARTLY_ACCEPTED,
            response=(
                "The path is raised by 40 cm at the two lowest points; a signed detour is used in floods."
            ),
        ),
        services.ReportItemInput(
            theme="Light the path at night",
            submissions=6,
            outcome=Outcome.ACCEPTED,
            response="Low, warm lights that do not disturb bats are part of the design.",
        ),
        services.ReportItemInput(
            theme="Build a second bridge",
            submissions=3,
            outcome=Outcome.OUT_OF_SCOPE,
            response="A bridge is not part of this project; it is on the list for the 2030 transport plan.",
        ),
    ):
        services.report_item_add(actor=manager, consultation_id=consultation.pk, data=data)
    services.consultation_report_publish(
        actor=manager,
        consultation_id=consultation.pk,
        summary=(
            "24 residents answered and 1 commented. Most preferred the quay route, and it will be built, "
            "with changes for flooding and lighting that came from your answers."
        ),
    )


def _proposals(manager: Any, residents: list[Any], rng: random.Random) -> None:
    process = services.proposal_process_create(
        actor=manager,
        data=services.ProposalProcessInput(
            slug=PROCESS_SLUG,
            title="Ideas for Aldermere 2027",
            summary="Propose what the city should do next year; 15 supports bring an official response.",
            body=(
                "Any resident with a confirmed email address may propose and support. A proposal with "
                "15 supports qualifies: the city then publishes an official response within 60 days."
            ),
            threshold_basis=ThresholdBasis.ABSOLUTE,
            threshold_value=Decimal(15),
            window_end=timezone.localdate() + dt.timedelta(days=90),
            response_days=60,
            eligibility=AssuranceLevel.EMAIL_VERIFIED,
        ),
    )
    services.proposal_process_open(actor=manager, process_id=process.pk)
    for index, ((title, summary), supports) in enumerate(zip(PROPOSALS, SUPPORTS, strict=True)):
        author = residents[index]
        proposal = services.proposal_create(user=author, process_id=process.pk, title=title, summary=summary)
        supporters = [user for user in residents if user.pk != author.pk]
        for supporter in rng.sample(supporters, supports):
            services.proposal_support(user=supporter, proposal_id=proposal.pk)
        if index == 0:
            services.proposal_respond(
                actor=manager,
                proposal_id=proposal.pk,
                outcome=Outcome.ACCEPTED,
                text="Twelve fountains will be installed in the city's parks by June 2027.",
            )
    services.comment_create(
        user=residents[5],
        proposal_id=process.proposals.get(title=PROPOSALS[1][0]).pk,
        body="Yes! The last bus at 23:10 is far too early.",
    )


def demo_load(log: Callable[[str], None]) -> None:
    manager = get_user_model().objects.filter(email=MANAGER_EMAIL).first()
    if manager is None:
        log("engagement: no demo moderator account; load the accounts demo first.")
        return
    rng = random.Random(2027)
    with transaction.atomic():
        residents = _residents(40)
        made = []
        if not Consultation.objects.filter(slug=OPEN_SLUG).exists():
            _open_consultation(manager, residents, rng)
            made.append("an open consultation")
        if not Consultation.objects.filter(slug=CLOSED_SLUG).exists():
            _closed_consultation(manager, residents, rng)
            made.append("a closed consultation with its report")
        if not ProposalProcess.objects.filter(slug=PROCESS_SLUG).exists():
            _proposals(manager, residents, rng)
            made.append("a call with 20 proposals")
    log(f"engagement: {', '.join(made) if made else 'already loaded'}.")
