"""Reads for B5, B6, B13, B14: the interoperability matrix, the glossary, the asset inventory with its
duplication report, and the API and service registry."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from cityhall.operating.models import (
    ApiService,
    DataAsset,
    InteroperabilityCell,
    InteroperabilityDomain,
    InteroperabilityLayer,
    ItSystem,
    Term,
)


@dataclass(frozen=True, slots=True)
class InteroperabilityMatrix:
    domains: list[InteroperabilityDomain]
    rows: list[tuple[str, str, list[InteroperabilityCell | None]]]  # (layer, label, a cell per domain)


def interoperability_matrix() -> InteroperabilityMatrix:
    domains = list(InteroperabilityDomain.objects.all())
    cells = {(cell.layer, cell.domain_id): cell for cell in InteroperabilityCell.objects.all()}
    return InteroperabilityMatrix(
        domains=domains,
        rows=[
            (layer.value, str(layer.label), [cells.get((layer.value, domain.pk)) for domain in domains])
            for layer in InteroperabilityLayer
        ],
    )


def glossary() -> QuerySet[Term]:
    return Term.objects.select_related("broader").order_by("label")


def it_systems() -> QuerySet[ItSystem]:
    return ItSystem.objects.select_related("department", "owner", "supplier").annotate(
        data_asset_count=Count("data_assets")
    )


def data_assets() -> QuerySet[DataAsset]:
    return DataAsset.objects.select_related("department", "steward", "system")


@dataclass(frozen=True, slots=True)
class Duplication:
    capability: str
    systems: list[ItSystem]


def duplication_report() -> list[Duplication]:
    """Capabilities served by more than one live system: candidates to share or retire (B13)."""
    by_capability: dict[str, list[ItSystem]] = defaultdict(list)
    for system in ItSystem.objects.exclude(lifecycle="retired").select_related("department"):
        by_capability[" ".join(system.capability.casefold().split())].append(system)
    return [
        Duplication(capability=systems[0].capability, systems=systems)
        for _key, systems in sorted(by_capability.items())
        if len(systems) > 1
    ]


def api_registry() -> QuerySet[ApiService]:
    return ApiService.objects.select_related("department").annotate(reuse_count=Count("used_by"))
