"""B5, B6, B13, B14: the interoperability matrix, the glossary, IT and data assets, the API registry."""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.operating.models import (
    ApiService,
    ApiServiceStatus,
    Classification,
    DataAsset,
    InteroperabilityCell,
    InteroperabilityDomain,
    ItSystem,
    Sharing,
    Term,
)
from cityhall.operating.services._common import (
    User,
    audit,
    audit_named,
    get_or_404,
    require_programme_office,
    validated,
)

API_ROOT = "/api/v1"


@transaction.atomic
def interoperability_domain_create(
    *, actor: User | None, name: str, description: str = "", order: int = 0
) -> InteroperabilityDomain:
    require_programme_office(actor)
    domain = InteroperabilityDomain(name=name.strip(), description=description.strip(), order=order)
    validated(domain)
    domain.save(force_insert=True)
    audit(actor, "interoperability.domain_create", domain, {"name": domain.name})
    return domain


@transaction.atomic
def interoperability_cell_set(
    *,
    actor: User | None,
    layer: str,
    domain_id: uuid.UUID,
    status: str,
    barrier: str = "",
    standard: str = "",
    notes: str = "",
) -> InteroperabilityCell:
    """Record one cell of the matrix: the barrier found, the standard adopted, how far it has got."""
    require_programme_office(actor)
    domain = get_or_404(InteroperabilityDomain, domain_id, _("interoperability domain"))
    if status in {"standard_chosen", "adopting", "adopted"} and not standard.strip():
        raise ServiceError(
            _("Name the standard: a cell whose standard is chosen, being adopted or adopted needs it."),
            code="standard_needed",
        )
    cell = InteroperabilityCell.objects.filter(layer=layer, domain=domain).first() or InteroperabilityCell(
        layer=layer, domain=domain
    )
    cell.status, cell.barrier, cell.standard, cell.notes = (
        status,
        barrier.strip(),
        standard.strip(),
        notes.strip(),
    )
    validated(cell)
    cell.save()
    audit(actor, "interoperability.cell_set", cell, {"layer": layer, "domain": domain.name, "status": status})
    return cell


@transaction.atomic
def term_create(
    *,
    actor: User | None,
    label: str,
    definition: str,
    language: str = "en",
    alt_labels: list[str] | None = None,
    sccm_concept: str = "",
    broader_id: uuid.UUID | None = None,
    source: str = "",
) -> Term:
    require_programme_office(actor)
    term = Term(
        label=label.strip(),
        definition=definition.strip(),
        language=language,
        alt_labels=[alt.strip() for alt in alt_labels or [] if alt.strip()],
        sccm_concept=sccm_concept,
        broader_id=broader_id,
        source=source.strip(),
    )
    validated(term)
    term.save(force_insert=True)
    audit(actor, "term.create", term, {"label": term.label, "sccm": sccm_concept})
    return term


@transaction.atomic
def it_system_create(
    *,
    actor: User | None,
    name: str,
    capability: str,
    description: str = "",
    department_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    supplier_id: uuid.UUID | None = None,
    hosting: str = "on_premises",
    lifecycle: str = "live",
    open_standards: str = "",
) -> ItSystem:
    require_programme_office(actor)
    system = ItSystem(
        name=name.strip(),
        capability=capability.strip(),
        description=description.strip(),
        department_id=department_id,
        owner_id=owner_id,
        supplier_id=supplier_id,
        hosting=hosting,
        lifecycle=lifecycle,
        open_standards=open_standards.strip(),
    )
    validated(system)
    system.save(force_insert=True)
    audit(actor, "it_system.create", system, {"name": system.name})
    return system


