"""Reads for alerts and incidents: a bounded number of queries each."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
import zoneinfo

from django.conf import settings
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cityhall.alerts import cap
from cityhall.alerts.contracts import (
    AlertState,
    CapStatus,
    CurrentAlert,
    DecisionRecord,
    MsgType,
    ResourceKind,
    Scope,
    Severity,
)
from cityhall.alerts.models import (
    Alert,
    AlertArea,
    AlertInfo,
    AlertThread,
    Decision,
    Incident,
    Place,
    Resource,
    Subscription,
)
from cityhall.core.models import City, District

PAST_LIMIT = 50


# --- The city -------------------------------------------------------------------------------


def city_name() -> str:
    return City.objects.values_list("name", flat=True).first() or settings.CITY_NAME


def city_zone() -> dt.tzinfo:
    name = City.objects.values_list("time_zone", flat=True).first() or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def sender_name() -> str:
    return settings.CAP_SENDER_NAME or f"{city_name()} Emergency Management"


def absolute(path: str) -> str:
    return f"{settings.CITYHALL_BASE_URL}{path}"


def alert_url(alert_id: uuid.UUID) -> str:
    return absolute(reverse("alerts:detail", args=[alert_id]))


def cap_url(alert_id: uuid.UUID) -> str:
    return absolute(reverse("alerts:cap", args=[alert_id]))


def districts() -> QuerySet[District]:
    return District.objects.order_by("name")


def district_by_slug(slug: str) -> District | None:
    return District.objects.filter(slug=slug).first()


def place_lookup(text: str, *, limit: int = 5) -> list[Place]:
    """Places whose name starts with (or contains) the text typed, best first."""
    key = normalise_place(text)
    if not key:
        return []
    exact = list(Place.objects.filter(search_name=key)[:1])
    if exact:
        return exact
    starts = list(Place.objects.filter(search_name__startswith=key)[:limit])
    return starts or list(Place.objects.filter(search_name__contains=key)[:limit])


def normalise_place(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").split())


# --- One alert as CAP -----------------------------------------------------------------------


def _with_texts(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    return queryset.prefetch_related(
        Prefetch("infos", queryset=AlertInfo.objects.order_by("position")),
        Prefetch("areas", queryset=AlertArea.objects.select_related("district").order_by("position")),
    )


def alert_with_texts(alert_id: uuid.UUID) -> Alert | None:
    return _with_texts(Alert.objects.select_related("thread", "thread__incident")).filter(pk=alert_id).first()


def area_description(area: AlertArea, language: str) -> str:
    translations = area.description_translations or {}
    return translations.get(language) or translations.get(language.split("-")[0]) or area.description


def info_for(alert: Alert, language: str) -> AlertInfo | None:
    """The text in the reader's language, else the first one (uses prefetched infos)."""
    infos = list(alert.infos.all())
    base = language.split("-")[0].lower()
    for info in infos:
        if info.language.lower() == language.lower() or info.language.split("-")[0].lower() == base:
            return info
    return infos[0] if infos else None


def active_references(
    thread: AlertThread, *, now: dt.datetime, exclude: uuid.UUID | None = None
) -> list[cap.CapReference]:
    """The thread's published messages still in force: what an Update or Cancel must reference.
    When every one has expired, the latest is referenced, so an Update never stands alone."""
    published = Alert.objects.filter(thread=thread, state=AlertState.PUBLISHED).order_by("sent")
    if exclude is not None:
        published = published.exclude(pk=exclude)
    rows = list(published.values_list("sender", "identifier", "sent_text", "expires"))
    live = [row for row in rows if row[3] is None or row[3] > now]
    chosen = live or rows[-1:]
    return [cap.CapReference(sender, identifier, sent) for sender, identifier, sent, _ in chosen]


