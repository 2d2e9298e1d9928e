"""The portal: city information in several languages, help pages, the service directory by life event,
the new-resident checklist, site search, and the staff editors (permissions, audit, readability)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.facade import accounts_demo_load
from cityhall.accounts.models import Department, User
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.core.errors import PermissionDeniedError
from cityhall.core.models import AuditEvent
from cityhall.portal import services
from cityhall.portal.facade import portal_demo_load
from cityhall.portal.models import (
    DirectoryService,
    InfoPage,
    LifeEvent,
    NewResidentProgress,
    NewResidentStep,
    PageKind,
    SearchEntry,
    Topic,
)
from cityhall.portal.search import search_rebuild, site_search
from cityhall.servicerequests.facade import demo_load as servicerequests_demo_load
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: Any, settings: Any) -> None:
    """The parts of the demo city the portal shows: places, departments, service types, its content."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # demo accounts, quickly
    for load in (place_demo_load, accounts_demo_load, servicerequests_demo_load, portal_demo_load):
        load(lambda line: None)


def test_the_portal_demo_loads_twice_without_duplicates(demo: None) -> None:
    counts = (InfoPage.objects.count(), DirectoryService.objects.count(), NewResidentStep.objects.count())
    portal_demo_load(lambda line: None)
    assert (
        InfoPage.objects.count(),
        DirectoryService.objects.count(),
        NewResidentStep.objects.count(),
    ) == counts


@pytest.fixture
def editor(make_user: Callable[..., User]) -> User:
    return make_user(Role.DEPARTMENT_STAFF, DepartmentFactory(slug="clerks"))


# --- City information -----------------------------------------------------------------------


def test_the_information_index_is_by_topic(demo: None, client: Client) -> None:
    page = client.get("/info/").content.decode()
    assert "Bins and recycling" in page and "Getting around" in page
    assert 'href="/info/bin-collection-days/"' in page
    assert 'href="/help/create-an-account/"' not in page  # help pages live apart


def test_a_page_in_the_readers_language_with_english_as_fallback(demo: None, client: Client) -> None:
    spanish = client.get("/info/bin-collection-days/", headers={"Accept-Language": "es"}).content.decode()
    assert "Días de recogida de basura" in spanish
    fallback = client.get("/info/recycling/", headers={"Accept-Language": "es"}).content.decode()
    assert "What goes in which bin" in fallback
    assert 'lang="en"' in fallback  # the English text is marked as English


def test_page_markup_is_rendered_and_html_is_escaped(client: Client, editor: User) -> None:
    services.info_page_save(
        actor=editor,
        page_id=None,
        language="en",
        slug="test-page",
        title="Test",
        summary="",
        body="## Steps\n\n- one\n- two\n\n"
        "<script>alert(1)</script> [Report](/report/) [bad](javascript:alert(1))",
    )
    page = client.get("/info/test-page/").content.decode()
    assert "<h2>Steps</h2>" in page and "<li>one</li>" in page
    assert '<a href="/report/">Report</a>' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page


def test_unpublished_and_unknown_pages_are_404(editor: User, client: Client) -> None:
    services.info_page_save(
        actor=editor,
        page_id=None,
        language="en",
        slug="draft",
        title="Draft",
        summary="",
        body="x",
        published=False,
    )
    assert client.get("/info/draft/").status_code == 404
    assert client.get("/info/nothing/").status_code == 404


def test_help_pages(demo: None, client: Client) -> None:
    index = client.get("/help/").content.decode()
    assert "Creating an account" in index and "Getting help in person" in index
    page = client.get("/help/create-an-account/", headers={"Accept-Language": "ar"}).content.decode()
    assert "إنشاء حساب" in page
    assert client.get("/info/create-an-account/").status_code == 404


# --- Service directory ----------------------------------------------------------------------


def test_services_by_life_event(demo: None, client: Client) -> None:
    index = client.get("/services/").content.decode()
    assert "Moving to the city" in index and "Having a baby" in index and "Starting a business" in index
    event = client.get("/life-events/having-a-baby/").content.decode()
    assert "Register a birth" in event and "Childcare place" in event
    assert "Parking permit" not in event


def test_a_service_says_what_who_how_documents_fees_department_and_time(demo: None, client: Client) -> None:
    page = client.get("/services/register-a-birth/").content.decode()
    for heading in (
        "Who can use it",
        "In person, by phone or by post",
        "Documents you need",
        "Fees",
        "How long it takes",
    ):
        assert heading in page
    assert "Council Clerk" in page
    assert "The hospital" in page


