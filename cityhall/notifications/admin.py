"""Staff views of notifications: templates, messages, and the dead-letter list of failed deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cityhall.core.admin import AuditedModelAdmin
from cityhall.notifications.models import Delivery, Message, NotificationTemplate


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(AuditedModelAdmin):
    list_display = ["key", "channel", "language", "version", "subject"]
    list_filter = ["key", "channel", "language"]


class ReadOnlyAdmin(AuditedModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["source", "template_key", "priority", "targeted", "planned_at", "expires_at"]
    list_filter = ["priority", "template_key"]
    search_fields = ["source"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The dead-letter view: filter by a failure status or error code to see what did not go out."""

    list_display = ["id", "channel", "status", "attempts", "error_code", "sent_at", "message"]
    list_filter = ["status", "channel", "error_code"]
    search_fields = ["reference", "provider_message_id"]
    list_select_related = ["message"]