@transaction.atomic
def data_asset_create(
    *,
    actor: User | None,
    name: str,
    classification: str,
    sharing: str,
    description: str = "",
    department_id: uuid.UUID | None = None,
    steward_id: uuid.UUID | None = None,
    system_id: uuid.UUID | None = None,
    contains_personal_data: bool = False,
    quality: int | None = None,
    sccm_concept: str = "",
    catalog_datasets: list[str] | None = None,
) -> DataAsset:
    require_programme_office(actor)
    if sharing == Sharing.OPEN and (classification != Classification.PUBLIC or contains_personal_data):
        raise ServiceError(
            _(
                "Only public data without personal data can be open data. Change the classification or "
                "the sharing."
            ),
            code="not_openable",
        )
    asset = DataAsset(
        name=name.strip(),
        description=description.strip(),
        department_id=department_id,
        steward_id=steward_id,
        system_id=system_id,
        classification=classification,
        contains_personal_data=contains_personal_data,
        quality=quality,
        sharing=sharing,
        sccm_concept=sccm_concept,
        catalog_datasets=[item.strip() for item in catalog_datasets or [] if item.strip()],
    )
    validated(asset)
    asset.save(force_insert=True)
    audit(actor, "data_asset.create", asset, {"name": asset.name, "classification": classification})
    return asset


@transaction.atomic
def api_service_create(
    *,
    actor: User | None,
    name: str,
    base_url: str,
    description: str = "",
    department_id: uuid.UUID | None = None,
    specification_url: str = "",
    standards: str = "",
    status: str = "live",
    used_by_ids: list[uuid.UUID] | None = None,
) -> ApiService:
    require_programme_office(actor)
    service = ApiService(
        name=name.strip(),
        base_url=base_url.strip(),
        description=description.strip(),
        department_id=department_id,
        specification_url=specification_url.strip(),
        standards=standards.strip(),
        status=status,
    )
    validated(service)
    service.save(force_insert=True)
    if used_by_ids:
        service.used_by.set(used_by_ids)
    audit(actor, "api_service.create", service, {"name": service.name})
    return service


@functools.cache
def _own_api_groups() -> dict[str, dict[str, Any]]:
    """Cityhall's own API, grouped by tag: the path prefix and the number of operations of each.

    Building the OpenAPI document takes seconds and the API does not change while the process runs,
    so it is built once per process.
    """
    api = import_string(settings.CITYHALL_API)
    schema = api.get_openapi_schema()
    groups: dict[str, dict[str, Any]] = defaultdict(lambda: {"paths": set(), "operations": 0})
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            tag = (operation.get("tags") or ["platform"])[0]
            groups[tag]["paths"].add(path)
            groups[tag]["operations"] += 1
    result = {}
    for tag, group in groups.items():
        paths = sorted(group["paths"])
        prefix = paths[0]
        for path in paths[1:]:
            while not path.startswith(prefix):
                prefix = prefix[:-1]
        prefix = prefix.rsplit("/", 1)[0] if not prefix.endswith("/") else prefix.rstrip("/")
        result[tag] = {"prefix": prefix or API_ROOT, "operations": group["operations"]}
    return result


@transaction.atomic
def api_registry_sync(*, actor: User | None) -> list[ApiService]:
    """List Cityhall's own APIs in the registry, from its OpenAPI document (idempotent)."""
    require_programme_office(actor)
    groups = _own_api_groups()
    synced = []
    for tag, group in sorted(groups.items()):
        name = _("Cityhall %(tag)s API") % {"tag": tag}
        service = ApiService.objects.filter(name=name).first() or ApiService(name=name, is_cityhall=True)
        service.base_url = group["prefix"]
        service.specification_url = f"{API_ROOT}/openapi.json"
        service.standards = "OpenAPI 3"
        service.operation_count = group["operations"]
        service.status = ApiServiceStatus.LIVE
        service.is_cityhall = True
        if not service.description:
            service.description = _("Part of the Cityhall platform API (tag “%(tag)s”).") % {"tag": tag}
        service.save()
        synced.append(service)
    gone = ApiService.objects.filter(is_cityhall=True).exclude(pk__in=[s.pk for s in synced])
    retired = list(gone.values_list("name", flat=True))
    gone.update(status=ApiServiceStatus.DEPRECATED)
    audit_named(
        actor,
        "api_registry.sync",
        object_type="operating.apiservice",
        data={"apis": [s.name for s in synced], "deprecated": retired},
    )
    return synced
