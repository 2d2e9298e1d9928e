"""The measuring side of bench_alert_fanout, run in its own process against a fresh database.

    python -m bench.alert_fanout_driver --subscribers 100000 --send-seconds 20 --workers 1

Prints one `BENCH_JSON {...}` line. Needs DATABASE_URL and CITYHALL_VAR_DIR in the environment.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPORT_MARKER = "BENCH_JSON "


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load_city() -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    from cityhall.accounts.facade import accounts_demo_load
    from cityhall.core.demo import demo_load

    demo_load(lambda line: None)
    accounts_demo_load(lambda line: None)
    users = get_user_model().objects
    return users.get(email="emergency@demo.example"), users.get(email="emergency2@demo.example")


def make_subscribers(count: int) -> float:
    """`count` confirmed SMS subscribers spread over the city: 60 % points with a radius, 25 %
    districts, 15 % the whole city. Returns the seconds it took (not part of any measurement)."""
    from django.utils import timezone

    from cityhall.alerts.contracts import AreaKind
    from cityhall.alerts.models import Subscription
    from cityhall.alerts.services import category_mask
    from cityhall.alerts.targeting import WORLD, circle_box
    from cityhall.core.geo import bounding_box
    from cityhall.core.models import District

    started = time.perf_counter()
    rng = random.Random(37106)
    districts = list(District.objects.order_by("slug"))
    boxes = {d.pk: bounding_box(d.boundary) for d in districts}
    lat_min = min(b.min_latitude for b in boxes.values())
    lat_max = max(b.max_latitude for b in boxes.values())
    lon_min = min(b.min_longitude for b in boxes.values())
    lon_max = max(b.max_longitude for b in boxes.values())
    now = timezone.now()
    every = category_mask([])
    rows = []
    for number in range(count):
        roll = rng.random()
        fields: dict[str, Any]
        if roll < 0.6:
            lat, lon, radius = (
                rng.uniform(lat_min, lat_max),
                rng.uniform(lon_min, lon_max),
                rng.choice([0.5, 1, 2, 3]),
            )
            box = circle_box(lat, lon, radius)
            fields = {"kind": AreaKind.POINT, "latitude": lat, "longitude": lon, "radius_km": radius}
        elif roll < 0.85:
            district = rng.choice(districts)
            box = boxes[district.pk]  # type: ignore[assignment]
            fields = {"kind": AreaKind.DISTRICT, "district": district}
        else:
            box = WORLD
            fields = {"kind": AreaKind.CITY}
        rows.append(
            Subscription(
                **fields,
                min_latitude=box.min_latitude,
                min_longitude=box.min_longitude,
                max_latitude=box.max_latitude,
                max_longitude=box.max_longitude,
                category_mask=every,
                language=rng.choice(["en", "en", "es", "ar"]),
                channel="sms",
                address=f"+49170{number:07d}",
                status="active",
                confirmed_at=now,
            )
        )
    Subscription.objects.bulk_create(rows, batch_size=2000)
    return time.perf_counter() - started


def publish(author: Any, approver: Any, districts: list[str]) -> tuple[Any, float]:
    """Write and submit an alert, then time the approval (which publishes it) on its own."""
    from django.utils import timezone

    from cityhall.alerts import services
    from cityhall.alerts.services import AlertInput, AreaInput, InfoInput

    alert = services.alert_create(
        actor=author,
        data=AlertInput(
            categories=("Met",),
            urgency="Immediate",
            severity="Severe",
            certainty="Observed",
            expires=timezone.now() + dt.timedelta(hours=6),
            infos=(
                InfoInput(
                    "en",
                    "Flood",
                    f"Flood warning ({len(districts)} districts)",
                    "The Alder is rising.",
                    "Move up.",
                ),
                InfoInput(
                    "es", "Inundación", f"Aviso de inundación ({len(districts)})", "El Alder crece.", "Suba."
                ),
            ),
            areas=tuple(AreaInput(district=slug) for slug in districts),
        ),
    )
    services.alert_submit(actor=author, alert_id=alert.pk)
    started = time.perf_counter()
    services.alert_approve(actor=approver, alert_id=alert.pk)
    return alert, time.perf_counter() - started


def plan(alert: Any) -> dict[str, Any]:
    """Run the fan-out task the approval queued, timing its parts: target, then plan and enqueue."""
    from cityhall.alerts.services import fanout

    timings: dict[str, float] = {}
    original_target = fanout.target_subscriptions

    def timed_target(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        rows = original_target(*args, **kwargs)
        timings["target_s"] = time.perf_counter() - started
        return rows

    fanout.target_subscriptions = timed_target  # type: ignore[assignment]
    try:
        from cityhall.alerts.tasks import alert_fanout

        started = time.perf_counter()
        result = alert_fanout.call(alert_id=str(alert.pk))
        timings["fanout_task_s"] = time.perf_counter() - started
    finally:
        fanout.target_subscriptions = original_target  # type: ignore[assignment]
    return {**timings, **(result or {})}


def send_for(seconds: float, workers: int, gateway_url: str) -> dict[str, Any]:
    """Start `workers` real task workers (`cityhall worker`), let them send for `seconds` (or until
    nothing is left), stop them. Counted from the first handed-over message, so worker start-up
    (importing Django) is not part of the rate."""
    from cityhall.notifications.models import Delivery

    env = {**os.environ, "SMS_GATEWAY_URL": gateway_url, "LOG_LEVEL": "WARNING"}
    script = Path(sys.executable).with_name("cityhall")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cityhall.cli"]
    done = Delivery.objects.filter(status__in=["sent", "delivered"])
    before = done.count()
    processes = [
        subprocess.Popen([*command, "worker", "--queue", "alerts"], env=env, start_new_session=True)
        for _ in range(workers)
    ]
    deadline = time.monotonic() + 120
    while done.count() == before and time.monotonic() < deadline:
        time.sleep(0.02)
    first = done.count()
    started = time.perf_counter()
    last = first
    while time.perf_counter() - started < seconds:
        time.sleep(0.2)
        last = done.count()
        if not Delivery.objects.filter(status__in=["created", "sending"]).exists():
            break
    elapsed = time.perf_counter() - started
    for process in processes:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    sent = last - first
    return {
        "workers": workers,
        "seconds": round(elapsed, 2),
        "messages": sent,
        "messages_per_s": round(sent / elapsed, 1),
        "messages_per_s_per_worker": round(sent / elapsed / workers, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--send-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    args = parser.parse_args()
    setup()
    from django.db import connection

    from cityhall.notifications.models import Delivery
    from cityhall.notifications.testgateway import LocalSmsGateway

    author, approver = load_city()
    generated_s = make_subscribers(args.subscribers)
    report: dict[str, Any] = {"vendor": connection.vendor, "subscribers": args.subscribers}
    report["generate_subscribers_s"] = round(generated_s, 2)
    scenarios = {
        "whole_city": ["north-hill", "old-town", "eastfield", "westbrook", "riverside", "harbour"],
        "flood_three_districts": ["westbrook", "riverside", "harbour"],
    }
    for name, districts in scenarios.items():
        alert, approve_s = publish(author, approver, districts)
        planned = plan(alert)
        total = approve_s + planned["fanout_task_s"]
        report[name] = {
            "targeted": planned.get("targeted"),
            "planned": planned.get("planned"),
            "send_tasks": planned.get("send_tasks"),
            "approve_and_publish_s": round(approve_s, 3),
            "target_s": round(planned.get("target_s", 0.0), 3),
            "plan_and_enqueue_s": round(planned["fanout_task_s"] - planned.get("target_s", 0.0), 3),
            "approval_to_all_enqueued_s": round(total, 3),
        }
        # Only the whole-city alert is sent; the flood's deliveries stay planned.
        if name == "whole_city":
            whole_city_source = f"alerts.alert:{alert.pk}"
    # The driver ran the fan-out itself: drop the fan-out tasks the approvals queued, and the
    # flood's deliveries, so the workers only send the whole-city alert.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path="cityhall.alerts.tasks.alert_fanout").delete()
    Delivery.objects.exclude(message__source=whole_city_source).delete()
    with LocalSmsGateway() as gateway:
        report["throughput"] = [send_for(args.send_seconds, workers, gateway.url) for workers in args.workers]
        report["gateway"] = {"requests": gateway.state.requests, "duplicates": gateway.state.duplicates}
    print(REPORT_MARKER + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
