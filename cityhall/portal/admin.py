"""Administrators manage topics, life events and the new-resident steps here (audited)."""

from django.contrib import admin

from cityhall.core.admin import AuditedModelAdmin
from cityhall.portal.models import DirectoryService, InfoPage, LifeEvent, NewResidentStep, Topic


@admin.register(Topic)
class TopicAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "order"]


@admin.register(LifeEvent)
class LifeEventAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "order"]


@admin.register(NewResidentStep)
class NewResidentStepAdmin(AuditedModelAdmin):
    list_display = ["order", "title", "within_weeks", "service"]


@admin.register(InfoPage)
class InfoPageAdmin(AuditedModelAdmin):
    list_display = ["title", "kind", "topic", "published", "updated_at"]
    list_filter = ["kind", "published", "topic"]


@admin.register(DirectoryService)
class DirectoryServiceAdmin(AuditedModelAdmin):
    list_display = ["name", "department", "published", "updated_at"]
    filter_horizontal = ["life_events"]
