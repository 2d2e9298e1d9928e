"""Writes for the portal: city pages and directory services (staff, audited), a resident's checklist."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import audit_actor, departments, user_has_permission
from cityhall.core.audit import audit_record
from cityhall.core.errors import FieldError, NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.search import request_reindex
from cityhall.portal.models import (
    SERVICE_TEXT_FIELDS,
    DirectoryService,
    InfoPage,
    LifeEvent,
    NewResidentProgress,
    NewResidentStep,
    PageKind,
    Topic,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
TEXT_LIMITS = {"title": 200, "summary": 300, "name": 200, "time_it_takes": 200}


class ContentError(ServiceError):
    """Content that cannot be saved; `fields` names each field at fault."""

    def __init__(self, fields: Sequence[FieldError]) -> None:
        super().__init__(" ".join(item.message for item in fields), code="invalid_content")
        self.fields = list(fields)


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _check_language(language: str) -> None:
    if language not in _languages():
        raise ContentError([FieldError("language", _("Choose one of the site's languages."))])


def _check_texts(texts: Mapping[str, str], required: Sequence[str]) -> dict[str, str]:
    problems = []
    cleaned = {}
    for name, value in texts.items():
        value = (value or "").strip().replace("\r\n", "\n")
        if name in required and not value:
            problems.append(FieldError(name, _("This is required; write it in plain language.")))
        limit = TEXT_LIMITS.get(name)
        if limit and len(value) > limit:
            problems.append(FieldError(name, _("Keep it to %(max)d characters or fewer.") % {"max": limit}))
        cleaned[name] = value
    if problems:
        raise ContentError(problems)
    return cleaned


def _check_slug(slug: str, model: type[InfoPage] | type[DirectoryService], exclude: uuid.UUID | None) -> None:
    if not SLUG.match(slug):
        raise ContentError(
            [FieldError("slug", _("Use lower-case letters, digits and dashes, like “parking-permits”."))]
        )
    others = model.objects.filter(slug=slug)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ContentError([FieldError("slug", _("Another page already uses this address; choose another."))])


@transaction.atomic
def info_page_save(
    *,
    actor: Any,
    page_id: uuid.UUID | None,
    language: str,
    title: str,
    summary: str,
    body: str,
    slug: str = "",
    kind: PageKind = PageKind.INFORMATION,
    topic_id: uuid.UUID | None = None,
    published: bool = True,
) -> InfoPage:
    """Create a page, or save one language of it (address, topic, publication: default language)."""
    # actor=None is the platform itself (the demo loader, a command).
    if actor is not None and not user_has_permission(actor, Permission.EDIT_CITY_INFORMATION):
        raise PermissionDeniedError(_("Only staff who edit city information can change pages."))
    _check_language(language)
    texts = _check_texts({"title": title, "summary": summary, "body": body}, required=("title", "body"))
    default = language == settings.LANGUAGE_CODE
    if page_id is None:
        if not default:
            raise ContentError([FieldError("language", _("Write a new page in the default language first."))])
        page = InfoPage(kind=kind)
        created = True
    else:
        found = InfoPage.objects.select_for_update().filter(pk=page_id).first()
        if found is None:
            raise NotFoundError(_("There is no such page."))
        page = found
        created = False
    if default:
        _check_slug(slug, InfoPage, None if created else page.pk)
        if topic_id is not None and not Topic.objects.filter(pk=topic_id).exists():
            raise ContentError([FieldError("topic", _("Choose a topic from the list."))])
        page.slug, page.kind, page.topic_id, page.published = slug, kind, topic_id, published
        page.title, page.summary, page.body = texts["title"], texts["summary"], texts["body"]
    else:
        page.translations = {**page.translations, language: texts}
    page.updated_by = actor
    page.save()
    audit_record(
        actor=audit_actor(actor),
        action="info_page.create" if created else "info_page.update",
        object_type="info_page",
        object_id=str(page.pk),
        data={"slug": page.slug, "language": language, "published": page.published},
    )
    request_reindex()
    return page


@transaction.atomic
def directory_service_save(
    *,
    actor: Any,
    service_id: uuid.UUID | None,
    language: str,
    texts: Mapping[str, str],
    slug: str = "",
    department_id: uuid.UUID | None = None,
    life_event_ids: Sequence[uuid.UUID] = (),
    online_url: str = "",
    report_service_code: str = "",
    published: bool = True,
) -> DirectoryService:
    """Create a directory service, or save one language of it; staff edit their department's."""
    _check_language(language)
    default = language == settings.LANGUAGE_CODE
    service = None
    if service_id is not None:
        service = DirectoryService.objects.select_for_update().filter(pk=service_id).first()
        if service is None:
            raise NotFoundError(_("There is no such service."))
    target_department = department_id if default else (service.department_id if service else None)
    for checked in {target_department, service.department_id if service else None} - {None}:
        if actor is not None and not user_has_permission(
            actor, Permission.EDIT_CITY_INFORMATION, department_id=checked
        ):
            raise PermissionDeniedError(
                _("Only staff of the responsible department can change this service.")
            )
    if target_department is None:
        raise ContentError([FieldError("department", _("Choose the responsible department."))])
    if target_department not in {d.id for d in departments()}:
        raise ContentError([FieldError("department", _("Choose a department from the list."))])
    cleaned = _check_texts(
        {field: texts.get(field, "") for field in SERVICE_TEXT_FIELDS}, required=("name", "summary")
    )
    if online_url and not (online_url.startswith(("https://", "http://", "/")) and len(online_url) <= 500):
        raise ContentError([FieldError("online_url", _("Give a web address starting with https:// or /."))])
    created = service is None
    if service is None:
        if not default:
            raise ContentError(
                [FieldError("language", _("Write a new service in the default language first."))]
            )
        service = DirectoryService()
    if default:
        _check_slug(slug, DirectoryService, None if created else service.pk)
        service.slug, service.department_id, service.published = slug, target_department, published
        service.online_url, service.report_service_code = online_url, report_service_code.strip()
        for field, value in cleaned.items():
            setattr(service, field, value)
    else:
        service.translations = {**service.translations, language: {k: v for k, v in cleaned.items() if v}}
    service.updated_by = actor
    service.save()
    if default:
        events = list(LifeEvent.objects.filter(pk__in=list(life_event_ids)))
        service.life_events.set(events)
    audit_record(
        actor=audit_actor(actor),
        action="directory_service.create" if created else "directory_service.update",
        object_type="directory_service",
        object_id=str(service.pk),
        data={"slug": service.slug, "language": language, "department": str(service.department_id)},
    )
    request_reindex()
    return service


