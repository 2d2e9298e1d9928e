"""Service types in the site search: "pothole" finds how to report one."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from cityhall.core.search import SearchDocument, register_source, request_reindex

KIND = "service_type"


def documents() -> Iterator[SearchDocument]:
    from cityhall.servicerequests.models import ServiceType

    default = settings.LANGUAGE_CODE
    for service_type in ServiceType.objects.filter(active=True).order_by("code"):
        url = reverse("servicerequests:report_form", args=[service_type.code])
        body = " ".join([service_type.keywords, service_type.group, service_type.service_notice])
        languages = {default, *service_type.name_translations}
        for language in sorted(languages):
            if language != default and not service_type.name_translations.get(language):
                continue
            yield SearchDocument(
                kind=KIND,
                key=service_type.code,
                language=language,
                title=service_type.name_translations.get(language) or service_type.name,
                summary=service_type.description_translations.get(language) or service_type.description,
                body=body,
                url=url,
            )


def _changed(**kwargs: object) -> None:
    request_reindex()


def register() -> None:
    from cityhall.servicerequests.models import ServiceType

    register_source(KIND, documents)
    # Service types change through the admin site and the demo; either way the search follows.
    post_save.connect(_changed, sender=ServiceType, dispatch_uid="servicerequests.search.saved")
    post_delete.connect(_changed, sender=ServiceType, dispatch_uid="servicerequests.search.deleted")
