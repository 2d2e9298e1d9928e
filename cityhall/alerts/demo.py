"""The demo city's flood: the Alder breaks its banks in Aldermere.

Districts serve as alert areas; shelters open; a flood warning is issued and then updated (wider
area, evacuation); a drinking-water warning is issued and then cancelled; the incident has tasks,
situation reports and logged decisions; a few hundred residents are subscribed. Status Actual:
the city is fictional. Safe to run twice: nothing is duplicated.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cityhall.alerts import selectors, services
from cityhall.alerts.contracts import (
    AreaKind,
    CapStatus,
    Category,
    Certainty,
    IncidentSeverity,
    IncidentType,
    ResourceKind,
    ResourceStatus,
    ResponseType,
    Severity,
    SubscriptionStatus,
    Urgency,
)
from cityhall.alerts.models import Incident, Place, Resource, Subscription
from cityhall.alerts.services.alerts import ALL_CATEGORIES, AlertInput, AreaInput, InfoInput, category_mask
from cityhall.alerts.targeting import WORLD, circle_box
from cityhall.core.geo import bounding_box
from cityhall.core.models import District
from cityhall.notifications.contracts import Channel

INCIDENT_TITLE = "Alder river flood"
SUBSCRIBERS = 300

# (name, latitude, longitude, district slug)
PLACES = [
    ("Mill Lane", 47.9850, 11.0010, "riverside"),
    ("Quay Street", 47.9790, 11.0100, "riverside"),
    ("Mill Bridge", 47.9860, 10.9950, "riverside"),
    ("Harbour Road", 47.9800, 11.0400, "harbour"),
    ("Fishmarket Square", 47.9880, 11.0450, "harbour"),
    ("Willow Walk", 47.9860, 10.9600, "westbrook"),
    ("Brook Street", 47.9770, 10.9700, "westbrook"),
    ("Market Square", 48.0120, 11.0010, "old-town"),
    ("Cathedral Street", 48.0150, 10.9950, "old-town"),
    ("Town Hall", 48.0100, 11.0050, "old-town"),
    ("Hill Road", 48.0150, 10.9600, "north-hill"),
    ("Observatory Lane", 48.0200, 10.9550, "north-hill"),
    ("Station Road", 48.0100, 11.0400, "eastfield"),
    ("Orchard Avenue", 48.0180, 11.0450, "eastfield"),
]

# (kind, name, location, district, capacity, occupancy, status, latitude, longitude)
RESOURCES = [
    (
        ResourceKind.SHELTER,
        "Old Town Gymnasium",
        "Market Square 4",
        "old-town",
        250,
        138,
        ResourceStatus.OPEN,
        48.0115,
        11.0020,
    ),
    (
        ResourceKind.SHELTER,
        "Eastfield School Hall",
        "Station Road 12",
        "eastfield",
        180,
        61,
        ResourceStatus.OPEN,
        48.0105,
        11.0410,
    ),
    (
        ResourceKind.SHELTER,
        "North Hill Community Centre",
        "Hill Road 2",
        "north-hill",
        120,
        0,
        ResourceStatus.STANDBY,
        48.0150,
        10.9610,
    ),
    (
        ResourceKind.SHELTER,
        "Harbour Sports Arena",
        "Harbour Road 30",
        "harbour",
        400,
        0,
        ResourceStatus.CLOSED,
        47.9805,
        11.0390,
    ),
    (
        ResourceKind.SANDBAGS,
        "Sandbag depot Station Road",
        "Station Road 40",
        "eastfield",
        None,
        0,
        ResourceStatus.OPEN,
        48.0090,
        11.0430,
    ),
    (
        ResourceKind.PUMP,
        "High-volume pump unit 2",
        "Quay Street",
        "riverside",
        None,
        0,
        ResourceStatus.OPEN,
        47.9790,
        11.0100,
    ),
]

FLOOD_TEXTS = {
    "en": (
        "Flood",
        "Flood warning for Riverside and Harbour",
        "The Alder is rising fast after two days of heavy rain and is expected to break its banks "
        "tonight between Mill Bridge and the harbour.",
        "Keep away from the riverbank and underpasses. Move valuables and vehicles to higher ground. "
        "Shelters are open at the Old Town Gymnasium and Eastfield School Hall.",
    ),
    "es": (
        "Inundación",
        "Aviso de inundación en Ribera y Puerto",
        "El Alder crece rápidamente tras dos días de lluvias intensas y se espera que se desborde "
        "esta noche entre el Puente del Molino y el puerto.",
        "Aléjese de la orilla y de los pasos subterráneos. Lleve objetos de valor y vehículos a zonas "
        "altas. Hay refugios abiertos en el Gimnasio del Casco Antiguo y en el salón de la escuela "
        "de Campo Este.",
    ),
    "ar": (
        "فيضان",
        "تحذير من الفيضان في ضفة النهر والميناء",
        "يرتفع منسوب نهر ألدر بسرعة بعد يومين من الأمطار الغزيرة، ويُتوقع أن يفيض الليلة بين جسر "
        "الطاحونة والميناء.",
        "ابتعد عن ضفة النهر والأنفاق. انقل الأشياء الثمينة والسيارات إلى أماكن مرتفعة. الملاجئ مفتوحة في "
        "صالة البلدة القديمة الرياضية وقاعة مدرسة الحقل الشرقي.",
    ),
}

UPDATE_TEXTS = {
    "en": (
        "Flood",
        "Flood: leave ground floors along the Alder now",
        "The Alder has broken its banks at Mill Bridge. Water is flowing into Quay Street and "
        "Willow Walk and is still rising.",
        "Leave ground floors and basements in Riverside, Harbour and Westbrook now. Do not drive or "
        "walk through flood water. Go to the Old Town Gymnasium or Eastfield School Hall.",
    ),
    "es": (
        "Inundación",
        "Inundación: abandone ya las plantas bajas junto al Alder",
        "El Alder se ha desbordado en el Puente del Molino. El agua entra en la calle del Muelle y "
        "en el Paseo de los Sauces y sigue subiendo.",
        "Abandone ya plantas bajas y sótanos en Ribera, Puerto y Arroyo Oeste. No conduzca ni camine "
        "por el agua. Vaya al Gimnasio del Casco Antiguo o al salón de la escuela de Campo Este.",
    ),
    "ar": (
        "فيضان",
        "فيضان: غادر الطوابق الأرضية على طول نهر ألدر الآن",
        "فاض نهر ألدر عند جسر الطاحونة. المياه تتدفق إلى شارع الرصيف وممشى الصفصاف وما زالت ترتفع.",
        "غادر الطوابق الأرضية والأقبية في ضفة النهر والميناء والجدول الغربي الآن. لا تقد ولا تمشِ في مياه "
        "الفيضان. توجّه إلى صالة البلدة القديمة الرياضية أو قاعة مدرسة الحقل الشرقي.",
    ),
}

WATER_TEXTS = {
    "en": (
        "Drinking water contamination",
        "Boil tap water before drinking in Old Town",
        "Flood water may have entered the Old Town water mains. Tests are under way.",
        "Boil tap water for one minute before drinking, cooking or brushing teeth, until further notice.",
    ),
    "es": (
        "Contaminación del agua potable",
        "Hierva el agua del grifo antes de beberla en el Casco Antiguo",
        "Es posible que el agua de la inundación haya entrado en la red del Casco Antiguo. "
        "Se están haciendo análisis.",
        "Hierva el agua del grifo durante un minuto antes de beberla, cocinar o lavarse los dientes, "
        "hasta nuevo aviso.",
    ),
    "ar": (
        "تلوث مياه الشرب",
        "اغلِ ماء الصنبور قبل شربه في البلدة القديمة",
        "ربما دخلت مياه الفيضان شبكة مياه البلدة القديمة. الفحوص جارية.",
        "اغلِ ماء الصنبور لمدة دقيقة قبل الشرب أو الطهي أو تنظيف الأسنان، حتى إشعار آخر.",
    ),
}


def _infos(texts: dict[str, tuple[str, str, str, str]]) -> tuple[InfoInput, ...]:
    return tuple(InfoInput(language, *values) for language, values in texts.items())


def _user(email: str) -> Any:
    return get_user_model().objects.filter(email=email).first()


def _places(log: Callable[[str], None]) -> None:
    districts = {d.slug: d for d in District.objects.all()}
    for name, latitude, longitude, slug in PLACES:
        Place.objects.update_or_create(
            search_name=selectors.normalise_place(name),
            defaults={
                "name": name,
                "latitude": latitude,
                "longitude": longitude,
                "district": districts.get(slug),
            },
        )
    log(f"{len(PLACES)} named places for address lookup.")


def _subscribers(log: Callable[[str], None]) -> None:
    existing = Subscription.objects.filter(address__endswith="@demo.example").count()
    existing += Subscription.objects.filter(address__startswith="+4915100").count()
    if existing >= SUBSCRIBERS:
        return
    rng = random.Random(2026)
    districts = list(District.objects.order_by("slug"))
    if not districts:
        return
    lat_min = min(d.min_latitude for d in districts)
    lat_max = max(d.max_latitude for d in districts)
    lon_min = min(d.min_longitude for d in districts)
    lon_max = max(d.max_longitude for d in districts)
    now = timezone.now()
    rows = []
    for number in range(1, SUBSCRIBERS + 1):
        sms = number % 5 == 0
        channel = Channel.SMS if sms else Channel.EMAIL
        address = f"+4915100{number:06d}" if sms else f"resident{number:03d}@demo.example"
        language = rng.choices(["en", "es", "ar"], weights=[60, 25, 15])[0]
        mask = (
            ALL_CATEGORIES
            if rng.random() < 0.7
            else category_mask([Category.MET, Category.SAFETY, Category.HEALTH])
        )
        kind_roll = rng.random()
        fields: dict[str, Any]
        if kind_roll < 0.6:
            latitude = round(rng.uniform(lat_min, lat_max), 5)
            longitude = round(rng.uniform(lon_min, lon_max), 5)
            radius = rng.choice([0.5, 1.0, 1.0, 2.0, 3.0])
            box = circle_box(latitude, longitude, radius)
            fields = {
                "kind": AreaKind.POINT,
                "latitude": latitude,
                "longitude": longitude,
                "radius_km": radius,
            }
            bounds = (box.min_latitude, box.min_longitude, box.max_latitude, box.max_longitude)
        elif kind_roll < 0.85:
            district = rng.choice(districts)
            box2 = bounding_box(district.boundary)
            fields = {"kind": AreaKind.DISTRICT, "district": district}
            bounds = (box2.min_latitude, box2.min_longitude, box2.max_latitude, box2.max_longitude)
        else:
            fields = {"kind": AreaKind.CITY}
            bounds = (WORLD.min_latitude, WORLD.min_longitude, WORLD.max_latitude, WORLD.max_longitude)
        rows.append(
            Subscription(
                **fields,
                min_latitude=bounds[0],
                min_longitude=bounds[1],
                max_latitude=bounds[2],
                max_longitude=bounds[3],
                category_mask=mask,
                language=language,
                channel=channel,
                address=address,
                status=SubscriptionStatus.ACTIVE,
                confirmed_at=now,
            )
        )
    Subscription.objects.bulk_create(rows)
    log(f"{len(rows)} confirmed alert subscribers (email and SMS; points, districts, city-wide).")


def _publish(author: Any, approver: Any, alert_id: Any) -> None:
    services.alert_submit(actor=author, alert_id=alert_id)
    services.alert_approve(actor=approver, alert_id=alert_id)


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> None:
    _places(log)
    emma = _user("emergency@demo.example")
    omar = _user("emergency2@demo.example")
    if emma is None or omar is None:
        log("alerts: the emergency managers' demo accounts are missing; load accounts first.")
        return
    if Incident.objects.filter(title=INCIDENT_TITLE).exists():
        log("alerts: the flood is already loaded.")
        return
    _subscribers(log)
    now = timezone.now()
    districts = {d.slug: d for d in District.objects.all()}
    emergency = next((d for d in _departments() if d.slug == "emergency"), None)
    incident = services.incident_create(
        actor=emma,
        title=INCIDENT_TITLE,
        kind=IncidentType.FLOOD,
        severity=IncidentSeverity.SEVERE,
        description="After two days of heavy rain the Alder is rising fast through Riverside, Harbour "
        "and Westbrook.",
        location_description="Alder river, from Mill Bridge to the harbour",
        latitude=47.9850,
        longitude=11.0010,
        district="riverside",
        lead_id=emma.pk,
        department_id=emergency.id if emergency else None,
        opened_at=now - dt.timedelta(hours=9),
    )
    for kind, name, location, slug, capacity, occupancy, status, lat, lon in RESOURCES:
        if not Resource.objects.filter(name=name).exists():
            services.resource_add(
                actor=emma,
                kind=kind,
                name=name,
                incident_id=incident.pk,
                status=status,
                capacity=capacity,
                occupancy=occupancy,
                location=location,
                district=slug if slug in districts else None,
                latitude=lat,
                longitude=lon,
            )
    by_slug = {d.slug: d.id for d in _departments()}
    for title, slug, hours in (
        ("Fill and place sandbags along Quay Street", "public-works", 2),
        ("Close Mill Bridge and the riverside underpasses", "roads", 1),
        ("Staff the shelters and register evacuees", "social", 3),
        ("Read the river gauges every 30 minutes", "environment", 12),
    ):
        if slug in by_slug:
            services.incident_task_add(
                actor=emma,
                incident_id=incident.pk,
                title=title,
                department_id=by_slug[slug],
                due_at=now + dt.timedelta(hours=hours),
            )
    first = services.situation_report_add(
        actor=emma,
        incident_id=incident.pk,
        period_start=now - dt.timedelta(hours=9),
        period_end=now - dt.timedelta(hours=6),
        situation="The Alder gauge at Mill Bridge reads 3.1 m and rises 12 cm an hour; flood level is 3.6 m.",
        actions="Sandbags issued at Station Road; pumps moved to Quay Street; shelters on standby.",
        needs="Volunteers to fill sandbags; two more pumps from the county.",
        outlook="Flooding of Riverside expected after midnight if the rain continues.",
        people_affected=4200,
        people_evacuated=0,
        people_sheltered=0,
        next_report_due=now - dt.timedelta(hours=3),
    )
    services.decision_record(
        actor=omar,
        incident_id=incident.pk,
        decided_at=now - dt.timedelta(hours=6),
        decision="Open the shelters at the Old Town Gymnasium and Eastfield School Hall.",
        rationale="Flooding of Riverside is likely tonight and both buildings are above the flood line.",
        information="Situation report 1; gauge readings at Mill Bridge; the weather service's rain forecast.",
        report_numbers=[first.number],
    )
    services.decision_record(
        actor=emma,
        incident_id=incident.pk,
        decided_at=now - dt.timedelta(hours=5, minutes=30),
        decision="Warn residents of Riverside and Harbour by public alert (email, SMS, feed).",
        rationale="People need several hours to move valuables and vehicles.",
        information="Situation report 1; flood maps of the Alder.",
        report_numbers=[first.number],
    )

    flood = services.alert_create(
        actor=emma,
        data=AlertInput(
            status=CapStatus.ACTUAL,
            categories=(Category.MET,),
            urgency=Urgency.EXPECTED,
            severity=Severity.SEVERE,
            certainty=Certainty.LIKELY,
            response_types=(ResponseType.PREPARE, ResponseType.AVOID),
            expires=now + dt.timedelta(days=2),
            incident_id=incident.pk,
            department_id=emergency.id if emergency else None,
            contact="Aldermere emergency line 0800 112 112",
            infos=_infos(FLOOD_TEXTS),
            areas=(AreaInput(district="riverside"), AreaInput(district="harbour")),
        ),
    )
    _publish(emma, omar, flood.pk)

    report = services.situation_report_add(
        actor=omar,
        incident_id=incident.pk,
        period_start=now - dt.timedelta(hours=6),
        period_end=now - dt.timedelta(hours=1),
        situation="The Alder broke its banks at Mill Bridge at 3.7 m. Quay Street and Willow Walk are "
        "under 30 cm of water.",
        actions="Mill Bridge closed; ground floors along Quay Street evacuated door to door; "
        "199 people in shelters.",
        needs="Boats for Willow Walk; drinking water for the shelters.",
        outlook="The rain eases by noon; the river should peak in the afternoon.",
        people_affected=9800,
        people_evacuated=640,
        injuries=3,
        next_report_due=now + dt.timedelta(hours=3),
    )
    services.decision_record(
        actor=emma,
        incident_id=incident.pk,
        decided_at=now - dt.timedelta(minutes=50),
        decision="Order the evacuation of ground floors in Riverside, Harbour and Westbrook; "
        "widen the alert to Westbrook.",
        rationale="Water is entering homes and still rising; Westbrook's low streets flood next.",
        information="Situation report 2; reports from the fire service at Willow Walk.",
        decided_by_name="Emma Emergency",
        decided_by_role="Incident lead",
        report_numbers=[report.number],
    )
    update = services.alert_update_draft(actor=omar, alert_id=flood.pk)
    services.alert_edit(
        actor=omar,
        alert_id=update.pk,
        data=AlertInput(
            status=CapStatus.ACTUAL,
            categories=(Category.MET,),
            urgency=Urgency.IMMEDIATE,
            severity=Severity.EXTREME,
            certainty=Certainty.OBSERVED,
            response_types=(ResponseType.EVACUATE,),
            expires=now + dt.timedelta(days=2),
            incident_id=incident.pk,
            contact="Aldermere emergency line 0800 112 112",
            infos=_infos(UPDATE_TEXTS),
            areas=(
                AreaInput(district="riverside"),
                AreaInput(district="harbour"),
                AreaInput(district="westbrook"),
            ),
        ),
    )
    _publish(omar, emma, update.pk)

    water = services.alert_create(
        actor=omar,
        data=AlertInput(
            status=CapStatus.ACTUAL,
            categories=(Category.HEALTH,),
            urgency=Urgency.EXPECTED,
            severity=Severity.MODERATE,
            certainty=Certainty.POSSIBLE,
            response_types=(ResponseType.EXECUTE,),
            expires=now + dt.timedelta(days=1),
            incident_id=incident.pk,
            department_id=emergency.id if emergency else None,
            infos=_infos(WATER_TEXTS),
            areas=(AreaInput(district="old-town"),),
        ),
    )
    _publish(omar, emma, water.pk)
    cancel = services.alert_cancel(
        actor=emma, alert_id=water.pk, reason="Tests show the Old Town tap water is safe to drink again."
    )
    services.alert_approve(actor=omar, alert_id=cancel.pk)
    services.incident_note(
        actor=emma, incident_id=incident.pk, text="County pumps arrived; deployed at Willow Walk."
    )
    log(
        f"Incident {incident.code} ({INCIDENT_TITLE}): 6 resources, 4 tasks, 2 situation reports, "
        "3 decisions; a flood warning and its update, a drinking-water warning and its cancellation."
    )


def _departments() -> list[Any]:
    from cityhall.accounts.facade import departments

    return departments()