def test_a_service_links_to_its_report_form(demo: None, client: Client) -> None:
    page = client.get("/services/report-a-pothole/").content.decode()
    assert 'href="/report/POTHOLE/"' in page


def test_department_staff_edit_their_own_departments_services_only(
    make_user: Callable[..., User], department: Department
) -> None:
    other = DepartmentFactory()
    own_staff = make_user(Role.DEPARTMENT_STAFF, department)
    texts = {"name": "Dog licence", "summary": "A licence for your dog."}
    service = services.directory_service_save(
        actor=own_staff,
        service_id=None,
        language="en",
        texts=texts,
        slug="dog-licence",
        department_id=department.pk,
    )
    with pytest.raises(PermissionDeniedError):
        services.directory_service_save(
            actor=make_user(Role.DEPARTMENT_STAFF, other),
            service_id=service.pk,
            language="en",
            texts=texts,
            slug="dog-licence",
            department_id=department.pk,
        )
    with pytest.raises(PermissionDeniedError):
        services.directory_service_save(
            actor=make_user(),
            service_id=None,
            language="en",
            texts=texts,
            slug="cat",
            department_id=department.pk,
        )
    admin = make_user(Role.ADMINISTRATOR)
    services.directory_service_save(
        actor=admin,
        service_id=service.pk,
        language="es",
        texts={"name": "Licencia de perro", "summary": "Una licencia."},
    )
    service.refresh_from_db()
    assert service.translations["es"]["name"] == "Licencia de perro"
    assert AuditEvent.objects.filter(action__startswith="directory_service.").count() == 2


# --- New residents --------------------------------------------------------------------------


def test_the_checklist_links_each_step_to_its_service(demo: None, client: Client) -> None:
    page = client.get("/new-residents/").content.decode()
    assert "Register your address" in page
    assert 'href="/services/register-your-address/"' in page
    assert "Sign in" in page and 'type="checkbox"' not in page


def test_a_resident_ticks_steps_and_comes_back_to_them(
    demo: None, resident: User, signed_in_client: Any
) -> None:
    client = signed_in_client(resident)
    steps = list(NewResidentStep.objects.order_by("order"))
    response = client.post("/new-residents/", {"done": [str(steps[0].pk), str(steps[2].pk), "not-a-uuid"]})
    assert response.status_code == 302
    page = signed_in_client(resident).get("/new-residents/").content.decode()
    assert f'value="{steps[0].pk}" id="step-{steps[0].pk}" checked' in page
    assert f'value="{steps[1].pk}" id="step-{steps[1].pk}">' in page
    assert "You have done 2 of 7 steps." in page
    client.post("/new-residents/", {"done": [str(steps[0].pk)]})
    assert NewResidentProgress.objects.filter(user=resident).count() == 1


def test_anonymous_ticks_ask_to_sign_in(demo: None, client: Client) -> None:
    response = client.post("/new-residents/", {"done": []})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not NewResidentProgress.objects.exists()


# --- Search ---------------------------------------------------------------------------------


def test_search_finds_pages_services_and_report_types(demo: None, client: Client) -> None:
    page = client.get("/search/", {"q": "bin"}).content.decode()
    assert "Bin collection days" in page  # a page
    assert "Bins for your home" in page  # a directory service
    assert "Missed bin collection" in page  # a service request type
    prefix = client.get("/search/", {"q": "recycl"}).content.decode()
    assert "What goes in which bin" in prefix


def test_search_in_spanish_prefers_spanish_documents(demo: None) -> None:
    hits = site_search("basura", language="es")
    assert hits and hits[0].title == "Días de recogida de basura"
    english = site_search("collection days", language="es")
    assert any(hit.title == "Días de recogida de basura" for hit in english)  # Spanish version preferred


def test_search_survives_odd_input(demo: None, client: Client) -> None:
    for query in ['"', "AND OR NOT", "*", "bin:*", "a' OR 1=1 --", "<script>", "  "]:
        assert client.get("/search/", {"q": query}).status_code == 200


