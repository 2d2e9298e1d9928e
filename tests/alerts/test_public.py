"""What the public sees: the alerts page, each alert, its CAP file, the Atom feed, SSE, JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from cityhall.accounts.models import User
from cityhall.alerts import services
from cityhall.alerts.models import Alert, AlertThread
from tests.alerts.support import assert_valid_cap, texts

pytestmark = pytest.mark.django_db
ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def updated_and_cancelled(publish: Callable[..., Alert], managers: tuple[User, User]) -> tuple[Alert, Alert]:
    author, approver = managers
    flood = publish()
    update = services.alert_update_draft(actor=approver, alert_id=flood.pk)
    services.alert_submit(actor=approver, alert_id=update.pk)
    services.alert_approve(actor=author, alert_id=update.pk)
    water = publish(infos=(texts("en", " (water)"),), categories=("Health",))
    cancel = services.alert_cancel(actor=author, alert_id=water.pk, reason="Safe again.")
    services.alert_approve(actor=approver, alert_id=cancel.pk)
    return Alert.objects.get(pk=update.pk), Alert.objects.get(pk=cancel.pk)


def test_the_alerts_page_lists_current_and_past_alerts(
    publish: Callable[..., Alert], managers: tuple[User, User]
) -> None:
    updated_and_cancelled(publish, managers)
    expired = publish(infos=(texts("en", " (old)"),))
    AlertThread.objects.filter(pk=expired.thread_id).update(horizon=timezone.now() - dt.timedelta(hours=1))
    page = Client().get("/alerts/")
    html = page.content.decode()
    assert page.status_code == 200
    current, past = html.split('id="past-title"')
    assert "Flood warning for Riverside" in current and "(old)" not in current
    assert "(old)" in past and "Cancelled: Flood warning for Riverside (water)" in past
    assert 'data-live-url="/alerts/live"' in html and "alerts/live.js" in html
    assert "<script>" not in html  # no inline script: CSP allows only files and the nonce


def test_the_page_speaks_the_readers_language(publish: Callable[..., Alert]) -> None:
    publish()
    html = Client(headers={"Accept-Language": "es"}).get("/alerts/").content.decode()
    assert "Aviso de inundación en Ribera" in html


def test_the_fragment_holds_only_the_current_list(publish: Callable[..., Alert]) -> None:
    publish()
    html = Client().get("/alerts/?fragment=current").content.decode()
    assert html.lstrip().startswith('<h2 id="current-title">') and "<html" not in html


def test_the_alerts_page_costs_a_bounded_number_of_queries(
    publish: Callable[..., Alert], django_assert_max_num_queries: Any
) -> None:
    for number in range(6):
        publish(infos=(texts("en", f" {number}"),))
    with django_assert_max_num_queries(14):
        assert Client().get("/alerts/").status_code == 200


def test_an_alert_page_shows_the_text_areas_times_and_cap_link(publish: Callable[..., Alert]) -> None:
    alert = publish()
    html = Client().get(f"/alerts/{alert.pk}/").content.decode()
    assert "Keep away from the riverbank." in html and "Riverside" in html
    assert f'href="/alerts/{alert.pk}.cap"' in html
    assert 'lang="es"' in html  # the Spanish text, marked as Spanish


def test_the_cap_file_is_the_exact_approved_bytes(publish: Callable[..., Alert]) -> None:
    alert = publish()
    response = Client().get(f"/alerts/{alert.pk}.cap")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml"
    assert response.content == bytes(alert.xml)
    assert response["ETag"] == f'"{alert.xml_sha256}"'
    assert_valid_cap(response.content)
    assert (
        Client().get(f"/alerts/{alert.pk}.cap", headers={"If-None-Match": response["ETag"]}).status_code
        == 304
    )


@pytest.mark.parametrize("status", ["Test", "Exercise"])
def test_test_and_exercise_messages_are_not_served(publish: Callable[..., Alert], status: str) -> None:
    alert = publish(status=status, note="drill")
    client = Client()
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404
    assert client.get(f"/alerts/{alert.pk}.cap").status_code == 404
    assert client.get(f"/api/v1/alerts/{alert.pk}").status_code == 404
    assert client.get("/api/v1/alerts/").json()["count"] == 0
    assert "entry" not in client.get("/alerts/feed.atom").content.decode()


def test_the_atom_feed_lists_the_updated_and_the_cancelled_alert(
    publish: Callable[..., Alert], managers: tuple[User, User]
) -> None:
    update, cancel = updated_and_cancelled(publish, managers)
    response = Client().get("/alerts/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    assert feed.findtext("atom:id", namespaces=ATOM) == "https://aldermere.example/alerts/feed.atom"
    assert feed.findtext("atom:updated", namespaces=ATOM).endswith("Z")
    entries = feed.findall("atom:entry", ATOM)
    assert len(entries) == 2
    ids = {entry.findtext("atom:id", namespaces=ATOM) for entry in entries}
    assert ids == {f"https://aldermere.example/alerts/{a.pk}.cap" for a in (update, cancel)}
    for entry in entries:
        cap_link = entry.find("atom:link[@type='application/cap+xml']", ATOM)
        assert cap_link is not None and cap_link.get("rel") == "alternate"
        assert entry.findtext("atom:title", namespaces=ATOM)
        path = cap_link.get("href").removeprefix("https://aldermere.example")
        assert_valid_cap(Client().get(path).content)


def test_live_updates_are_a_short_server_sent_event(
    publish: Callable[..., Alert], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    first = client.get("/alerts/live")
    assert first["Content-Type"].startswith("text/event-stream")
    body = first.content.decode()
    assert body.startswith("retry: ") and "event: alerts" in body
    version = next(line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("id: "))
    unchanged = client.get("/alerts/live", headers={"Last-Event-ID": version}).content.decode()
    assert "event:" not in unchanged and "retry:" in unchanged
    with django_capture_on_commit_callbacks(execute=True):  # publishing clears the cached version
        publish()
    changed = client.get("/alerts/live", headers={"Last-Event-ID": version}).content.decode()
    assert "event: alerts" in changed and f"id: {version}" not in changed


# --- JSON ---------------------------------------------------------------------------------


def test_the_json_api_lists_public_alerts_in_a_bounded_number_of_queries(
    publish: Callable[..., Alert], django_assert_max_num_queries: Any
) -> None:
    for number in range(5):
        publish(infos=(texts("en", f" {number}"), texts("es", f" {number}")))
    with django_assert_max_num_queries(8):
        body = Client().get("/api/v1/alerts/?page_size=3").json()
    assert body["count"] == 5 and len(body["items"]) == 3
    item = body["items"][0]
    assert item["cap_url"].endswith(".cap") and item["infos"][1]["language"] == "es"
    assert item["areas"][0]["district"] == "riverside"


def test_the_json_api_shows_current_past_or_all(
    publish: Callable[..., Alert], managers: tuple[User, User]
) -> None:
    updated_and_cancelled(publish, managers)
    client = Client()
    assert client.get("/api/v1/alerts/").json()["count"] == 1  # the update
    assert client.get("/api/v1/alerts/?state=past").json()["count"] == 3  # alert, water alert, cancel
    assert client.get("/api/v1/alerts/?state=all").json()["count"] == 4
    assert client.get("/api/v1/alerts/?state=soon").json()["error"]["code"] == "bad_request"


def test_the_json_api_gives_one_alert_and_the_preset_areas(publish: Callable[..., Alert]) -> None:
    alert = publish()
    client = Client()
    assert client.get(f"/api/v1/alerts/{alert.pk}").json()["identifier"] == alert.identifier
    areas = client.get("/api/v1/alerts/areas").json()
    assert areas["count"] == 6 and areas["items"][0]["boundary"]["type"] == "Polygon"
    missing = client.get("/api/v1/alerts/01890000-0000-7000-8000-000000000000").json()
    assert missing["error"]["code"] == "not_found"
