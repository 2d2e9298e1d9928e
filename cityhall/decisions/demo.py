"""Aldermere's council and its planning committee: members and terms, six meetings with agendas,
motions, roll-call votes and outcomes, signed minutes, and links to what the decisions concern."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cityhall.accounts.facade import departments
from cityhall.core.errors import ServiceError
from cityhall.decisions import integrations, services
from cityhall.decisions.models import Body, Meeting, Member

DEMO_NAMESPACE = uuid.UUID("6f1c2a4e-3d0b-4c55-9a57-0d3c1e6a7b21")

COUNCILLORS = [
    # name, affiliation, role, term starts (days ago), term ends (days ago; None = open)
    ("Helen Okafor", "Aldermere First", "chair", 730, None),
    ("Rahul Mehta", "Green Aldermere", "vice_chair", 730, None),
    ("Sofia Lindqvist", "Civic Alliance", "member", 730, None),
    ("Tomás Ferreira", "Aldermere First", "member", 730, None),
    ("Grace Whitlock", "Independent", "member", 730, None),
    ("Idris Haddad", "Civic Alliance", "member", 730, None),
    ("Marta Nowak", "Green Aldermere", "member", 730, 50),  # resigned; Owen Price took the seat
    ("Owen Price", "Green Aldermere", "member", 48, None),
]
COMMITTEE = [
    ("Rahul Mehta", "chair"),
    ("Grace Whitlock", "member"),
    ("Idris Haddad", "member"),
    ("Ama Mensah", "member"),
    ("Lucas Brandt", "member"),
]
CO_OPTED = {"Ama Mensah": "Co-opted (Aldermere University)", "Lucas Brandt": "Co-opted (Chamber of Commerce)"}


@dataclass
class DemoDecision:
    title: str
    text: str
    kind: str = "motion"
    # Roll call by member name (yes/no/abstain/absent); None: decided otherwise (see outcome).
    votes: dict[str, str] | None = None
    outcome: str = ""  # without votes: adopted / rejected / adjourned / withdrawn / submitted / draft
    link: tuple[str, str] | None = None  # (kind, title) of what it concerns


@dataclass
class DemoMeeting:
    body: str
    title: str
    days: int  # from today; negative = past
    location: str
    agenda: list[str]
    decisions: list[DemoDecision] = field(default_factory=list)
    held: bool = True


def _all(option: str, names: list[str], **exceptions: str) -> dict[str, str]:
    votes = dict.fromkeys(names, option)
    for key, value in exceptions.items():
        votes[key.replace("_", " ")] = value
    return votes


def _meetings() -> list[DemoMeeting]:
    council_early = [n for n, *_rest in COUNCILLORS if n != "Owen Price"]
    council_late = [n for n, *_rest in COUNCILLORS if n != "Marta Nowak"]
    committee = [n for n, _role in COMMITTEE]
    return [
        DemoMeeting(
            "council",
            "City Council — budget meeting",
            -90,
            "Council Chamber, Town Hall",
            [
                "Minutes of the previous meeting",
                "Budget 2026",
                "Harbour Road cycle lanes",
                "Questions from residents",
            ],
            [
                DemoDecision(
                    "Budget 2026",
                    "The council adopts the city budget for 2026: operating expenditure of 412 million and a "
                    "capital programme of 96 million, including 4.5 million for flood defences.",
                    kind="budget",
                    votes=_all(
                        "yes",
                        council_early,
                        Sofia_Lindqvist="no",
                        Idris_Haddad="no",
                        Grace_Whitlock="abstain",
                    ),
                ),
                DemoDecision(
                    "Protected cycle lanes on Harbour Road",
                    "The council resolves to build protected cycle "
                    "lanes on both sides of Harbour Road between "
                    "the station and the ferry terminal by the end of 2027, and asks the Roads department to "
                    "report on progress every six months.",
                    votes=_all("yes", council_early, Tomás_Ferreira="no", Marta_Nowak="absent"),
                    link=("project", "Harbour Road protected cycle lanes"),
                ),
            ],
        ),
        DemoMeeting(
            "planning",
            "Planning and Environment Committee — March",
            -60,
            "Committee Room 2, Town Hall",
            ["Riverside flood wall: design options", "Tree protection rules", "Any other business"],
            [
                DemoDecision(
                    "Riverside flood wall: recommend option B",
                    "The committee recommends option B (a raised wall with flood gates at the three river "
                    "crossings) to the council, following the river flood of this spring.",
                    kind="resolution",
                    votes=_all("yes", committee, Lucas_Brandt="abstain"),
                    link=("emergency_decision", ""),
                ),
                DemoDecision(
                    "Stricter tree protection in conservation areas",
                    "Felling any tree over 30 cm trunk diameter in a conservation area needs a permit.",
                    votes=_all("no", committee, Rahul_Mehta="yes", Ama_Mensah="yes"),
                ),
            ],
        ),
        DemoMeeting(
            "council",
            "City Council — April",
            -45,
            "Council Chamber, Town Hall",
            ["Riverside flood wall", "Appointment to the harbour board", "Night bus pilot"],
            [
                DemoDecision(
                    "Riverside flood wall (option B)",
                    "The council approves option B for the riverside flood wall, at a cost of 18.2 million "
                    "over three years, and applies for the national climate adaptation grant.",
                    votes=_all("yes", council_late, Owen_Price="absent"),
                    link=("emergency_decision", ""),
                ),
                DemoDecision(
                    "Appointment of Grace Whitlock to the harbour board",
                    "The council appoints councillor Grace Whitlock "
                    "to the harbour board until the end of the term.",
                    kind="appointment",
                    outcome="adopted",
                ),
                DemoDecision(
                    "Night bus pilot on lines 3 and 7",
                    "A twelve-month pilot of night buses on lines 3 and 7 on Fridays and Saturdays.",
                    outcome="adjourned",
                ),
            ],
        ),
        DemoMeeting(
            "planning",
            "Planning and Environment Committee — May",
            -20,
            "Committee Room 2, Town Hall",
            ["Solar panels on school roofs", "Old tannery site"],
            [
                DemoDecision(
                    "Solar panels on all primary school roofs",
                    "The committee asks for solar panels on the roofs of all eleven primary schools by 2028.",
                    votes=_all("yes", committee),
                ),
                DemoDecision(
                    "Rezoning the old tannery site",
                    "Rezone the old tannery site from industrial to mixed use.",
                    outcome="withdrawn",
                ),
            ],
        ),
        DemoMeeting(
            "council",
            "City Council — May",
            -10,
            "Council Chamber, Town Hall",
            ["Car-free city centre on Sundays", "Public toilets"],
            [
                DemoDecision(
                    "Car-free city centre on Sundays",
                    "The city centre inside the ring road is closed "
                    "to private cars on Sundays from 10:00 to 18:00.",
                    kind="bylaw",
                    votes=_all(
                        "no",
                        council_late,
                        Rahul_Mehta="yes",
                        Owen_Price="yes",
                        Grace_Whitlock="yes",
                        Sofia_Lindqvist="abstain",
                    ),
                ),
                DemoDecision(
                    "Twelve new public toilets by 2027",
                    "Twelve new accessible public toilets in parks and at tram stops by 2027.",
                    votes=_all("yes", council_late),
                ),
            ],
        ),
        DemoMeeting(
            "council",
            "City Council — June",
            14,
            "Council Chamber, Town Hall",
            ["Night bus pilot (adjourned in April)", "Library opening hours"],
            [
                DemoDecision(
                    "Longer library opening hours",
                    "The central library opens until 21:00 on weekdays from September.",
                    outcome="submitted",
                ),
                DemoDecision(
                    "Library fines abolished",
                    "Late-return fines at the city libraries are abolished.",
                    outcome="draft",
                ),
            ],
            held=False,
        ),
    ]


def _department(slug: str) -> uuid.UUID | None:
    return next((d.id for d in departments() if d.slug == slug), None)


def _emergency_decision() -> tuple[uuid.UUID, str] | None:
    log = integrations.facade_function("cityhall.alerts.facade", "emergency_decision_log")
    records = list(log()) if log else []
    return (records[0].id, "") if records else None


def _attach_minutes(meeting: Meeting, text: str) -> bool:
    held = meeting.status == "held"
    try:
        services.attachment_upload(
            actor=None,
            meeting_id=meeting.pk,
            role="minutes" if held else "agenda_pack",
            title=f"{'Minutes' if held else 'Agenda pack'}: {meeting.title}",
            file_name=f"{'minutes' if held else 'agenda'}-{meeting.starts_at:%Y-%m-%d}.txt",
            content=text.encode(),
            media_type="text/plain",
            sign=True,
        )
    except ServiceError:
        return False
    return True


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> None:
    if Body.objects.filter(slug="council").exists():
        log("Decisions: the council is already loaded.")
        return
    today = timezone.localdate()
    clerk_office = _department("clerk")
    council = services.body_create(
        actor=None,
        slug="council",
        name="Aldermere City Council",
        kind="council",
        description="The city's elected council: eight seats, elected for four years.",
        department_id=clerk_office,
    )
    planning = services.body_create(
        actor=None,
        slug="planning",
        name="Planning and Environment Committee",
        kind="committee",
        description="Prepares the council's decisions on land use, climate and the environment.",
        department_id=_department("planning") or clerk_office,
    )
    members: dict[str, Member] = {}
    for name, affiliation, role, began, ends in COUNCILLORS:
        members[name] = services.member_create(actor=None, name=name, affiliation=affiliation)
        services.membership_add(
            actor=None,
            body_id=council.pk,
            member_id=members[name].pk,
            role=role,
            start_on=today - dt.timedelta(days=began),
            end_on=today - dt.timedelta(days=ends) if ends is not None else None,
        )
    for name, role in COMMITTEE:
        if name not in members:
            members[name] = services.member_create(actor=None, name=name, affiliation=CO_OPTED.get(name, ""))
        services.membership_add(
            actor=None,
            body_id=planning.pk,
            member_id=members[name].pk,
            role=role,
            start_on=today - dt.timedelta(days=700),
        )
    bodies = {"council": council, "planning": planning}
    emergency = _emergency_decision()
    decision_count = votes = attached = 0
    for plan in _meetings():
        day = today + dt.timedelta(days=plan.days)
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(18, 30)))
        meeting = services.meeting_create(
            actor=None,
            body_id=bodies[plan.body].pk,
            title=plan.title,
            starts_at=starts,
            location=plan.location,
        )
        items = [
            services.agenda_item_add(actor=None, meeting_id=meeting.pk, title=title) for title in plan.agenda
        ]
        for demo in plan.decisions:
            words = {w for w in demo.title.lower().split() if len(w) >= 5}
            item = next((i for i in items if words & set(i.title.lower().split())), None)
            decision = services.decision_create(
                actor=None,
                body_id=bodies[plan.body].pk,
                meeting_id=meeting.pk,
                agenda_item_id=item.pk if item else None,
                title=demo.title,
                text=demo.text,
                kind=demo.kind,
                submit=demo.outcome != "draft",
            )
            decision_count += 1
            if demo.votes is not None:
                services.decision_transition(actor=None, decision_id=decision.pk, to_status="voting")
                services.votes_record(
                    actor=None,
                    decision_id=decision.pk,
                    votes={members[name].pk: option for name, option in demo.votes.items()},
                )
                services.decision_vote_close(actor=None, decision_id=decision.pk)
                votes += len(demo.votes)
            elif demo.outcome not in ("", "draft", "submitted"):
                services.decision_transition(
                    actor=None, decision_id=decision.pk, to_status=demo.outcome, note="Recorded by the clerk."
                )
            if demo.link and demo.link[0] == "project":
                services.decision_link_add(
                    actor=None,
                    decision_id=decision.pk,
                    kind="project",
                    target_id=uuid.uuid5(DEMO_NAMESPACE, demo.link[1]),
                    title=demo.link[1],
                )
            elif demo.link and demo.link[0] == "emergency_decision" and emergency is not None:
                services.decision_link_add(
                    actor=None, decision_id=decision.pk, kind="emergency_decision", target_id=emergency[0]
                )
        if plan.held:
            services.meeting_update(
                actor=None,
                meeting_id=meeting.pk,
                status="held",
                minutes=f"Present: the members listed in the votes. The chair opened the meeting at 18:30. "
                f"Items discussed: {'; '.join(plan.agenda)}. The meeting closed at 21:05.",
            )
            meeting.refresh_from_db()
        if _attach_minutes(meeting, f"{plan.title}\n{day.isoformat()}\n\n" + "\n".join(plan.agenda)):
            attached += 1
    log(
        f"Decisions: 2 bodies, {len(members)} members, 6 meetings, "
        f"{decision_count} decisions, {votes} recorded votes, "
        f"{attached} signed minutes and agenda packs."
    )
    try:
        with transaction.atomic():
            published = services.open_data_publish(actor=None)
    except Exception as error:
        log(f"Decisions: open data not published to the catalog ({error})")
    else:
        log(
            "Decisions: open data published to the catalog."
            if published
            else "Decisions: the catalog cannot take the open data yet."
        )
