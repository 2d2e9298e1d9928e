from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments, user_has_permission
from cityhall.core.errors import ServiceError
from cityhall.portal import selectors, services
from cityhall.portal.forms import DirectoryServiceForm, InfoPageForm, SearchForm
from cityhall.portal.models import SERVICE_TEXT_FIELDS, DirectoryService, InfoPage, LifeEvent, PageKind, Topic
from cityhall.portal.text import readability
from cityhall.servicerequests.facade import service_type_summaries


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"page": selectors.home_page(), "search_form": SearchForm()})


# --- City information and help --------------------------------------------------------------


@require_safe
def info_index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/info_index.html", {"topics": selectors.topics_with_pages()})


def _page(request: HttpRequest, slug: str, kind: PageKind) -> HttpResponse:
    page = selectors.published_page(slug, kind)
    if page is None:
        raise Http404(_("There is no such page."))
    view = selectors.page_view(page)
    context = {
        "view": view,
        "topic": selectors.localized(page.topic.name, page.topic.name_translations) if page.topic else "",
        "help": kind == PageKind.DIGITAL_HELP,
        "can_edit": request.user.is_authenticated
        and user_has_permission(request.user, Permission.EDIT_CITY_INFORMATION),
    }
    return render(request, "portal/page.html", context)


@require_safe
def info_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, slug, PageKind.INFORMATION)


@require_safe
def help_index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help_index.html", {"pages": selectors.help_pages()})


@require_safe
def help_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, slug, PageKind.DIGITAL_HELP)


# --- Service directory ----------------------------------------------------------------------


@require_safe
def services_index(request: HttpRequest) -> HttpResponse:
    context = {"events": selectors.life_events(), "services": selectors.directory_services()}
    return render(request, "portal/services_index.html", context)