@transaction.atomic
def new_resident_step_mark(*, actor: Any, step_id: uuid.UUID, done: bool) -> bool:
    """Tick (or untick) a step of the new-resident checklist for the signed-in resident."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDeniedError(_("Sign in to keep your checklist."))
    if not NewResidentStep.objects.filter(pk=step_id).exists():
        raise NotFoundError(_("There is no such step."))
    if done:
        NewResidentProgress.objects.get_or_create(user_id=actor.pk, step_id=step_id)
    else:
        NewResidentProgress.objects.filter(user_id=actor.pk, step_id=step_id).delete()
    return done


@transaction.atomic
def new_resident_checklist_save(*, actor: Any, done_step_ids: Sequence[uuid.UUID]) -> int:
    """Save the whole checklist at once (the page's form): the given steps done, the others not."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDeniedError(_("Sign in to keep your checklist."))
    valid = set(NewResidentStep.objects.filter(pk__in=list(done_step_ids)).values_list("pk", flat=True))
    NewResidentProgress.objects.filter(user_id=actor.pk).exclude(step_id__in=valid).delete()
    have = set(NewResidentProgress.objects.filter(user_id=actor.pk).values_list("step_id", flat=True))
    NewResidentProgress.objects.bulk_create(
        [NewResidentProgress(user_id=actor.pk, step_id=step_id) for step_id in valid - have]
    )
    return len(valid)