def alert_cap_document(
    alert: Alert,
    *,
    identifier: str,
    sender: str,
    sent: str,
    references: list[cap.CapReference],
    zone: dt.tzinfo,
) -> cap.CapAlert:
    """The model as a CAP document: one <info> per language, every area in each of them."""

    def local(moment: dt.datetime | None) -> str:
        return cap.cap_datetime(moment.astimezone(zone)) if moment else ""

    areas = list(alert.areas.all())
    infos = []
    for info in alert.infos.all():
        infos.append(
            cap.CapInfo(
                language=info.language,
                categories=tuple(alert.categories),
                event=info.event,
                response_types=tuple(alert.response_types),
                urgency=alert.urgency,
                severity=alert.severity,
                certainty=alert.certainty,
                audience=info.audience,
                effective=local(alert.effective),
                onset=local(alert.onset),
                expires=local(alert.expires),
                sender_name=alert.sender_name or sender_name(),
                headline=info.headline,
                description=info.description,
                instruction=info.instruction,
                web=alert_url(alert.pk),
                contact=alert.contact,
                areas=tuple(
                    cap.CapArea(
                        area_desc=area_description(area, info.language),
                        polygons=tuple(area.polygons),
                        circles=tuple(area.circles),
                        altitude=area.altitude,
                        ceiling=area.ceiling,
                    )
                    for area in areas
                ),
            )
        )
    incident = alert.thread.incident if alert.thread_id else None
    return cap.CapAlert(
        identifier=identifier,
        sender=sender,
        sent=sent,
        status=alert.status,
        msg_type=alert.msg_type,
        scope=alert.scope,
        restriction=alert.restriction,
        addresses=alert.addresses,
        note=alert.note,
        references=tuple(references),
        incidents=incident.code if incident else "",
        infos=tuple(infos),
    )


# --- Public reads ---------------------------------------------------------------------------


