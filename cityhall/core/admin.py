"""Admin site changes are staff changes too: each one goes into the audit chain."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from cityhall.core.audit import Actor, audit_record
from cityhall.core.models import AuditEvent, City, District


def _actor(request: HttpRequest) -> Actor:
    return Actor(ref=f"user:{request.user.pk}", role="administrator")


class AuditedModelAdmin(admin.ModelAdmin):
    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit_record(
            actor=_actor(request),
            action="admin.add",
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            data={"change": str(message)},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        audit_record(
            actor=_actor(request),
            action="admin.change",
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            data={"change": str(message)},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            audit_record(
                actor=_actor(request),
                action="admin.delete",
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                data={"repr": str(obj)[:200]},
            )
        return super().log_deletions(request, queryset)


@admin.register(City)
class CityAdmin(AuditedModelAdmin):
    list_display = ["name", "country_code", "time_zone"]


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "population"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
