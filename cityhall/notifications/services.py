"""Notification writes: transactional email, and fan-out of one message to many recipients.

Both follow one pattern: the record is written in the caller's transaction, a task delivers it after
commit, the worker claims the record before calling the provider (so a second worker leaves it
alone) and schedules its own retries with capped backoff.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.notifications.contracts import (
    FINAL_STATUSES,
    Channel,
    DeliveryReport,
    DeliveryStatus,
    FanoutResult,
    NotificationStatus,
    PermanentFailure,
    Priority,
    Recipient,
)
from cityhall.notifications.mail import build_email
from cityhall.notifications.models import (
    Delivery,
    Message,
    NotificationTemplate,
    OutboundEmail,
    RateBucket,
)
from cityhall.notifications.providers import (
    Accepted,
    FailureKind,
    Outgoing,
    Provider,
    ProviderError,
    gateway_status,
    provider_for,
)
from cityhall.notifications.templates import TemplateError, fill, fit_sms

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Wait before the 2nd, 3rd, 4th and 5th attempt: capped backoff, so a mail outage is ridden out.
RETRY_DELAYS_SECONDS = (60, 300, 1800, 3600)
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


# --- Transactional email -------------------------------------------------------------------


def email_queue(*, to: str, subject: str, body_text: str, body_html: str = "", purpose: str) -> OutboundEmail:
    """Record the email now and deliver it after commit: no email for work that rolled back."""
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            to=to, subject=subject[:300], body_text=body_text, body_html=body_html, purpose=purpose
        )
        from cityhall.notifications.tasks import email_deliver

        enqueue_on_commit(email_deliver, email_id=str(email.pk))
    return email


class DeliveryFailedError(Exception):
    """Raised so the task backend records the failure; a later run may retry."""


def email_deliver(*, email_id: uuid.UUID) -> DeliveryStatus:
    """Send one queued email. Idempotent: a sent email, or one another worker is sending, is left alone.

    The row is claimed in a short transaction and sent outside it, so a slow mail server never holds
    a database lock.
    """
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            logger.warning("email.missing", extra={"email_id": str(email_id)})
            return DeliveryStatus.FAILED
        claimed_recently = (
            email.status == DeliveryStatus.SENDING and timezone.now() - email.updated_at < CLAIM_TIMEOUT
        )
        if email.status == DeliveryStatus.SENT or claimed_recently:
            return DeliveryStatus(email.status)
        if email.attempts >= MAX_ATTEMPTS:
            return DeliveryStatus.FAILED
        email.attempts += 1
        email.status = DeliveryStatus.SENDING
        email.save(update_fields=["attempts", "status", "updated_at"])

    message = build_email(
        to=email.to,
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        message_id=str(email.pk),
    )
    try:
        message.send(fail_silently=False)
    except Exception as error:  # any transport failure is recorded, then raised for a retry
        email.status = DeliveryStatus.FAILED
        email.last_error = f"{error.__class__.__name__}: {error}"[:2000]
        email.save(update_fields=["status", "last_error", "updated_at"])
        _schedule_retry(email)
        raise DeliveryFailedError(f"Email {email_id} could not be sent: {email.last_error}") from error
    email.status = DeliveryStatus.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error", "updated_at"])
    return DeliveryStatus.SENT


def _schedule_retry(email: OutboundEmail) -> bool:
    """Queue the next attempt after a capped delay; False when attempts are used up."""
    from cityhall.notifications.tasks import email_deliver as deliver_task

    if email.attempts >= MAX_ATTEMPTS or not deliver_task.get_backend().supports_defer:
        return False
    delay = RETRY_DELAYS_SECONDS[min(email.attempts, len(RETRY_DELAYS_SECONDS)) - 1]
    deliver_task.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(email_id=str(email.pk))
    return True


# --- Fan-out: plan -------------------------------------------------------------------------

PLAN_CHUNK = 10_000  # rows per transaction: few commits, short write locks
ROUTINE_GIVE_UP = dt.timedelta(hours=72)  # as Notify: then temporary-failure
ALERT_GIVE_UP_WITHOUT_EXPIRY = dt.timedelta(hours=24)
RETRY_CAP_SECONDS = 240  # min(2**n, 240): the UK Emergency Alerts dispatcher's cap
ORDER_WAIT = dt.timedelta(seconds=2)
RATE_CHUNK = 50
RECORD_EVERY = 50
RECORD_SECONDS = 1.0
MAX_DELIVERY_ATTEMPTS = 30  # with backoff capped at 240 s, about two hours of retrying

_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_NOT_DIGITS = re.compile(r"\D")


def normalise_address(channel: str, address: str) -> str:
    address = address.strip()
    if channel == Channel.EMAIL:
        return address.lower()
    if channel == Channel.SMS:
        return "+" + _NOT_DIGITS.sub("", address)
    return address


def recipient_key(channel: str, address: str) -> str:
    """The same person on the same channel, however the address was typed."""
    return hashlib.sha256(f"{channel}:{normalise_address(channel, address)}".encode()).hexdigest()


def queue_for(priority: str) -> tuple[str, int]:
    """(queue, priority): alerts have their own queue and go first on the database backend too."""
    return ("alerts", 50) if priority == Priority.ALERT else ("default", 0)


def message_fanout(
    *,
    source: str,
    template_key: str,
    priority: Priority,
    personalisation: dict[str, dict[str, str]],
    recipients: Iterable[Recipient],
    expires_at: dt.datetime | None = None,
    after_source: str = "",
) -> FanoutResult:
    """Plan one delivery per (recipient, channel) and start the send tasks. Idempotent.

    `source` is the caller's id of the event; calling again with it plans only what is missing, so
    a planner that stopped half-way is simply run again. The unique key (message, recipient,
    channel) makes a second delivery of the same message to the same person impossible.
    """
    now = timezone.now()
    after = Message.objects.filter(source=after_source).first() if after_source else None
    with transaction.atomic():
        message, _created = Message.objects.get_or_create(
            source=source,
            defaults={
                "template_key": template_key,
                "priority": priority,
                "personalisation": personalisation,
                "expires_at": expires_at,
                "after": after,
            },
        )
    rows: list[tuple[str, str, str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for recipient in recipients:
        key = recipient_key(recipient.channel, recipient.address)
        if (key, recipient.channel) in seen:
            continue
        seen.add((key, recipient.channel))
        rows.append(
            (
                key,
                recipient.reference[:150],
                str(recipient.channel),
                recipient.address[:500],
                recipient.language,
                recipient.unsubscribe_url[:500],
            )
        )
    before = Delivery.objects.filter(message=message).count()
    _insert_deliveries(message, rows, now)
    per_channel = Counter(
        dict(
            Delivery.objects.filter(message=message, status=NotificationStatus.CREATED)
            .values_list("channel")
            .annotate(n=Count("id"))
            .values_list("channel", "n")
        )
    )
    planned = Delivery.objects.filter(message=message).count() - before
    Message.objects.filter(pk=message.pk).update(targeted=len(rows), planned_at=now, updated_at=now)
    send_tasks = 0
    for channel, waiting in per_channel.items():
        tasks = min(settings.NOTIFY_SEND_PARALLELISM, math.ceil(waiting / settings.NOTIFY_BATCH_SIZE))
        for _ in range(tasks):
            _enqueue_send(message, channel)
        send_tasks += tasks
    logger.info(
        "notifications.planned",
        extra={"message_id": str(message.pk), "source": source, "targeted": len(rows), "planned": planned},
    )
    return FanoutResult(message_id=message.pk, targeted=len(rows), planned=planned, send_tasks=send_tasks)


_DELIVERY_COLUMNS = (
    "id", "created_at", "updated_at", "message_id", "recipient", "reference", "channel", "address",
    "language", "unsubscribe_url", "status", "provider", "provider_message_id", "attempts",
    "error_code", "last_error",
)  # fmt: skip


def _insert_deliveries(message: Message, rows: Sequence[tuple[str, ...]], now: dt.datetime) -> None:
    """Plain INSERT ... ON CONFLICT DO NOTHING in chunks: the unique key skips what is planned.

    The ORM's bulk_create prepares every field of every row in Python, which is most of the time
    at 100,000 rows; the values here are already what the database stores. On PostgreSQL the rows
    are COPYed into a temporary table and inserted from there (about twice as fast as executemany);
    SQLite takes them through executemany."""
    created = Delivery._meta.get_field("created_at").get_db_prep_save(now, connection)
    message_id = Delivery._meta.get_field("message").get_db_prep_save(message.pk, connection)
    table = connection.ops.quote_name(Delivery._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _DELIVERY_COLUMNS)
    one_row = "(" + ", ".join(["%s"] * len(_DELIVERY_COLUMNS)) + ")"
    created_status = str(NotificationStatus.CREATED)
    as_text = connection.vendor == "sqlite"  # Django keeps UUIDs there as 32 hex characters
    for chunk in _chunks(rows, PLAN_CHUNK):
        ids = _uuid7_many(len(chunk))
        values = [
            (
                f"{pk:032x}" if as_text else uuid.UUID(int=pk),
                created,
                created,
                message_id,
                *row,
                created_status,
                "",
                "",
                0,
                "",
                "",
            )
            for pk, row in zip(ids, chunk, strict=True)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                sql = f"INSERT INTO {table} ({columns}) VALUES {one_row} ON CONFLICT DO NOTHING"  # noqa: S608
                cursor.executemany(sql, values)
                continue
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS delivery_staging (LIKE {table} INCLUDING DEFAULTS) "
                "ON COMMIT DELETE ROWS"
            )
            with cursor.cursor.copy(f"COPY delivery_staging ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM delivery_staging "  # noqa: S608
                "ON CONFLICT DO NOTHING"
            )


def _uuid7_many(count: int) -> list[int]:
    """`count` version-7 UUIDs (as integers) at once: one clock read, one read of random bytes."""
    unix_ms = (time.time_ns() // 1_000_000) & ((1 << 48) - 1)
    head = (unix_ms << 80) | (0x7 << 76) | (0b10 << 62)
    random_bytes = os.urandom(10 * count)
    result = []
    for index in range(count):
        bits = int.from_bytes(random_bytes[index * 10 : index * 10 + 10], "big")
        result.append(head | ((bits >> 62) & 0xFFF) << 64 | (bits & ((1 << 62) - 1)))
    return result


def notification_send(
    *,
    source: str,
    template_key: str,
    recipient: Recipient,
    personalisation: dict[str, str],
    priority: Priority = Priority.ROUTINE,
) -> FanoutResult:
    """One message to one recipient (a confirmation, say): a fan-out of one, with the same guarantees."""
    return message_fanout(
        source=source,
        template_key=template_key,
        priority=priority,
        personalisation={recipient.language: personalisation},
        recipients=[recipient],
    )


def _enqueue_send(message: Message, channel: str, *, run_after: dt.datetime | None = None) -> None:
    from cityhall.notifications.tasks import message_send

    queue, priority = queue_for(message.priority)
    configured = message_send.using(queue_name=queue)
    backend = configured.get_backend()
    if backend.supports_priority:  # RQ has none: it serves the "alerts" queue first instead
        configured = configured.using(priority=priority)
    if run_after is not None:
        if not backend.supports_defer:
            return
        configured = configured.using(run_after=run_after)
    enqueue_on_commit(configured, message_id=str(message.pk), channel=str(channel))


# --- Fan-out: send -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    claimed: int = 0
    accepted: int = 0
    failed: int = 0
    retrying: int = 0
    released: int = 0


_failure_listeners: list[Callable[[PermanentFailure], None]] = []


def on_permanent_failure(listener: Callable[[PermanentFailure], None]) -> None:
    """Call `listener` after an address was found not to work (the owner of the address reacts)."""
    if listener not in _failure_listeners:
        _failure_listeners.append(listener)


def retry_delay(attempts: int) -> dt.timedelta:
    """min(2**n, 240) seconds after the n-th failed attempt."""
    return dt.timedelta(seconds=min(2 ** max(1, attempts), RETRY_CAP_SECONDS))


def _give_up_at(message: Message) -> dt.datetime:
    if message.expires_at is not None:
        return message.expires_at
    window = ALERT_GIVE_UP_WITHOUT_EXPIRY if message.priority == Priority.ALERT else ROUTINE_GIVE_UP
    return message.created_at + window


def _claimable(message: Message, channel: str, now: dt.datetime) -> Q:
    due = Q(status=NotificationStatus.CREATED) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stale = Q(status=NotificationStatus.SENDING, claimed_until__lt=now)
    return Q(message=message, channel=channel) & (due | stale)


def _claim(message: Message, channel: str, size: int, now: dt.datetime) -> list[uuid.UUID]:
    """Take up to `size` deliveries for this worker. On PostgreSQL FOR UPDATE SKIP LOCKED lets workers
    share a message; SQLite serialises writers anyway. A successor task is queued in the same
    transaction, so the work goes on even if this worker stops mid-batch."""
    lease = dt.timedelta(seconds=settings.NOTIFY_CLAIM_LEASE_SECONDS)
    with transaction.atomic():
        # A delivery whose sends keep crashing the worker must not loop for ever: give up on it.
        Delivery.objects.filter(
            _claimable(message, channel, now), attempts__gte=MAX_DELIVERY_ATTEMPTS
        ).update(
            status=NotificationStatus.TECHNICAL_FAILURE,
            claimed_until=None,
            completed_at=now,
            error_code="too_many_attempts",
            last_error=f"Gave up after {MAX_DELIVERY_ATTEMPTS} attempts.",
            updated_at=now,
        )
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(due, message=message, channel=channel, status=NotificationStatus.CREATED)
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        if len(ids) < size:  # claims of workers that stopped, once their lease ran out
            ids += list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(
                    message=message, channel=channel, status=NotificationStatus.SENDING, claimed_until__lt=now
                )
                .order_by("id")
                .values_list("id", flat=True)[: size - len(ids)]
            )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=NotificationStatus.SENDING,
                claimed_until=now + lease,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
            _enqueue_send(message, channel)
    return ids


def _release(ids: Sequence[uuid.UUID], *, not_before: dt.datetime | None = None, uncount: bool = True) -> int:
    """Give claimed deliveries back, untried: another run takes them (the attempt does not count)."""
    if not ids:
        return 0
    changes: dict[str, Any] = {
        "status": NotificationStatus.CREATED,
        "claimed_until": None,
        "next_attempt_at": not_before,
        "updated_at": timezone.now(),
    }
    if uncount:
        changes["attempts"] = F("attempts") - 1
    return Delivery.objects.filter(
        pk__in=ids, status=NotificationStatus.SENDING, claimed_until__isnull=False
    ).update(**changes)


def _expire(message: Message, channel: str, now: dt.datetime) -> int:
    """A message past its expiry is never sent: what is left is a temporary failure."""
    return Delivery.objects.filter(
        Q(message=message, channel=channel)
        & (Q(status=NotificationStatus.CREATED) | Q(status=NotificationStatus.SENDING, claimed_until__lt=now))
    ).update(
        status=NotificationStatus.TEMPORARY_FAILURE,
        claimed_until=None,
        completed_at=now,
        error_code="expired",
        last_error="The message expired before it could be sent.",
        updated_at=now,
    )


def _schedule_wakeup(message: Message, channel: str, now: dt.datetime) -> None:
    """Nothing to take now: come back when the earliest retry is due or a claim runs out."""
    rows = Delivery.objects.filter(message=message, channel=channel)
    retry_at = (
        rows.filter(status=NotificationStatus.CREATED, next_attempt_at__gt=now)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    lease_end = (
        rows.filter(status=NotificationStatus.SENDING, claimed_until__gte=now)
        .order_by("claimed_until")
        .values_list("claimed_until", flat=True)
        .first()
    )
    times = [moment for moment in (retry_at, lease_end) if moment is not None]
    if times:
        _enqueue_send(message, channel, run_after=min(times) + dt.timedelta(milliseconds=100))


def _blocked_by_order(message: Message, channel: str, rows: Sequence[Mapping[str, Any]]) -> set[uuid.UUID]:
    """Deliveries whose recipient has not yet had the earlier message of the thread handed over."""
    if message.after_id is None or not rows:
        return set()
    waiting = set(
        Delivery.objects.filter(
            Q(message_id=message.after_id, channel=channel, recipient__in=[row["recipient"] for row in rows])
            & (
                Q(status=NotificationStatus.CREATED)
                | Q(status=NotificationStatus.SENDING, claimed_until__isnull=False)
            )
        ).values_list("recipient", flat=True)
    )
    return {row["id"] for row in rows if row["recipient"] in waiting}


def _templates(message: Message, channel: str, languages: set[str]) -> dict[str, NotificationTemplate | None]:
    found: dict[str, NotificationTemplate | None] = {}
    candidates = list(
        NotificationTemplate.objects.filter(key=message.template_key, channel=channel).order_by(
            "language", "-version"
        )
    )
    latest: dict[str, NotificationTemplate] = {}
    for template in candidates:
        latest.setdefault(template.language, template)
    fallback = latest.get(settings.LANGUAGE_CODE) or next(iter(latest.values()), None)
    for language in languages:
        found[language] = latest.get(language) or latest.get(language.split("-")[0]) or fallback
    return found


def _values(message: Message, language: str) -> dict[str, Any]:
    by_language = message.personalisation or {}
    values = by_language.get(language) or by_language.get(language.split("-")[0])
    if values is None:
        values = next(iter(by_language.values()), {})
    return dict(values)


def rate_acquire(channel: str, wanted: int, *, max_wait: float = 5.0) -> int:
    """Take up to `wanted` tokens from the channel's bucket (burst = 2 x rate), waiting at most
    `max_wait` seconds for the first one. 0 means: come back later."""
    rate = float(settings.NOTIFY_RATE_PER_SECOND.get(channel, 0))
    if rate <= 0:
        return wanted
    burst = max(1.0, rate * 2)
    deadline = time.monotonic() + max_wait
    while True:
        with transaction.atomic():
            now = timezone.now()
            bucket, _ = RateBucket.objects.select_for_update().get_or_create(
                channel=channel, defaults={"tokens": burst, "refilled_at": now}
            )
            elapsed = max(0.0, (now - bucket.refilled_at).total_seconds())
            tokens = min(burst, bucket.tokens + elapsed * rate)
            granted = min(wanted, int(tokens))
            bucket.tokens = tokens - granted
            bucket.refilled_at = now
            bucket.save(update_fields=["tokens", "refilled_at"])
        if granted:
            return granted
        wait = max(0.01, (1 - tokens) / rate)
        if time.monotonic() + wait > deadline:
            return 0
        time.sleep(wait)


def message_send_batch(*, message_id: uuid.UUID, channel: str, size: int | None = None) -> BatchOutcome:
    """Claim a batch of one message's deliveries on one channel and send them. Idempotent.

    Each result is recorded as soon as the provider answers. If the worker stops with an exception
    mid-batch, the deliveries it had not finished go back to the queue (the successor task queued
    at claim time takes them); if it dies without a word, its claim runs out and they are taken
    again. A retried send carries the same reference (the delivery id), so a provider that
    deduplicates on it never delivers twice.
    """
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return BatchOutcome()
    now = timezone.now()
    if now >= _give_up_at(message) and message.expires_at is not None:
        _expire(message, channel, now)
        return BatchOutcome()
    ids = _claim(message, channel, size or settings.NOTIFY_BATCH_SIZE, now)
    if not ids:
        _schedule_wakeup(message, channel, now)
        return BatchOutcome()
    rows = list(
        Delivery.objects.filter(pk__in=ids)
        .order_by("id")
        .values("id", "recipient", "reference", "address", "language", "unsubscribe_url", "attempts")
    )
    blocked = _blocked_by_order(message, channel, rows)
    released = _release(sorted(blocked), not_before=now + ORDER_WAIT) if blocked else 0
    rows = [row for row in rows if row["id"] not in blocked]
    templates = _templates(message, channel, {row["language"] for row in rows})
    provider = provider_for(channel)
    results = _Results()
    counts: Counter[str] = Counter()
    position = 0
    try:
        while position < len(rows):
            granted = rate_acquire(channel, min(RATE_CHUNK, len(rows) - position))
            if granted == 0:
                results.flush()
                counts["released"] += _release(
                    [row["id"] for row in rows[position:]], not_before=timezone.now()
                )
                _enqueue_send(message, channel, run_after=timezone.now() + dt.timedelta(seconds=1))
                break
            stop = False
            for row in rows[position : position + granted]:
                result = _send_one(provider, message, channel, row, templates, results)
                position += 1
                counts[result] += 1
                if result == "rate_limited":
                    results.flush()
                    counts["released"] += _release([r["id"] for r in rows[position:]], not_before=None)
                    stop = True
                    break
            if stop:
                break
    except BaseException:
        # The worker is stopping (an error, a signal): keep what was done, and hand back what it had
        # not finished, including the message in flight, whose fate is unknown (its retry carries
        # the same reference).
        results.flush()
        _release([row["id"] for row in rows[max(0, position) :]], uncount=False)
        raise
    finally:
        provider.close()
    results.flush()
    if counts["retrying"] or counts["rate_limited"] or released:
        _schedule_wakeup(message, channel, timezone.now())
    return BatchOutcome(
        claimed=len(ids),
        accepted=counts["accepted"],
        failed=counts["failed"],
        retrying=counts["retrying"] + counts["rate_limited"],
        released=released + counts["released"],
    )


class _Results:
    """Outcomes of sends, written in small transactions (every RECORD_EVERY sends or second).

    One commit per message would make the database's fsync the speed limit. A worker that dies
    between a send and the next flush leaves at most that many sends unrecorded; they are sent
    again with the same reference, which the provider recognises."""

    def __init__(self) -> None:
        self.pending: list[tuple[uuid.UUID, dict[str, Any]]] = []
        self.failures: list[PermanentFailure] = []
        self.flushed_at = time.monotonic()

    def add(self, delivery_id: uuid.UUID, **changes: Any) -> None:
        changes["updated_at"] = timezone.now()
        self.pending.append((delivery_id, changes))
        if len(self.pending) >= RECORD_EVERY or time.monotonic() - self.flushed_at >= RECORD_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            with transaction.atomic():
                for delivery_id, changes in self.pending:
                    Delivery.objects.filter(pk=delivery_id).update(**changes)
            self.pending.clear()
        self.flushed_at = time.monotonic()
        failures, self.failures = self.failures, []
        for failure in failures:
            _tell_listeners(failure)


def _send_one(
    provider: Provider,
    message: Message,
    channel: str,
    row: Mapping[str, Any],
    templates: dict[str, NotificationTemplate | None],
    results: _Results,
) -> str:
    now = timezone.now()
    template = templates.get(row["language"])
    try:
        if template is None:
            raise TemplateError(f"There is no {channel} template “{message.template_key}”.")
        values = {**_values(message, row["language"]), "unsubscribe_url": row["unsubscribe_url"]}
        subject = fill(template.subject, values)
        body = fill(template.body, values)
    except TemplateError as error:
        results.add(
            row["id"],
            status=NotificationStatus.TECHNICAL_FAILURE,
            claimed_until=None,
            completed_at=now,
            error_code="template_error",
            last_error=str(error),
        )
        logger.error("notifications.template_error", extra={"delivery": str(row["id"]), "error": str(error)})
        return "failed"
    if channel == Channel.SMS:
        body = fit_sms(body)
    outgoing = Outgoing(
        delivery_id=row["id"],
        channel=Channel(channel),
        address=row["address"],
        subject=subject,
        body=body,
        template_key=message.template_key,
        reference=row["reference"],
        unsubscribe_url=row["unsubscribe_url"],
        data={key: value for key, value in values.items() if key != "unsubscribe_url"},
    )
    try:
        accepted: Accepted = provider.send(outgoing)
    except ProviderError as error:
        return _failed(message, channel, row, error, template_version=template.version, results=results)
    done = timezone.now()
    results.add(
        row["id"],
        status=accepted.status,
        provider=provider.name,
        provider_message_id=accepted.provider_message_id,
        template_version=template.version,
        claimed_until=None,
        next_attempt_at=None,
        sent_at=done,
        completed_at=done if accepted.status in FINAL_STATUSES else None,
        error_code="",
        last_error="",
    )
    return "accepted"


def _failed(
    message: Message,
    channel: str,
    row: Mapping[str, Any],
    error: ProviderError,
    *,
    template_version: int,
    results: _Results,
) -> str:
    now = timezone.now()
    common: dict[str, Any] = {
        "claimed_until": None,
        "error_code": error.code[:50],
        "last_error": error.message[:2000],
        "template_version": template_version,
    }
    if error.kind == FailureKind.RATE_LIMITED:
        wait = dt.timedelta(seconds=error.retry_after if error.retry_after is not None else 1.0)
        results.add(
            row["id"],
            status=NotificationStatus.CREATED,
            next_attempt_at=now + wait,
            attempts=F("attempts") - 1,
            **common,
        )
        return "rate_limited"
    if error.kind == FailureKind.PERMANENT:
        results.add(row["id"], status=NotificationStatus.PERMANENT_FAILURE, completed_at=now, **common)
        results.failures.append(
            PermanentFailure(reference=row["reference"], channel=Channel(channel), error=error.message)
        )
        return "failed"
    next_attempt = now + retry_delay(row["attempts"])
    if next_attempt >= _give_up_at(message):
        results.add(row["id"], status=NotificationStatus.TECHNICAL_FAILURE, completed_at=now, **common)
        return "failed"
    results.add(row["id"], status=NotificationStatus.CREATED, next_attempt_at=next_attempt, **common)
    logger.warning(
        "notifications.retry",
        extra={"delivery": str(row["id"]), "code": error.code, "attempts": row["attempts"]},
    )
    return "retrying"


def _tell_listeners(failure: PermanentFailure) -> None:
    for listener in list(_failure_listeners):
        try:
            listener(failure)
        except Exception:  # a listener's bug must not stop the batch
            logger.exception("notifications.listener_failed")


def deliveries_resume(*, now: dt.datetime | None = None) -> int:
    """Safety net, run every minute: start a send task for every message with work that is due
    (claims of stopped workers included). Returns the number of tasks started."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(
            (
                Q(status=NotificationStatus.CREATED)
                & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            )
            | Q(status=NotificationStatus.SENDING, claimed_until__lt=now)
        )
        .order_by()
        .values_list("message_id", "channel")
        .distinct()
    )
    started = 0
    messages = {message.pk: message for message in Message.objects.filter(pk__in={m for m, _ in due})}
    for message_id, channel in due:
        message = messages.get(message_id)
        if message is not None:
            _enqueue_send(message, channel)
            started += 1
    return started


