"""The demo city's service requests: a dozen kinds of problem across departments and 200 requests in
every state, spread over Aldermere's districts. Safe to run twice: nothing is duplicated."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments, users_with_permission
from cityhall.core.models import District
from cityhall.servicerequests.contracts import CLOSED_STATUSES, Channel, Datatype, Status
from cityhall.servicerequests.models import (
    RoutingRule,
    ServiceRequest,
    ServiceRequestUpdate,
    ServiceType,
    Visibility,
)
from cityhall.servicerequests.services import (
    AttributeDraft,
    new_reference,
    routing_rule_set,
    service_type_create,
)

DEMO_REQUESTS = 200
# Service types whose reports staff can escalate into emergency incidents, and the incident type.
EMERGENCY_TYPES = {"DRAIN": "flood", "TREE": "storm"}
YES_NO = (("yes", "Yes"), ("no", "No"))

# code, name, Spanish, Arabic, department slug, group, SLA hours, notice, keywords, description, questions
SERVICE_TYPES: list[tuple[str, str, str, str, str, str, int | None, str, str, str, list[AttributeDraft]]] = [
    (
        "POTHOLE",
        "Pothole",
        "Bache",
        "حفرة في الطريق",
        "roads",
        "Streets",
        72,
        "Inspected within 3 days; dangerous holes are made safe the same day.",
        "road, hole, tarmac, asphalt",
        "A hole or crack in the road surface.",
        [
            AttributeDraft(
                "SIZE",
                Datatype.SINGLEVALUELIST,
                "How big is it?",
                required=True,
                values=(
                    ("S", "Smaller than a plate"),
                    ("M", "Like a car tyre"),
                    ("L", "Larger than a car tyre"),
                ),
            ),
            AttributeDraft(
                "DEPTH",
                Datatype.NUMBER,
                "How deep is it, in centimetres?",
                datatype_description="A number, e.g. 5",
            ),
            AttributeDraft(
                "HAZARD",
                Datatype.MULTIVALUELIST,
                "Who is in danger?",
                values=(
                    ("traffic", "Cars and buses"),
                    ("cyclists", "Cyclists"),
                    ("pedestrians", "Pedestrians"),
                ),
            ),
        ],
    ),
    (
        "STREETLIGHT",
        "Street light not working",
        "Farola apagada",
        "عمود إنارة معطل",
        "roads",
        "Streets",
        120,
        "Repaired within 5 days.",
        "lamp, light, dark, lamppost",
        "A street light that is off, flickering or on during the day.",
        [
            AttributeDraft(
                "POLE",
                Datatype.STRING,
                "The number on the pole, if you can see one",
                datatype_description="e.g. AL-0412",
            ),
            AttributeDraft(
                "FAULT",
                Datatype.SINGLEVALUELIST,
                "What is wrong?",
                required=True,
                values=(("off", "Off at night"), ("flicker", "Flickers"), ("day", "On during the day")),
            ),
        ],
    ),
    (
        "SIGN",
        "Damaged traffic sign",
        "Señal de tráfico dañada",
        "إشارة مرور تالفة",
        "roads",
        "Streets",
        96,
        "",
        "sign, traffic, road sign, bent",
        "A traffic sign that is missing, bent, turned or unreadable.",
        [],
    ),
    (
        "PAVEMENT",
        "Broken pavement",
        "Acera rota",
        "رصيف مكسور",
        "roads",
        "Streets",
        240,
        "",
        "pavement, sidewalk, kerb, trip",
        "Loose, cracked or raised paving that people could trip on.",
        [],
    ),
    (
        "GRAFFITI",
        "Graffiti",
        "Pintadas",
        "كتابة على الجدران",
        "public-works",
        "Clean streets",
        168,
        "Offensive graffiti is removed within 24 hours.",
        "graffiti, tag, spray, paint",
        "Graffiti on public buildings, bridges or street furniture.",
        [
            AttributeDraft(
                "OFFENSIVE",
                Datatype.SINGLEVALUELIST,
                "Is it offensive or hateful?",
                required=True,
                values=YES_NO,
            ),
            AttributeDraft(
                "SURFACE",
                Datatype.SINGLEVALUELIST,
                "Where is it?",
                values=(("wall", "A wall"), ("bridge", "A bridge"), ("furniture", "A bench, bin or sign")),
            ),
        ],
    ),
    (
        "DUMPING",
        "Illegal dumping",
        "Vertido ilegal",
        "رمي النفايات بشكل غير قانوني",
        "waste",
        "Clean streets",
        48,
        "",
        "dumping, fly-tipping, rubbish, trash, mattress",
        "Rubbish, furniture or building waste left in a public place.",
        [
            AttributeDraft(
                "SAFETY",
                Datatype.STRING,
                "Do not touch drums, needles or chemicals. If something smells "
                "of gas or chemicals, call the emergency number.",
                variable=False,
            ),
            AttributeDraft(
                "WHAT",
                Datatype.MULTIVALUELIST,
                "What was dumped?",
                required=True,
                values=(
                    ("bags", "Bags of rubbish"),
                    ("furniture", "Furniture or mattresses"),
                    ("building", "Building waste"),
                    ("chemicals", "Drums or chemicals"),
                ),
            ),
        ],
    ),
    (
        "BIN",
        "Missed bin collection",
        "Recogida de contenedor olvidada",
        "لم يتم جمع الحاوية",
        "waste",
        "Bins and recycling",
        24,
        "Missed bins are collected the next working day.",
        "bin, collection, missed, recycling, rubbish",
        "Your bin was out on time but was not emptied.",
        [
            AttributeDraft(
                "BIN",
                Datatype.SINGLEVALUELIST,
                "Which bin?",
                required=True,
                values=(
                    ("general", "General waste"),
                    ("recycling", "Recycling"),
                    ("organic", "Food and garden"),
                ),
            ),
            AttributeDraft(
                "COLLECTION",
                Datatype.DATETIME,
                "When should it have been collected?",
                required=True,
                datatype_description="Date and time, e.g. 2026-03-02T07:00:00+01:00",
            ),
        ],
    ),
    (
        "TREE",
        "Fallen or dangerous tree",
        "Árbol caído o peligroso",
        "شجرة ساقطة أو خطرة",
        "parks",
        "Parks and trees",
        24,
        "A tree officer visits within a day.",
        "tree, branch, fallen, storm",
        "A tree or large branch that has fallen, or looks about to.",
        [
            AttributeDraft(
                "BLOCKING",
                Datatype.SINGLEVALUELIST,
                "Is it blocking a road or path?",
                required=True,
                values=YES_NO,
            )
        ],
    ),
    (
        "PLAYGROUND",
        "Damaged playground or park furniture",
        "Parque infantil o mobiliario dañado",
        "ملعب أطفال أو أثاث حديقة تالف",
        "parks",
        "Parks and trees",
        120,
        "Unsafe equipment is closed off the same day.",
        "playground, swing, bench, park",
        "Broken swings, slides, benches or fences in a park.",
        [AttributeDraft("DETAILS", Datatype.TEXT, "What is broken?")],
    ),
    (
        "NOISE",
        "Noise from a business or building site",
        "Ruido de un negocio u obra",
        "ضوضاء من محل أو ورشة بناء",
        "environment",
        "Environment",
        72,
        "",
        "noise, loud, music, construction",
        "Noise from a business, bar or building site that goes on for a long time or at night.",
        [
            AttributeDraft(
                "SOURCE",
                Datatype.SINGLEVALUELIST,
                "Where does it come from?",
                required=True,
                values=(
                    ("bar", "A bar or restaurant"),
                    ("site", "A building site"),
                    ("factory", "A workshop or factory"),
                ),
            ),
            AttributeDraft("WHEN", Datatype.DATETIME, "When did you last hear it?"),
        ],
    ),
    (
        "AIR",
        "Smoke, smell or air pollution",
        "Humo, olores o contaminación",
        "دخان أو رائحة أو تلوث الهواء",
        "environment",
        "Environment",
        72,
        "",
        "smoke, smell, odour, pollution, burning",
        "Smoke, bonfires, bad smells or dust from a site.",
        [],
    ),
    (
        "DRAIN",
        "Blocked drain or flooding",
        "Alcantarilla atascada o inundación",
        "مصرف مسدود أو فيضان",
        "public-works",
        "Streets",
        12,
        "Flooding is attended within 12 hours.",
        "drain, flood, water, gully",
        "A blocked drain, or water standing on a road or path.",
        [AttributeDraft("DEPTH", Datatype.NUMBER, "How deep is the water, in centimetres?")],
    ),
]

DESCRIPTIONS = {
    "POTHOLE": [
        "Deep hole near the bus stop",
        "Cracked surface getting worse after the frost",
        "Hole in the cycle lane",
    ],
    "STREETLIGHT": ["Light has been off for a week", "The lamp flickers all night", "Light on all day"],
    "SIGN": ["Stop sign turned to face the wrong way", "Speed limit sign knocked down"],
    "PAVEMENT": ["Raised paving stone, someone tripped", "Large crack across the footpath"],
    "GRAFFITI": ["Tags all over the underpass", "Graffiti on the library wall"],
    "DUMPING": ["Old sofa and bags left by the river path", "Building rubble dumped in the lay-by"],
    "BIN": ["Recycling not collected on Monday", "Food bin missed again this week"],
    "TREE": ["Large branch down across the path after the storm", "Tree leaning over the road"],
    "PLAYGROUND": ["Swing chain broken", "Bench slats missing"],
    "NOISE": ["Building site starts at 5 in the morning", "Loud music from the bar after midnight"],
    "AIR": ["Smoke from a bonfire every evening", "Strong chemical smell near the works"],
    "DRAIN": ["Drain blocked with leaves, water across the road", "Puddle the width of the street"],
}
STATUS_NOTES = {
    Status.ACKNOWLEDGED: "We have your report and will inspect it.",
    Status.IN_PROGRESS: "A crew is working on it.",
    Status.SCHEDULED: "The repair is booked.",
    Status.RESOLVED: "Fixed. Thank you for reporting it.",
    Status.CLOSED: "Closed after the repair was checked.",
    Status.NOT_RESPONSIBLE: "This is private land: we passed your report to the owner.",
}


def _answers(rng: random.Random, code: str) -> dict[str, object]:
    examples: dict[str, dict[str, object]] = {
        "POTHOLE": {
            "SIZE": rng.choice("SML"),
            "HAZARD": rng.sample(["traffic", "cyclists", "pedestrians"], 2),
        },
        "STREETLIGHT": {"FAULT": rng.choice(["off", "flicker", "day"])},
        "GRAFFITI": {"OFFENSIVE": rng.choice(["yes", "no", "no"])},
        "DUMPING": {"WHAT": [rng.choice(["bags", "furniture", "building"])]},
        "BIN": {
            "BIN": rng.choice(["general", "recycling", "organic"]),
            "COLLECTION": "2026-03-02T07:00:00+01:00",
        },
        "TREE": {"BLOCKING": rng.choice(["yes", "no"])},
        "NOISE": {"SOURCE": rng.choice(["bar", "site", "factory"])},
    }
    return examples.get(code, {})


def _status_for(rng: random.Random, age_days: float) -> Status:
    if age_days < 2:
        return rng.choice([Status.SUBMITTED, Status.SUBMITTED, Status.ACKNOWLEDGED])
    if age_days < 14:
        return rng.choice(
            [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.SCHEDULED, Status.RESOLVED, Status.SUBMITTED]
        )
    return rng.choice(
        [
            Status.RESOLVED,
            Status.CLOSED,
            Status.CLOSED,
            Status.IN_PROGRESS,
            Status.NOT_RESPONSIBLE,
            Status.SCHEDULED,
        ]
    )


def _ensure_service_types(log: Callable[[str], None]) -> dict[str, ServiceType]:
    by_slug = {department.slug: department.id for department in departments()}
    existing = {service_type.code: service_type for service_type in ServiceType.objects.all()}
    created = 0
    for (
        code,
        name,
        name_es,
        name_ar,
        slug,
        group,
        sla,
        notice,
        keywords,
        description,
        questions,
    ) in SERVICE_TYPES:
        if code in existing:
            continue
        existing[code] = service_type_create(
            actor=None,
            code=code,
            name=name,
            name_translations={"es": name_es, "ar": name_ar},
            department_id=by_slug[slug],
            description=description,
            group=group,
            keywords=keywords,
            sla_hours=sla,
            service_notice=notice,
            attributes=questions,
            is_emergency=code in EMERGENCY_TYPES,
            incident_type=EMERGENCY_TYPES.get(code, ""),
        )
        created += 1
    for code, incident_type in EMERGENCY_TYPES.items():  # demo cities loaded before the flag existed
        ServiceType.objects.filter(code=code, is_emergency=False).update(
            is_emergency=True, incident_type=incident_type
        )
    old_town = District.objects.filter(slug="old-town").first()
    # Graffiti on the listed buildings of the old town goes to the heritage team in planning.
    if (
        old_town is not None
        and "planning" in by_slug
        and "GRAFFITI" in existing
        and not RoutingRule.objects.filter(service_type=existing["GRAFFITI"], district=old_town).exists()
    ):
        routing_rule_set(
            actor=None,
            service_type=existing["GRAFFITI"],
            district_id=old_town.pk,
            department_id=by_slug["planning"],
        )
    log(f"{len(existing)} service types ({created} new).")
    return existing


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> None:
    types = _ensure_service_types(log)
    done = ServiceRequest.objects.filter(account_id__startswith="demo-").count()
    if done >= DEMO_REQUESTS:
        log(f"{done} demo service requests already there.")
        return
    rng = random.Random(2026)  # the same city every time
    districts = list(District.objects.order_by("slug"))
    rules: dict[tuple[uuid.UUID, uuid.UUID | None], uuid.UUID] = {
        (r.service_type_id, r.district_id): r.department_id for r in RoutingRule.objects.all()
    }
    staff_by_department: dict[uuid.UUID, list[uuid.UUID]] = {}
    now = timezone.now()
    existing = set(
        ServiceRequest.objects.filter(account_id__startswith="demo-").values_list("account_id", flat=True)
    )
    requests: list[ServiceRequest] = []
    updates: list[ServiceRequestUpdate] = []
    codes = sorted(types)
    for number in range(DEMO_REQUESTS):
        service_type = types[codes[number % len(codes)]]
        age_days = rng.uniform(0, 120)
        district = districts[rng.randrange(len(districts))] if districts else None
        if district is not None:
            latitude = rng.uniform(district.min_latitude, district.max_latitude)
            longitude = rng.uniform(district.min_longitude, district.max_longitude)
        else:
            latitude, longitude = 47.999 + rng.uniform(-0.03, 0.03), 11.001 + rng.uniform(-0.05, 0.05)
        account_id = f"demo-{number:03d}"
        if account_id in existing:
            continue
        requested = now - dt.timedelta(days=age_days)
        status = _status_for(rng, age_days)
        department_id = rules.get(
            (service_type.pk, district.pk if district else None), service_type.department_id
        )
        if department_id not in staff_by_department:
            staff_by_department[department_id] = [
                s.id
                for s in users_with_permission(
                    Permission.HANDLE_SERVICE_REQUESTS, department_id=department_id
                )
            ]
        staff = staff_by_department[department_id]
        request = ServiceRequest(
            reference=new_reference(),
            service_type=service_type,
            department_id=department_id,
            status=status,
            status_notes=STATUS_NOTES.get(status, ""),
            description=rng.choice(DESCRIPTIONS[service_type.code]),
            latitude=round(latitude, 6),
            longitude=round(longitude, 6),
            district=district,
            attributes=_answers(rng, service_type.code),
            channel=rng.choices(list(Channel), weights=[60, 20, 10, 10])[0],
            account_id=account_id,
            requested_at=requested,
            expected_at=requested + dt.timedelta(hours=service_type.sla_hours)
            if service_type.sla_hours
            else None,
            closed_at=requested + dt.timedelta(days=min(age_days, rng.uniform(1, 10)))
            if status in CLOSED_STATUSES
            else None,
            assigned_to_id=rng.choice(staff)
            if staff and status not in {Status.SUBMITTED} and rng.random() < 0.6
            else None,
        )
        requests.append(request)
        if status != Status.SUBMITTED:
            moment = requested + dt.timedelta(hours=rng.uniform(1, 48))
            updates.append(
                ServiceRequestUpdate(
                    request=request,
                    visibility=Visibility.PUBLIC,
                    status=status,
                    status_changed=True,
                    description=STATUS_NOTES.get(status, ""),
                    created_at=min(moment, now),
                    notified_at=min(moment, now),
                )
            )
            if rng.random() < 0.3:
                updates.append(
                    ServiceRequestUpdate(
                        request=request,
                        visibility=Visibility.INTERNAL,
                        description=rng.choice(["Crew booked.", "Checked on site.", "Waiting for parts."]),
                        created_at=min(moment + dt.timedelta(hours=1), now),
                    )
                )
    ServiceRequest.objects.bulk_create(requests)
    ServiceRequestUpdate.objects.bulk_create(updates)
    # bulk_create stamps updated_at with now; the demo's history needs it in the past.
    for request in requests:
        last = request.closed_at or request.requested_at + dt.timedelta(hours=2)
        ServiceRequest.objects.filter(pk=request.pk).update(updated_at=min(last, now))
    _demo_duplicates(rng)
    log(f"{ServiceRequest.objects.filter(account_id__startswith='demo-').count()} demo service requests.")


def _demo_duplicates(rng: random.Random) -> None:
    """A few later reports close to an earlier one of the same kind become its duplicates."""
    candidates = list(
        ServiceRequest.objects.filter(account_id__startswith="demo-", status=Status.SUBMITTED).order_by(
            "requested_at"
        )[:4]
    )
    for duplicate in candidates:
        original = (
            ServiceRequest.objects.filter(
                service_type=duplicate.service_type_id, requested_at__lt=duplicate.requested_at
            )
            .exclude(status=Status.DUPLICATE)
            .order_by("-requested_at")
            .first()
        )
        if original is None:
            continue
        duplicate.status = Status.DUPLICATE
        duplicate.duplicate_of = original
        duplicate.closed_at = duplicate.requested_at + dt.timedelta(hours=3)
        duplicate.status_notes = f"This problem was already reported as {original.reference}."
        duplicate.save(update_fields=["status", "duplicate_of", "closed_at", "status_notes", "updated_at"])
        ServiceRequestUpdate.objects.create(
            request=duplicate,
            visibility=Visibility.PUBLIC,
            status=Status.DUPLICATE,
            status_changed=True,
            description=duplicate.status_notes,
            notified_at=timezone.now(),
        )
