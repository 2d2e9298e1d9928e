"""Admin views of alerts and incidents: read-mostly, every change audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cityhall.alerts.models import (
    Alert,
    AlertThread,
    Decision,
    Incident,
    Place,
    Resource,
    SituationReport,
    Subscription,
)
from cityhall.core.admin import AuditedModelAdmin


class ReadOnlyAdmin(AuditedModelAdmin):
    """Alerts and the decision log change only through their services (approval, audit, log)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AlertThread)
class AlertThreadAdmin(ReadOnlyAdmin):
    list_display = ["id", "latest", "is_public", "horizon", "cancelled_at"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "msg_type", "status", "state", "author", "approved_by", "published_at"]
    list_filter = ["state", "status", "msg_type"]
    search_fields = ["identifier"]
    exclude = ["xml"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "kind", "severity", "status", "opened_at"]
    list_filter = ["status", "kind"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["incident", "decided_at", "decided_by_name", "decision"]


@admin.register(SituationReport)
class SituationReportAdmin(ReadOnlyAdmin):
    list_display = ["incident", "number", "period_start", "period_end"]


@admin.register(Resource)
class ResourceAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "status", "capacity", "occupancy", "incident"]
    list_filter = ["kind", "status"]


@admin.register(Place)
class PlaceAdmin(AuditedModelAdmin):
    list_display = ["name", "latitude", "longitude", "district"]
    search_fields = ["name"]
    exclude = ["search_name"]

    def save_model(self, request: HttpRequest, obj: Place, form: Any, change: bool) -> None:
        obj.search_name = " ".join(obj.name.lower().replace(",", " ").split())
        super().save_model(request, obj, form, change)


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "channel", "language", "status", "created_at"]
    list_filter = ["status", "channel", "kind"]
