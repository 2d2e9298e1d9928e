"""Site search beyond pages and services: datasets, decisions and participation, public ones only,
each answered by its module's own index, with a count and a link to the module's search for the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.catalog import services as catalog
from cityhall.catalog.models import DatasetState
from cityhall.decisions import services as decisions
from cityhall.engagement import services as engagement
from cityhall.engagement.contracts import ConsultationPhase, QuestionKind
from cityhall.portal.search import site_sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher_department(department: Department) -> Department:
    return department


def dataset(
    department: Department, name: str, title: str, state: str = DatasetState.PUBLISHED, **extra: Any
) -> None:
    metadata = {
        "name": name,
        "title": title,
        "description": "Counted every month by the city.",
        "department_id": str(department.pk),
        "themes": ["ENVI"],
        "license_id": "CC-BY-4.0",
        **extra,
    }
    catalog.dataset_create(actor=None, metadata=metadata, state=state)


@pytest.fixture
def clerk(make_user: Callable[..., User]) -> User:
    return make_user(Role.COUNCIL_CLERK)


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user(Role.MODERATOR)


def kinds(query: str) -> dict[str, list[str]]:
    return {
        section.kind: [hit.title for hit in section.hits] for section in site_sections(query, language="en")
    }


def test_public_datasets_are_found_and_private_or_draft_ones_are_not(department: Department) -> None:
    dataset(department, "heron-counts", "Heron counts on the river")
    dataset(department, "heron-nests", "Heron nests (draft)", state=DatasetState.DRAFT)
    dataset(department, "heron-private", "Heron rings (private)", private=True)
    assert kinds("heron") == {"dataset": ["Heron counts on the river"]}
    [section] = site_sections("heron", language="en")
    assert section.total == 1 and section.hits[0].url == "/dataset/heron-counts"


def test_published_decisions_are_found_and_drafts_are_not(clerk: User, department: Department) -> None:
    body = decisions.body_create(actor=clerk, slug="council", name="City Council", kind="council")
    decisions.decision_create(actor=clerk, body_id=body.pk, title="Heron habitat protection", submit=True)
    decisions.decision_create(actor=clerk, body_id=body.pk, title="Heron draft budget")
    found = kinds("heron")
    assert list(found) == ["decision"] and len(found["decision"]) == 1
    assert found["decision"][0].endswith("Heron habitat protection")


def test_open_consultations_are_found_and_drafts_are_not(moderator: User) -> None:
    shown = engagement.consultation_create(
        actor=moderator,
        title="Heron walk along the river",
        summary="Where should the path go?",
        eligibility=1,
    )
    question = engagement.QuestionInput(kind=QuestionKind.TEXT, text="Which side of the river?")
    engagement.question_add(actor=moderator, consultation_id=shown.pk, data=question)
    engagement.consultation_phase_set(actor=moderator, consultation_id=shown.pk, phase=ConsultationPhase.OPEN)
    engagement.consultation_create(
        actor=moderator, title="Heron hide (not yet public)", summary="Draft.", eligibility=1
    )
    [section] = site_sections("heron walk", language="en")
    assert section.kind == "participation"
    assert [(hit.kind, hit.title) for hit in section.hits] == [("consultation", "Heron walk along the river")]
    assert section.hits[0].url == f"/participate/consultations/{shown.slug}/"


def test_the_page_shows_each_section_with_its_count_and_a_link_to_the_rest(
    client: Client, department: Department
) -> None:
    for number in range(7):
        dataset(department, f"kingfisher-{number}", f"Kingfisher sightings {number}")
    page = client.get("/search/", {"q": "kingfisher"}).content.decode()
    assert "Datasets" in page and "7 results." in page
    assert page.count('href="/dataset/kingfisher-') == 5  # the first five; the catalog has the rest
    assert 'href="/dataset/?q=kingfisher"' in page
    assert "No information page or service matches" in page


def test_no_section_when_a_module_finds_nothing(client: Client, department: Department) -> None:
    dataset(department, "swift-counts", "Swift counts")
    assert site_sections("zzzz", language="en") == []
    assert site_sections("  ", language="en") == []
    page = client.get("/search/", {"q": "zzzz"}).content.decode()
    assert "Nothing matches" in page and "Datasets" not in page


def test_query_syntax_is_plain_words_for_every_module(client: Client, department: Department) -> None:
    dataset(department, "egret-counts", "Egret counts")
    assert kinds('egret" (*') == kinds("EGRET") == {"dataset": ["Egret counts"]}
    assert kinds("egret OR swift") == {}  # "or" is a word to find, not an operator
    for query in ['"', "AND OR NOT", "*", "bin:*", "a' OR 1=1 --", "<script>", "[1 TO 2]", "title:"]:
        assert client.get("/search/", {"q": query}).status_code == 200
