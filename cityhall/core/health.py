"""What /healthz and /api/v1/health report: can we reach the database, and is work piling up."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

from cityhall.core.taskqueue import queue_state


def health_report() -> dict[str, Any]:
    database: dict[str, Any] = {"vendor": connection.vendor}
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database["ok"] = True
        database["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    except Exception as error:  # any failure to reach the database is a health finding
        database["ok"] = False
        database["error"] = error.__class__.__name__

    tasks: dict[str, Any]
    try:
        state = queue_state()
        tasks = {
            "ok": True,
            "backend": state.backend,
            "waiting": state.waiting,
            "oldest_waiting_age_seconds": state.oldest_waiting_age_seconds,
        }
    except Exception as error:  # the queue's store (database or Redis) may be down
        tasks = {"ok": False, "error": error.__class__.__name__}

    status = "ok" if database["ok"] and tasks["ok"] else "unavailable"
    return {"status": status, "database": database, "tasks": tasks}
