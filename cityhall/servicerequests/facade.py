"""The service requests module as other apps see it. Import from here and from contracts, nothing else."""

from __future__ import annotations

from collections.abc import Callable

from cityhall.servicerequests import selectors
from cityhall.servicerequests.contracts import ServiceRequestSummary, ServiceTypeSummary, Status
from cityhall.servicerequests.demo import demo_load as servicerequests_demo_load


def service_type_summaries() -> list[ServiceTypeSummary]:
    """The kinds of problem residents can report, for links from other pages."""
    return [
        ServiceTypeSummary(
            id=service_type.pk,
            code=service_type.code,
            name=selectors.localized(service_type.name, service_type.name_translations),
            description=selectors.localized(service_type.description, service_type.description_translations),
            group=service_type.group,
            keywords=service_type.keywords,
            department_id=service_type.department_id,
        )
        for service_type in selectors.service_types()
    ]


def recent_requests(*, limit: int = 5) -> list[ServiceRequestSummary]:
    """The newest public requests (no personal data), for the home page."""
    return [
        ServiceRequestSummary(
            service_request_id=item.reference,
            service_code=item.service_type.code,
            service_name=selectors.localized(item.service_type.name, item.service_type.name_translations),
            status=Status(item.status),
            description=item.description,
            requested_at=item.requested_at,
            district_name=item.district.name if item.district else None,
        )
        for item in selectors.public_requests(selectors.RequestFilters())[:limit]
    ]


def demo_load(log: Callable[[str], None]) -> None:
    servicerequests_demo_load(log)


__all__ = ["demo_load", "recent_requests", "service_type_summaries"]