def _public(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    return queryset.filter(state=AlertState.PUBLISHED, status=CapStatus.ACTUAL, scope=Scope.PUBLIC)


def public_alert(alert_id: uuid.UUID) -> Alert | None:
    """A published, Actual, Public message (Test and Exercise never reach the public)."""
    return (
        _with_texts(_public(Alert.objects.select_related("thread", "thread__incident")))
        .filter(pk=alert_id)
        .first()
    )


def public_threads(*, current: bool, now: dt.datetime | None = None) -> QuerySet[AlertThread]:
    now = now or timezone.now()
    threads = AlertThread.objects.filter(is_public=True, latest__isnull=False)
    in_force = Q(cancelled_at__isnull=True) & Q(horizon__gt=now)
    threads = threads.filter(in_force) if current else threads.exclude(in_force)
    return (
        threads.select_related("latest", "incident")
        .prefetch_related(
            Prefetch("latest__infos", queryset=AlertInfo.objects.order_by("position")),
            Prefetch("latest__areas", queryset=AlertArea.objects.order_by("position")),
        )
        .order_by("-latest__published_at")
    )


def public_alert_list(*, state: str, now: dt.datetime | None = None) -> QuerySet[Alert]:
    """For the JSON API: current (the latest message of each thread in force), past, or all messages."""
    now = now or timezone.now()
    alerts = _with_texts(_public(Alert.objects.select_related("thread", "thread__incident")))
    if state == "current":
        alerts = alerts.filter(
            thread__latest=F("pk"), thread__cancelled_at__isnull=True, thread__horizon__gt=now
        )
    elif state == "past":
        alerts = alerts.exclude(
            Q(thread__latest=F("pk")) & Q(thread__cancelled_at__isnull=True) & Q(thread__horizon__gt=now)
        )
    return alerts.order_by("-published_at", "-id")


def feed_messages(*, now: dt.datetime | None = None) -> list[Alert]:
    """Atom feed: the latest message of every public thread whose messages would still be in force,
    including Cancels, kept until what they cancel would have expired (reference sheet §13)."""
    now = now or timezone.now()
    threads = AlertThread.objects.filter(is_public=True, latest__isnull=False, horizon__gt=now)
    return list(
        _with_texts(_public(Alert.objects.filter(pk__in=threads.values("latest")))).order_by("-published_at")
    )


def current_alerts(*, language: str) -> list[CurrentAlert]:
    result = []
    for thread in public_threads(current=True):
        alert = thread.latest
        assert alert is not None
        info = info_for(alert, language)
        result.append(
            CurrentAlert(
                id=alert.pk,
                headline=info.headline if info else "",
                severity=Severity(alert.severity),
                msg_type=MsgType(alert.msg_type),
                areas=tuple(area_description(area, language) for area in alert.areas.all()),
                expires=alert.expires,
                url=reverse("alerts:detail", args=[alert.pk]),
            )
        )
    return result


def live_version(*, now: dt.datetime | None = None) -> str:
    """Changes whenever the public alerts page would show something else (publication or expiry)."""
    now = now or timezone.now()
    published = _public(Alert.objects.all()).aggregate(n=Count("id"), last=Max("published_at"))
    in_force = AlertThread.objects.filter(
        is_public=True, latest__isnull=False, cancelled_at__isnull=True, horizon__gt=now
    ).count()
    raw = f"{published['n']}|{published['last']}|{in_force}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def open_shelters(*, incident_id: uuid.UUID | None) -> list[Resource]:
    if incident_id is None:
        return []
    return list(
        Resource.objects.filter(incident_id=incident_id, kind=ResourceKind.SHELTER)
        .exclude(status="closed")
        .select_related("district")
        .order_by("name")
    )


# --- Staff reads ----------------------------------------------------------------------------


def staff_alerts(*, state: str | None = None, include_discarded: bool = False) -> QuerySet[Alert]:
    alerts = _with_texts(
        Alert.objects.select_related("thread", "thread__incident", "author", "approved_by", "created_by")
    )
    if state:
        alerts = alerts.filter(state=state)
    elif not include_discarded:
        alerts = alerts.exclude(state=AlertState.DISCARDED)
    return alerts.order_by("-created_at")


def thread_messages(thread_id: uuid.UUID) -> list[Alert]:
    return list(_with_texts(Alert.objects.filter(thread_id=thread_id)).order_by("created_at"))


def ready_cancel(thread_id: uuid.UUID) -> Alert | None:
    return (
        Alert.objects.filter(thread_id=thread_id, msg_type=MsgType.CANCEL, state=AlertState.DRAFT)
        .order_by("-created_at")
        .first()
    )


def incidents(*, open_only: bool = False) -> QuerySet[Incident]:
    found = Incident.objects.select_related("district", "lead", "department")
    if open_only:
        found = found.exclude(status="closed")
    return found.order_by("-opened_at")


def incident_detail(incident_id: uuid.UUID) -> Incident | None:
    return (
        Incident.objects.select_related("district", "lead", "department")
        .prefetch_related(
            "timeline",
            "tasks__department",
            "resources__district",
            "reports",
            Prefetch("decisions", queryset=decisions()),
            Prefetch(
                "alert_threads",
                queryset=AlertThread.objects.select_related("latest").prefetch_related("latest__infos"),
            ),
        )
        .filter(pk=incident_id)
        .first()
    )


def decisions() -> QuerySet[Decision]:
    return (
        Decision.objects.select_related("incident")
        .prefetch_related("situation_reports")
        .order_by("decided_at", "created_at")
    )


def decision_log(
    *, since: dt.datetime | None = None, incident_id: uuid.UUID | None = None
) -> list[DecisionRecord]:
    decisions = Decision.objects.select_related("incident").prefetch_related("situation_reports")
    if since is not None:
        decisions = decisions.filter(created_at__gte=since)
    if incident_id is not None:
        decisions = decisions.filter(incident_id=incident_id)
    return [
        DecisionRecord(
            id=decision.pk,
            incident_code=decision.incident.code,
            incident_title=decision.incident.title,
            decided_at=decision.decided_at,
            decided_by=decision.decided_by_name,
            decided_by_role=decision.decided_by_role,
            decision=decision.decision,
            rationale=decision.rationale,
            information=decision.information,
            situation_reports=tuple(sorted(report.number for report in decision.situation_reports.all())),
            supersedes=decision.supersedes_id,
            recorded_at=decision.created_at,
        )
        for decision in decisions.order_by("decided_at", "created_at")
    ]


def subscriptions_of(*, user_id: uuid.UUID) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user_id=user_id).select_related("district").order_by("-created_at")


def incident_from_service_request(service_request_id: uuid.UUID) -> Incident | None:
    return Incident.objects.filter(source_service_request=service_request_id).first()
