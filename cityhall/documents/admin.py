"""Read-only admin: the registry, keys, signatures and the message log are evidence, so every change
goes through the services (which sign, chain and audit); the admin only looks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cityhall.documents.models import Document, ExchangeRequest, MessageLogEntry, Share, Signature, SigningKey


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "department", "classification", "current_version", "retain_until", "disposal"]
    list_filter = ["classification", "disposal"]
    search_fields = ["title"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["owner_name", "fingerprint", "valid_from", "valid_until", "revoked_at"]
    exclude = ["encrypted_private_key"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["seq", "version", "key", "signed_at"]


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ["document", "expires_at", "anyone_with_link", "revoked_at"]
    exclude = ["token_sha256"]


@admin.register(ExchangeRequest)
class ExchangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "from_department", "to_department", "legal_basis", "status"]
    exclude = ["subject"]


@admin.register(MessageLogEntry)
class MessageLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "kind", "at", "key"]