def message_recipients(*, sources: Sequence[str]) -> list[Recipient]:
    """Who was sent (or is being sent) these messages, as recipients again: for a follow-up
    (an Update or Cancel) that must reach everyone who got the earlier message."""
    rows = (
        Delivery.objects.filter(message__source__in=list(sources))
        .exclude(address="")
        .exclude(status=NotificationStatus.PERMANENT_FAILURE)
        .order_by("created_at")
        .values_list("channel", "address", "language", "reference", "unsubscribe_url")
    )
    return [
        Recipient(Channel(channel), address, language, reference, unsubscribe)
        for channel, address, language, reference, unsubscribe in rows
    ]


# --- Receipts and reports ------------------------------------------------------------------

_STATUS_RANK = {
    NotificationStatus.CREATED: 0,
    NotificationStatus.SENDING: 1,
    NotificationStatus.PENDING: 2,
}


def delivery_receipt(*, delivery_id: uuid.UUID, provider_status: str) -> NotificationStatus | None:
    """Apply a provider's receipt. States only move forward and never leave a final state, so a
    receipt that arrives twice or out of order changes nothing. None: the receipt was not usable."""
    status = gateway_status(provider_status)
    if status is None:
        return None
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return None
        current = NotificationStatus(delivery.status)
        if current in FINAL_STATUSES or _STATUS_RANK.get(status, 3) <= _STATUS_RANK.get(current, 3):
            return current
        delivery.status = status
        fields = ["status", "updated_at"]
        if status in FINAL_STATUSES:
            delivery.completed_at = timezone.now()
            fields.append("completed_at")
        delivery.save(update_fields=fields)
    if status == NotificationStatus.PERMANENT_FAILURE:
        _tell_listeners(PermanentFailure(delivery.reference, Channel(delivery.channel), "undeliverable"))
    return status


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    index = min(len(values) - 1, max(0, math.ceil(share * len(values)) - 1))
    return round(values[index], 3)


def message_report(*, source: str) -> DeliveryReport | None:
    """Per message: how many deliveries in which state, and how fast they went out."""
    message = Message.objects.filter(source=source).first()
    if message is None:
        return None
    rows = Delivery.objects.filter(message=message)
    by_status = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    by_channel = dict(rows.values_list("channel").annotate(n=Count("id")).values_list("channel", "n"))
    sent_times = [moment for moment in rows.values_list("sent_at", flat=True) if moment is not None]
    delays = [(moment - message.created_at).total_seconds() for moment in sent_times]
    failures = Counter(rows.exclude(error_code="").values_list("error_code", flat=True)).most_common(10)
    retrying = rows.filter(status=NotificationStatus.CREATED, attempts__gt=0).count()
    return DeliveryReport(
        message_id=message.pk,
        total=sum(by_status.values()),
        by_status=by_status,
        by_channel=by_channel,
        first_sent_at=min(sent_times) if sent_times else None,
        last_sent_at=max(sent_times) if sent_times else None,
        p50_seconds_to_send=_percentile(delays, 0.5),
        p95_seconds_to_send=_percentile(delays, 0.95),
        retrying=retrying,
        failures=[(code, str(count)) for code, count in failures],
    )
