"""From a published alert to its recipients: target the subscribers inside its areas, then hand
them to the notifications module, which plans one delivery each and sends in batches."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import F, Q
from django.utils import formats, translation
from django.utils.translation import gettext as _

from cityhall.alerts import selectors
from cityhall.alerts.contracts import (
    AlertState,
    AreaKind,
    Certainty,
    MsgType,
    Severity,
    SubscriptionStatus,
    Urgency,
)
from cityhall.alerts.models import Alert, Subscription
from cityhall.alerts.services.alerts import category_mask
from cityhall.alerts.services.subscriptions import UnsubscribeLinks
from cityhall.alerts.targeting import Footprint
from cityhall.core.geo import boundary_geometry
from cityhall.core.models import District
from cityhall.notifications.contracts import Channel, FanoutResult, Priority, Recipient
from cityhall.notifications.facade import message_fanout, message_recipients

logger = logging.getLogger(__name__)

TEMPLATES = {MsgType.ALERT: "alert", MsgType.UPDATE: "alert-update", MsgType.CANCEL: "alert-cancel"}


def message_source(alert_id: uuid.UUID) -> str:
    return f"alerts.alert:{alert_id}"


def footprint_of(alert: Alert) -> Footprint:
    polygons: list[str] = []
    circles: list[str] = []
    for area in alert.areas.all():
        polygons.extend(area.polygons)
        circles.extend(area.circles)
    return Footprint.from_cap(polygons, circles)


def target_subscriptions(alert: Alert, footprint: Footprint) -> list[tuple[Any, ...]]:
    """Active subscriptions inside the footprint, interested in the alert's categories.

    SQL keeps only those whose bounding box overlaps the footprint's; shapely (vectorised) and
    haversine decide for the rest. Rows: (id, channel, address, language).
    """
    box = footprint.box
    mask = category_mask(alert.categories)
    rows = list(
        Subscription.objects.filter(status=SubscriptionStatus.ACTIVE)
        .exclude(address="")
        .filter(
            min_latitude__lte=box.max_latitude,
            max_latitude__gte=box.min_latitude,
            min_longitude__lte=box.max_longitude,
            max_longitude__gte=box.min_longitude,
        )
        .annotate(shared=F("category_mask").bitand(mask))
        .filter(~Q(shared=0))
        .order_by("created_at", "id")
        .values_list(
            "id",
            "kind",
            "latitude",
            "longitude",
            "radius_km",
            "district_id",
            "channel",
            "address",
            "language",
        )
    )
    points = [row for row in rows if row[1] == AreaKind.POINT]
    inside: set[uuid.UUID] = set()
    if points:
        hits = footprint.circles_touching(
            np.fromiter((row[2] for row in points), float, len(points)),
            np.fromiter((row[3] for row in points), float, len(points)),
            np.fromiter((row[4] for row in points), float, len(points)),
        )
        inside.update(row[0] for row, hit in zip(points, hits, strict=True) if hit)
    district_ids = {row[5] for row in rows if row[1] == AreaKind.DISTRICT}
    touched = {
        district.pk
        for district in District.objects.filter(pk__in=district_ids)
        if footprint.overlaps_shape(boundary_geometry(district.boundary))
    }
    return [
        (row[0], row[6], row[7], row[8])
        for row in rows
        if row[1] == AreaKind.CITY or row[0] in inside or (row[1] == AreaKind.DISTRICT and row[5] in touched)
    ]


def still_subscribed(recipients: list[Recipient]) -> list[Recipient]:
    """Earlier recipients whose subscription is still active (one query per 5,000)."""
    ids: dict[Recipient, uuid.UUID] = {}
    for recipient in recipients:
        if recipient.reference.startswith("subscription:"):
            try:
                ids[recipient] = uuid.UUID(recipient.reference.split(":", 1)[1])
            except ValueError:
                continue
    values = list(set(ids.values()))
    active: set[uuid.UUID] = set()
    for start in range(0, len(values), 5000):
        active.update(
            Subscription.objects.filter(
                pk__in=values[start : start + 5000], status=SubscriptionStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
    return [recipient for recipient, subscription_id in ids.items() if subscription_id in active]


def personalisation(alert: Alert) -> dict[str, dict[str, str]]:
    """Per language the city offers: the matching text of the alert (else its first one)."""
    city = selectors.city_name()
    zone = selectors.city_zone()
    result: dict[str, dict[str, str]] = {}
    for language, _name in settings.LANGUAGES:
        info = selectors.info_for(alert, language)
        if info is None:
            continue
        with translation.override(language):
            expires = (
                formats.date_format(alert.expires.astimezone(zone), "DATETIME_FORMAT")
                if alert.expires
                else _("further notice")
            )
            result[language] = {
                "city": city,
                "headline": info.headline,
                "event": info.event,
                "description": info.description,
                "instruction": info.instruction or _("Follow the advice of the emergency services."),
                "area": ", ".join(selectors.area_description(area, language) for area in alert.areas.all()),
                "severity": str(Severity(alert.severity).label),
                "urgency": str(Urgency(alert.urgency).label),
                "certainty": str(Certainty(alert.certainty).label),
                "expires": expires,
                "url": selectors.alert_url(alert.pk),
                "sender_name": alert.sender_name or selectors.sender_name(),
                "identifier": alert.identifier,
                "msg_type": alert.msg_type,
                "cap_url": selectors.cap_url(alert.pk),
            }
    return result


def alert_fanout(*, alert_id: uuid.UUID) -> FanoutResult | None:
    """Idempotent: a second run plans nothing new (the notifications module's unique key)."""
    alert = selectors.alert_with_texts(alert_id)
    if alert is None or alert.state != AlertState.PUBLISHED or not alert.thread.is_public:
        return None
    # Superseded before its fan-out ran: the newer message goes out instead.
    latest_id = alert.thread.latest_id
    if latest_id is not None and latest_id != alert.pk and alert.msg_type != MsgType.CANCEL:
        logger.info("alerts.fanout_superseded", extra={"alert": str(alert.pk)})
        return None
    earlier_ids = list(
        Alert.objects.filter(
            thread_id=alert.thread_id, state=AlertState.PUBLISHED, published_at__lt=alert.published_at
        )
        .order_by("published_at")
        .values_list("pk", flat=True)
    )
    recipients: list[Recipient] = []
    if alert.msg_type != MsgType.CANCEL:
        links = UnsubscribeLinks()
        languages = {code for code, _name in settings.LANGUAGES}
        recipients = [
            Recipient(
                channel=Channel(channel),
                address=address,
                language=language if language in languages else settings.LANGUAGE_CODE,
                reference=f"subscription:{subscription_id}",
                unsubscribe_url=links.url(subscription_id),
            )
            for subscription_id, channel, address, language in target_subscriptions(
                alert, footprint_of(alert)
            )
        ]
    # Whoever got an earlier message of the thread hears of its Update or Cancel, even when the area
    # shrank; a Cancel goes only to them (nobody needs to hear that a warning they never got is over).
    if earlier_ids:
        recipients += still_subscribed(message_recipients(sources=[message_source(pk) for pk in earlier_ids]))
    earlier = earlier_ids[-1] if earlier_ids else None
    result = message_fanout(
        source=message_source(alert.pk),
        template_key=TEMPLATES[MsgType(alert.msg_type)],
        priority=Priority.ALERT,
        personalisation=personalisation(alert),
        recipients=recipients,
        expires_at=alert.expires,
        after_source=message_source(earlier) if earlier else "",
    )
    logger.info(
        "alerts.fanout",
        extra={"alert": str(alert.pk), "targeted": result.targeted, "planned": result.planned},
    )
    return result