@require_safe
def life_event(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.life_event_by_slug(slug)
    if event is None:
        raise Http404(_("There is no such life event."))
    context = {
        "event": event,
        "name": selectors.localized(event.name, event.name_translations),
        "summary": selectors.localized(event.summary, event.summary_translations),
        "services": selectors.services_of(event),
    }
    return render(request, "portal/life_event.html", context)


@require_safe
def service(request: HttpRequest, slug: str) -> HttpResponse:
    item = selectors.published_service(slug)
    if item is None:
        raise Http404(_("There is no such service."))
    report = None
    if item.report_service_code:
        report = next((t for t in service_type_summaries() if t.code == item.report_service_code), None)
    context = {
        "view": selectors.service_view(item),
        "events": [
            (e.slug, selectors.localized(e.name, e.name_translations)) for e in item.life_events.all()
        ],
        "report": report,
    }
    return render(request, "portal/service.html", context)


# --- New residents --------------------------------------------------------------------------


def new_residents(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={reverse('portal:new_residents')}")
        step_ids = []
        for raw in request.POST.getlist("done"):
            try:
                step_ids.append(uuid.UUID(raw))
            except ValueError:
                continue
        services.new_resident_checklist_save(actor=request.user, done_step_ids=step_ids)
        messages.success(request, _("Your checklist is saved. Come back any time."))
        return redirect("portal:new_residents")
    items = selectors.new_resident_checklist(request.user)
    context = {"items": items, "done": sum(1 for item in items if item.done)}
    return render(request, "portal/new_residents.html", context)


# --- Search ---------------------------------------------------------------------------------


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    hits = selectors.search(query) if query else []
    sections = selectors.search_sections(query) if query else []
    context = {"form": form, "query": query, "hits": hits, "sections": sections}
    return render(request, "portal/search.html", context)


# --- Staff editors --------------------------------------------------------------------------


def _require_editor(request: HttpRequest) -> None:
    if not user_has_permission(request.user, Permission.EDIT_CITY_INFORMATION):
        raise PermissionDenied


def _language(request: HttpRequest) -> str:
    language = request.GET.get("lang") or settings.LANGUAGE_CODE
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise Http404(_("There is no such language."))
    return language


def _language_links(request: HttpRequest) -> list[tuple[str, str, bool]]:
    current = _language(request)
    return [(code, str(name), code == current) for code, name in settings.LANGUAGES]


@login_required
def staff_pages(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    context = {"pages": selectors.pages_for_staff(), "services": selectors.services_for_staff()}
    return render(request, "portal/staff/pages.html", context)


def _topics() -> list[tuple[str, str]]:
    return [(str(topic.pk), topic.name) for topic in Topic.objects.order_by("order", "name")]


@login_required
def staff_page_edit(request: HttpRequest, page_id: uuid.UUID | None = None) -> HttpResponse:
    _require_editor(request)
    language = _language(request)
    default = language == settings.LANGUAGE_CODE
    page = InfoPage.objects.filter(pk=page_id).first() if page_id else None
    if page_id and page is None:
        raise Http404(_("There is no such page."))
    if page is None:
        initial: dict[str, object] = {
            "published": True,
            "kind": request.GET.get("kind", PageKind.INFORMATION),
        }
    elif default:
        initial = {
            "title": page.title,
            "summary": page.summary,
            "body": page.body,
            "slug": page.slug,
            "kind": page.kind,
            "topic": str(page.topic_id or ""),
            "published": page.published,
        }
    else:
        initial = dict(page.translations.get(language, {}))
    form = InfoPageForm(request.POST or None, initial=initial, topics=_topics(), default_language=default)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.info_page_save(
                    actor=request.user,
                    page_id=page.pk if page else None,
                    language=language,
                    title=data["title"],
                    summary=data["summary"],
                    body=data["body"],
                    slug=data.get("slug", ""),
                    kind=PageKind(data.get("kind") or PageKind.INFORMATION),
                    topic_id=uuid.UUID(data["topic"]) if data.get("topic") else None,
                    published=bool(data.get("published")),
                )
            except services.ContentError as error:
                for item in error.fields:
                    form.add_error(item.location if item.location in form.fields else None, item.message)
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The page is saved."))
                return redirect(f"{reverse('portal:staff_page_edit', args=[saved.pk])}?lang={language}")
        status = 400
    body = request.POST.get("body") if request.method == "POST" else initial.get("body", "")
    context = {
        "form": form,
        "page": page,
        "language": language,
        "languages": _language_links(request),
        "readability": readability(str(body or "")) if body else None,
    }
    return render(request, "portal/staff/page_edit.html", context, status=status)


@login_required
def staff_service_edit(request: HttpRequest, service_id: uuid.UUID | None = None) -> HttpResponse:
    _require_editor(request)
    language = _language(request)
    default = language == settings.LANGUAGE_CODE
    item = DirectoryService.objects.filter(pk=service_id).first() if service_id else None
    if service_id and item is None:
        raise Http404(_("There is no such service."))
    if item is None:
        initial: dict[str, object] = {"published": True}
    elif default:
        initial = {field: getattr(item, field) for field in SERVICE_TEXT_FIELDS}
        initial.update(
            slug=item.slug,
            department=str(item.department_id),
            life_events=[str(pk) for pk in item.life_events.values_list("pk", flat=True)],
            online_url=item.online_url,
            report_service_code=item.report_service_code,
            published=item.published,
        )
    else:
        initial = dict(item.translations.get(language, {}))
    form = DirectoryServiceForm(
        request.POST or None,
        initial=initial,
        departments=[(str(d.id), d.name) for d in departments()],
        life_events=[(str(e.pk), e.name) for e in LifeEvent.objects.order_by("order")],
        service_types=[(t.code, t.name) for t in service_type_summaries()],
        default_language=default,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.directory_service_save(
                    actor=request.user,
                    service_id=item.pk if item else None,
                    language=language,
                    texts={field: data.get(field, "") for field in SERVICE_TEXT_FIELDS},
                    slug=data.get("slug", ""),
                    department_id=uuid.UUID(data["department"]) if data.get("department") else None,
                    life_event_ids=[uuid.UUID(pk) for pk in data.get("life_events", [])],
                    online_url=data.get("online_url", ""),
                    report_service_code=data.get("report_service_code", ""),
                    published=bool(data.get("published")),
                )
            except services.ContentError as error:
                for problem in error.fields:
                    form.add_error(
                        problem.location if problem.location in form.fields else None, problem.message
                    )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The service is saved."))
                return redirect(f"{reverse('portal:staff_service_edit', args=[saved.pk])}?lang={language}")
        status = 400
    text = " \n\n".join(
        str(request.POST.get(f) or initial.get(f) or "") for f in ("summary", "how_online", "how_offline")
    )
    context = {
        "form": form,
        "item": item,
        "language": language,
        "languages": _language_links(request),
        "readability": readability(text) if text.strip() else None,
    }
    return render(request, "portal/staff/service_edit.html", context, status=status)
