"""The admin site for the operating model's reference and register rows (every change audited).

Records whose rules live in the services (the benefit map's links, values and measurements, the project
and contract lifecycles, reviews) are read-only here: change them through the staff pages or the API,
so the rules (no loops, right unit and period, checklist before activation) always apply.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cityhall.core.admin import AuditedModelAdmin
from cityhall.operating import models


class ReadOnlyAdmin(AuditedModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Editable reference and register rows.
@admin.register(models.DeliveryPrinciple)
class DeliveryPrincipleAdmin(AuditedModelAdmin):
    list_display = ["code", "title", "heading", "mark"]
    list_filter = ["heading", "mark"]


@admin.register(models.RiskArea)
class RiskAreaAdmin(AuditedModelAdmin):
    list_display = ["code", "heading", "mark", "review_interval_days", "next_review_due"]


@admin.register(models.ChecklistItem)
class ChecklistItemAdmin(AuditedModelAdmin):
    list_display = ["area", "text", "mark"]


@admin.register(models.IndicatorFramework)
class IndicatorFrameworkAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "edition", "mark"]


@admin.register(models.IndicatorTheme)
class IndicatorThemeAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "framework", "level"]
    list_filter = ["framework", "level"]


@admin.register(models.Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ["code", "part", "name", "framework", "unit", "frequency", "is_headline"]
    list_filter = ["framework", "kind", "is_headline"]
    search_fields = ["code", "name"]
    readonly_fields = ["framework", "code", "part"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Values are recorded in the unit and period length they were checked against: both stay.
        if obj is not None and obj.values.exists():
            return [*self.readonly_fields, "unit", "frequency"]
        return self.readonly_fields


@admin.register(models.GovernanceBody)
class GovernanceBodyAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "department"]


@admin.register(models.Stakeholder)
class StakeholderAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "interest", "influence"]


@admin.register(models.EngagementActivity)
class EngagementActivityAdmin(AuditedModelAdmin):
    list_display = ["title", "method", "held_on"]


@admin.register(models.Objective)
class ObjectiveAdmin(AuditedModelAdmin):
    list_display = ["code", "title", "status"]


@admin.register(models.Term)
class TermAdmin(AuditedModelAdmin):
    list_display = ["label", "language", "sccm_concept"]
    search_fields = ["label"]


@admin.register(models.InteroperabilityDomain)
class InteroperabilityDomainAdmin(AuditedModelAdmin):
    list_display = ["name", "order"]


@admin.register(models.ItSystem)
class ItSystemAdmin(AuditedModelAdmin):
    list_display = ["name", "capability", "department", "lifecycle"]


@admin.register(models.DataAsset)
class DataAssetAdmin(AuditedModelAdmin):
    list_display = ["name", "department", "classification", "sharing"]


@admin.register(models.ApiService)
class ApiServiceAdmin(AuditedModelAdmin):
    list_display = ["name", "base_url", "status", "is_cityhall"]


@admin.register(models.Supplier)
class SupplierAdmin(AuditedModelAdmin):
    list_display = ["name", "identifier_scheme", "identifier", "performance_rating"]


# Read-only: their rules are enforced by the services.
@admin.register(models.Vision)
class VisionAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "status", "adopted_on"]


@admin.register(models.Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "status", "starts_on", "ends_on"]


@admin.register(models.Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "programme", "status"]
    list_filter = ["status", "phase"]


@admin.register(models.Benefit)
class BenefitAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "kind", "status", "progress"]


@admin.register(models.BenefitMapNode)
class BenefitMapNodeAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind"]


@admin.register(models.BenefitLink)
class BenefitLinkAdmin(ReadOnlyAdmin):
    list_display = ["from_node", "effect", "to_node"]


@admin.register(models.BenefitMeasurement)
class BenefitMeasurementAdmin(ReadOnlyAdmin):
    list_display = ["benefit", "period", "value", "unit", "source"]


@admin.register(models.IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "district", "period", "value", "unit", "verification"]
    list_select_related = ["indicator", "district"]


@admin.register(models.Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "likelihood", "impact", "status", "next_review_due"]


@admin.register(models.ProcurementNeed)
class ProcurementNeedAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status"]


@admin.register(models.Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "supplier", "status"]
