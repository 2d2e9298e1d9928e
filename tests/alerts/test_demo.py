"""The demo flood loads (twice without duplicates) and everything in it is valid CAP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client

from cityhall.alerts.contracts import AlertState, MsgType
from cityhall.alerts.models import (
    Alert,
    AlertThread,
    Decision,
    Incident,
    Resource,
    SituationReport,
    Subscription,
)
from tests.alerts.support import assert_valid_cap


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Alert, AlertThread, Incident, Resource, SituationReport, Decision, Subscription)
    )


@pytest.mark.django_db
def test_the_demo_flood_loads_once() -> None:
    call_command("demo")
    first = counts()
    call_command("demo")
    assert counts() == first
    assert first[1:] == (2, 1, 6, 2, 3, 300)


@pytest.mark.django_db
def test_the_demo_has_an_updated_and_a_cancelled_alert_in_the_feed() -> None:
    call_command("demo")
    published = Alert.objects.filter(state=AlertState.PUBLISHED)
    assert sorted(published.values_list("msg_type", flat=True)) == ["Alert", "Alert", "Cancel", "Update"]
    for alert in published:
        assert_valid_cap(bytes(alert.xml))
        assert alert.author_id != alert.approved_by_id
    feed = Client().get("/alerts/feed.atom").content.decode()
    update = published.get(msg_type=MsgType.UPDATE)
    cancel = published.get(msg_type=MsgType.CANCEL)
    assert f"/alerts/{update.pk}.cap" in feed and f"/alerts/{cancel.pk}.cap" in feed
    page = Client().get("/alerts/").content.decode()
    assert "Flood: leave ground floors along the Alder now" in page
    assert Client().get(f"/alerts/{update.pk}/").content.decode().count("Old Town Gymnasium") >= 1


@pytest.mark.django_db(transaction=True)
def test_the_demo_fan_out_sends_each_subscriber_one_message_per_alert(run_tasks: Callable[[], None]) -> None:
    from cityhall.notifications.models import Delivery

    call_command("demo")
    run_tasks()
    deliveries = Delivery.objects.filter(message__source__startswith="alerts.alert:")
    assert deliveries.count() > 50
    assert set(deliveries.values_list("status", flat=True)) == {"sent"}
