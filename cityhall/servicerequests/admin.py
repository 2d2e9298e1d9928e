"""Administrators manage service types, their Open311 questions and routing here (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cityhall.core.admin import AuditedModelAdmin
from cityhall.servicerequests.models import RoutingRule, ServiceAttribute, ServiceRequest, ServiceType


class ServiceAttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0
    fields = [
        "order",
        "code",
        "datatype",
        "variable",
        "required",
        "description",
        "datatype_description",
        "values",
    ]


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0


@admin.register(ServiceType)
class ServiceTypeAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "group", "department", "sla_hours", "is_emergency", "active"]
    list_filter = ["active", "group", "department"]
    search_fields = ["code", "name", "keywords"]
    inlines = [ServiceAttributeInline, RoutingRuleInline]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(AuditedModelAdmin):
    """Read-only: requests are worked in the staff queue, where every change is a service call."""

    list_display = ["reference", "service_type", "status", "department", "channel", "requested_at"]
    list_filter = ["status", "channel", "service_type", "department"]
    search_fields = ["reference"]
    date_hierarchy = "requested_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
