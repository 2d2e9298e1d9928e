from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from cityhall.core.health import health_report


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@require_safe
def ping(request: HttpRequest) -> JsonResponse:
    """A bare Django view: the reference every API endpoint's throughput is measured against."""
    return JsonResponse({"status": "ok"})
