"""Reads for the resident-facing portal: city information, help pages, the service directory, the
new-resident checklist, and site search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import get_language

from cityhall.accounts.facade import departments
from cityhall.core.models import City, District
from cityhall.core.search import SearchHit, SearchSection
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
from cityhall.portal.search import site_search, site_sections


@dataclass(frozen=True, slots=True)
class HomePage:
    city: City | None
    districts: list[tuple[str, str]]
    departments: list[str]
    life_events: list[tuple[str, str]]


def current_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def localized(default: str, translations: dict[str, Any]) -> str:
    """A public text in the reader's language, falling back to the default."""
    value = translations.get(current_language())
    return str(value) if value else default


def localized_field(default: str, translations: dict[str, Any], field: str) -> str:
    """One field of an object whose other languages are stored as {"es": {"title": ...}, ...}."""
    texts = translations.get(current_language())
    value = texts.get(field) if isinstance(texts, dict) else None
    return str(value) if value else default


def home_page() -> HomePage:
    districts = [
        (localized(d.name, d.name_translations), d.slug)
        for d in District.objects.only("name", "name_translations", "slug")
    ]
    top_level = [
        localized(department.name, department.name_translations)
        for department in departments()
        if department.parent_id is None
    ]
    events = [(localized(e.name, e.name_translations), e.slug) for e in LifeEvent.objects.all()]
    return HomePage(city=City.objects.first(), districts=districts, departments=top_level, life_events=events)


# --- City information and help pages --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageView:
    """A page as shown: in the reader's language where it exists; `language` says which."""

    page: InfoPage
    title: str
    summary: str
    body: str
    language: str
    translated: bool


def page_view(page: InfoPage) -> PageView:
    language = current_language()
    texts = page.translations.get(language) if language != settings.LANGUAGE_CODE else None
    if isinstance(texts, dict) and texts.get("title") and texts.get("body"):
        return PageView(page, texts["title"], texts.get("summary", ""), texts["body"], language, True)
    return PageView(page, page.title, page.summary, page.body, settings.LANGUAGE_CODE, False)


def topics_with_pages() -> list[tuple[str, str, list[PageView]]]:
    published = InfoPage.objects.filter(published=True, kind=PageKind.INFORMATION).order_by("order", "title")
    topics = Topic.objects.prefetch_related(Prefetch("pages", queryset=published)).order_by("order", "name")
    result = [
        (
            localized(topic.name, topic.name_translations),
            localized(topic.summary, topic.summary_translations),
            [page_view(page) for page in topic.pages.all()],
        )
        for topic in topics
    ]
    loose = [page_view(page) for page in published.filter(topic__isnull=True)]
    if loose:
        result.append(("", "", loose))
    return [item for item in result if item[2]]


def published_page(slug: str, kind: PageKind) -> InfoPage | None:
    return InfoPage.objects.select_related("topic").filter(slug=slug, kind=kind, published=True).first()


def help_pages() -> list[PageView]:
    pages = InfoPage.objects.filter(published=True, kind=PageKind.DIGITAL_HELP).order_by("order", "title")
    return [page_view(page) for page in pages]


def pages_for_staff() -> QuerySet[InfoPage]:
    return InfoPage.objects.select_related("topic", "updated_by").order_by("kind", "order", "title")


# --- Service directory ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceView:
    service: DirectoryService
    texts: dict[str, str]
    department: str


def service_view(service: DirectoryService, department_names: dict[Any, str] | None = None) -> ServiceView:
    language = current_language()
    translated = service.translations.get(language, {}) if language != settings.LANGUAGE_CODE else {}
    texts = {field: (translated.get(field) or getattr(service, field)) for field in SERVICE_TEXT_FIELDS}
    names = department_names if department_names is not None else _department_names()
    return ServiceView(service, texts, names.get(service.department_id, ""))


def _department_names() -> dict[Any, str]:
    return {
        department.id: localized(department.name, department.name_translations)
        for department in departments()
    }


def life_events() -> list[tuple[LifeEvent, str, str, int]]:
    events = LifeEvent.objects.annotate(count=Count("services", filter=Q(services__published=True)))
    return [
        (
            event,
            localized(event.name, event.name_translations),
            localized(event.summary, event.summary_translations),
            event.count,
        )
        for event in events.order_by("order", "name")
    ]


def life_event_by_slug(slug: str) -> LifeEvent | None:
    return LifeEvent.objects.filter(slug=slug).first()


def services_of(event: LifeEvent) -> list[ServiceView]:
    names = _department_names()
    return [service_view(s, names) for s in event.services.filter(published=True).order_by("name")]


def directory_services() -> list[ServiceView]:
    names = _department_names()
    views = [service_view(s, names) for s in DirectoryService.objects.filter(published=True)]
    return sorted(views, key=lambda view: view.texts["name"].lower())


def published_service(slug: str) -> DirectoryService | None:
    return DirectoryService.objects.prefetch_related("life_events").filter(slug=slug, published=True).first()


def services_for_staff() -> QuerySet[DirectoryService]:
    return DirectoryService.objects.order_by("name")


# --- New residents --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    step: NewResidentStep
    title: str
    description: str
    service: ServiceView | None
    done: bool


def new_resident_checklist(user: Any) -> list[ChecklistItem]:
    done: set[Any] = set()
    if getattr(user, "is_authenticated", False):
        done = set(NewResidentProgress.objects.filter(user_id=user.pk).values_list("step_id", flat=True))
    names = _department_names()
    steps = NewResidentStep.objects.select_related("service").order_by("order")
    return [
        ChecklistItem(
            step=step,
            title=localized(step.title, step.title_translations),
            description=localized(step.description, step.description_translations),
            service=service_view(step.service, names) if step.service and step.service.published else None,
            done=step.pk in done,
        )
        for step in steps
    ]


# --- Search ---------------------------------------------------------------------------------


def search(query: str) -> list[SearchHit]:
    return site_search(query, language=current_language())


def search_sections(query: str) -> list[SearchSection]:
    return site_sections(query, language=current_language())
