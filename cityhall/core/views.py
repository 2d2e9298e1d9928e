from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from cityhall.core.health import health_report


def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def ping(request: HttpRequest) -> JsonResponse:
    """A bare Django view: the reference every API endpoint's throughput is measured against."""
    return JsonResponse({"status": "ok"})