def test_the_index_follows_content_changes(
    editor: User, run_tasks: Callable[[], None], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.info_page_save(
            actor=editor,
            page_id=None,
            language="en",
            slug="swimming",
            title="Swimming pools",
            summary="",
            body="Pools.",
        )
    run_tasks()
    assert [hit.title for hit in site_search("swimming", language="en")] == ["Swimming pools"]


def test_rebuilding_twice_changes_nothing(demo: None) -> None:
    first = search_rebuild()
    assert search_rebuild() == first == SearchEntry.objects.count()


# --- Staff editors --------------------------------------------------------------------------


def test_editors_create_and_translate_pages_with_a_readability_hint(
    editor: User, signed_in_client: Any
) -> None:
    client = signed_in_client(editor)
    form = client.get("/staff/pages/new/").content.decode()
    assert 'name="body"' in form
    long_sentence = " ".join(["administrative"] * 40) + "."
    response = client.post(
        "/staff/pages/new/",
        {
            "title": "Parking",
            "summary": "",
            "body": long_sentence,
            "slug": "parking-rules",
            "kind": "information",
            "topic": "",
            "published": "on",
        },
    )
    page = InfoPage.objects.get(slug="parking-rules")
    assert response.status_code == 302
    edit = client.get(response["Location"]).content.decode()
    assert "Readability" in edit and "Hard to read" in edit and "split it" in edit
    client.post(
        f"/staff/pages/{page.pk}/?lang=es", {"title": "Aparcar", "summary": "", "body": "Aparque aquí."}
    )
    page.refresh_from_db()
    assert page.translations == {"es": {"title": "Aparcar", "summary": "", "body": "Aparque aquí."}}
    assert AuditEvent.objects.filter(action="info_page.update", object_id=str(page.pk)).exists()


def test_editor_mistakes_are_named(editor: User, signed_in_client: Any) -> None:
    client = signed_in_client(editor)
    services.info_page_save(
        actor=editor, page_id=None, language="en", slug="taken", title="T", summary="", body="b"
    )
    response = client.post(
        "/staff/pages/new/", {"title": "", "body": "x", "slug": "taken", "kind": "information", "topic": ""}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    response = client.post(
        "/staff/pages/new/",
        {"title": "New", "body": "x", "slug": "taken", "kind": "information", "topic": ""},
    )
    assert "already uses this address" in response.content.decode()
    assert InfoPage.objects.count() == 1


def test_residents_cannot_edit(resident: User, signed_in_client: Any, editor: User) -> None:
    client = signed_in_client(resident)
    assert client.get("/staff/pages/").status_code == 403
    assert (
        client.post(
            "/staff/pages/new/", {"title": "x", "body": "y", "slug": "z", "kind": "information"}
        ).status_code
        == 403
    )
    with pytest.raises(PermissionDeniedError):
        services.info_page_save(
            actor=resident, page_id=None, language="en", slug="x", title="x", summary="", body="y"
        )
    assert not InfoPage.objects.exists()


def test_the_service_editor(editor: User, signed_in_client: Any) -> None:
    department = Department.objects.get(slug="clerks")
    event = LifeEvent.objects.create(slug="moving", name="Moving")
    client = signed_in_client(editor)
    response = client.post(
        "/staff/services/new/",
        {
            "name": "Register your address",
            "summary": "Tell us where you live.",
            "slug": "address",
            "department": str(department.pk),
            "life_events": [str(event.pk)],
            "published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service = DirectoryService.objects.get()
    assert list(service.life_events.all()) == [event]
    assert "Readability" in client.get(response["Location"]).content.decode()


def test_the_home_page_points_to_everything(demo: None, client: Client) -> None:
    page = client.get("/").content.decode()
    for link in ("/report/", "/services/", "/new-residents/", "/info/", "/help/", "/requests/", "/search/"):
        assert f'"{link}"' in page, link
    assert 'href="/life-events/moving-to-the-city/"' in page


def test_topics_come_from_the_demo(demo: None) -> None:
    assert Topic.objects.count() == 5
    assert InfoPage.objects.filter(kind=PageKind.DIGITAL_HELP).count() == 4


def test_the_search_rebuild_command(demo: None, capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    call_command("search_rebuild")
    assert f"{SearchEntry.objects.count()} search entries." in capsys.readouterr().out


def test_another_module_can_publish_documents(demo: None) -> None:
    """The interface a catalog (datasets) or decisions module will use when it lands."""
    from cityhall.core.search import SearchDocument, register_source, sources

    def datasets() -> list[SearchDocument]:
        return [
            SearchDocument("dataset", "trees", "en", "Street trees", "Every street tree", "", "/data/trees/")
        ]

    register_source("dataset", datasets)
    try:
        search_rebuild()
        [hit] = site_search("street trees", language="en")
        assert (hit.kind, hit.url) == ("dataset", "/data/trees/")
    finally:
        from cityhall.core import search as core_search

        core_search._sources.pop("dataset", None)
    assert "dataset" not in sources()
