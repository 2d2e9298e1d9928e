"""Aldermere's FOI desk: a holiday calendar and ten requests in the states a real archive shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cityhall.accounts.facade import departments
from cityhall.core.errors import ServiceError
from cityhall.foi import deadlines, services
from cityhall.foi.models import FoiRequest, Holiday

HOLIDAYS = [
    (1, 1, "New Year's Day"),
    (5, 1, "Labour Day"),
    (6, 21, "Aldermere Day"),
    (12, 25, "Christmas Day"),
    (12, 26, "Boxing Day"),
]


@dataclass(frozen=True)
class DemoRequest:
    title: str
    body: str
    working_days_ago: int
    path: tuple[str, ...]  # what happens next, in order
    answer: str = ""
    document: str = ""  # title of a released document


REQUESTS = [
    DemoRequest(
        "Gritting routes and salt stocks",
        "Please send the winter gritting routes map and the salt "
        "stock levels at the start of each month last winter.",
        3,
        ("extend",),
    ),
    DemoRequest(
        "Cost of the Harbour Road consultation",
        "How much did the city spend on the Harbour Road cycle lanes consultation, broken down by supplier?",
        28,
        (),
    ),
    DemoRequest(
        "Air quality sensor calibration records",
        "Calibration records of the city's air quality sensors for 2025.",
        46,
        (),
    ),
    DemoRequest(
        "Contracts for the new tram stops",
        "Copies of the contracts for building the four new tram stops, and any variations.",
        12,
        ("clarify",),
    ),
    DemoRequest(
        "Flood defence spending since 2020",
        "Yearly spending on flood defences since 2020, by project.",
        30,
        ("successful",),
        answer="The spending by year and project is attached.",
        document="Flood defence spending 2020–2025",
    ),
    DemoRequest(
        "Complaints about noise at the ferry terminal",
        "Number of noise complaints about the ferry terminal in 2024 and 2025, and the city's replies.",
        25,
        ("partially_successful",),
        answer="The numbers are attached. The replies contain residents' personal data and are withheld.",
        document="Noise complaints, ferry terminal, 2024–2025 (counts)",
    ),
    DemoRequest(
        "Security plan of the Town Hall",
        "Please send the current security plan of the Town Hall.",
        22,
        ("rejected",),
        answer=(
            "Refused: disclosure would endanger the safety of people in the building (security exemption)."
        ),
    ),
    DemoRequest(
        "Studies on a second river bridge",
        "Any feasibility studies for a second road bridge over the river since 2015.",
        18,
        ("not_held",),
        answer="The city holds no such study. The regional transport authority may hold one.",
    ),
    DemoRequest(
        "Parking enforcement targets",
        "Do parking wardens have targets for the number of tickets issued? Please send any such targets.",
        35,
        ("rejected", "review"),
        answer="Refused: internal performance management documents.",
    ),
    DemoRequest(
        "Library opening hours survey",
        "The results of the 2025 library opening hours survey.",
        15,
        ("withdraw",),
    ),
]


def _working_days_ago(today: dt.date, days: int) -> dt.date:
    holidays = deadlines.holidays_between(today - dt.timedelta(days=days * 2 + 30), today)
    day, counted = today, 0
    while counted < days:
        day -= dt.timedelta(days=1)
        if deadlines.is_working_day(day, holidays):
            counted += 1
    return day


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    for year in (today.year - 1, today.year, today.year + 1):
        for month, day, name in HOLIDAYS:
            Holiday.objects.get_or_create(day=dt.date(year, month, day), defaults={"name": name})
    if FoiRequest.objects.filter(title=REQUESTS[0].title).exists():
        log("FOI: the demo requests are already loaded.")
        return
    resident = get_user_model().objects.filter(email="resident@demo.example").first()
    if resident is None:
        log("FOI: no demo resident; load the accounts demo first.")
        return
    clerk_office = next((d.id for d in departments() if d.slug == "clerk"), None)
    released = 0
    for demo in REQUESTS:
        request = services.foi_request_file(
            actor=resident,
            title=demo.title,
            body=demo.body,
            department_id=clerk_office,
            sent_on=_working_days_ago(today, demo.working_days_ago),
        )
        for step in demo.path:
            if step == "extend":
                services.foi_request_extend(
                    actor=None, request_id=request.pk, days=10, reason="The records are held at three depots."
                )
            elif step == "clarify":
                services.foi_request_ask_clarification(
                    actor=None,
                    request_id=request.pk,
                    text=(
                        "Do you mean the construction contracts only, "
                        "or also the design and supervision contracts?"
                    ),
                )
            elif step == "withdraw":
                services.foi_request_withdraw(
                    actor=resident, request_id=request.pk, reason="I found the survey online."
                )
            elif step == "review":
                services.foi_request_review(
                    actor=resident,
                    request_id=request.pk,
                    text="Targets for tickets are a matter of public interest; please review the refusal.",
                )
            else:
                files = []
                if demo.document:
                    files.append(
                        services.UploadedFile(
                            demo.document,
                            "release.csv",
                            f"{demo.document}\nyear,amount\n2024,1200\n2025,1350\n".encode(),
                            "text/csv",
                        )
                    )
                try:
                    message = services.foi_request_respond(
                        actor=None,
                        request_id=request.pk,
                        outcome=step,
                        text=demo.answer,
                        files=files,
                        sign=True,
                    )
                except ServiceError:  # the document registry is not installed: answer without the file
                    message = services.foi_request_respond(
                        actor=None, request_id=request.pk, outcome=step, text=demo.answer
                    )
                released += message.attachments.count()
    log(
        f"FOI: {len(REQUESTS)} requests in varied states, "
        f"{released} signed documents released, holiday calendar."
    )
