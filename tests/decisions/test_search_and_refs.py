"""Full-text search (kept up to date on every change) and the references other modules use."""

from __future__ import annotations

import uuid

import pytest

from cityhall.accounts.models import User
from cityhall.decisions import facade, search, selectors, services
from cityhall.decisions.models import Decision
from tests.decisions.conftest import Council

pytestmark = pytest.mark.django_db


def titles(query: str, **kwargs: object) -> list[str]:
    return [d.title for d in selectors.decision_search(query=query, **kwargs).items]  # type: ignore[arg-type]


def test_search_finds_stemmed_words_in_title_and_text(
    council: Council, motion: Decision, clerk: User
) -> None:
    services.decision_create(actor=clerk, body_id=council.body.pk, title="Library opening hours", submit=True)
    assert titles("cycle lane") == ["Protected cycle lanes on Harbour Road"]
    assert titles("build 2027") == ["Protected cycle lanes on Harbour Road"]
    assert titles("library") == ["Library opening hours"]
    assert titles("library cycle") == []


def test_the_index_follows_edits(motion: Decision, clerk: User) -> None:
    services.decision_update(
        actor=clerk, decision_id=motion.pk, title="Bus priority on Harbour Road", text="Buses go first."
    )
    assert titles("bus priority") == ["Bus priority on Harbour Road"]
    assert titles("protected") == []


def test_drafts_are_not_public_but_staff_find_them(council: Council, clerk: User) -> None:
    services.decision_create(actor=clerk, body_id=council.body.pk, title="Secret draft budget")
    assert titles("budget") == []
    assert titles("budget", include_drafts=True) == ["Secret draft budget"]


def test_search_filters_by_body_and_status_and_pages(council: Council, clerk: User) -> None:
    for number in range(5):
        services.decision_create(
            actor=clerk, body_id=council.body.pk, title=f"Tree planting phase {number}", submit=True
        )
    page = selectors.decision_search(query="tree", page=2, page_size=2)
    assert page.total == 5 and page.pages == 3 and len(page.items) == 2
    assert selectors.decision_search(query="tree", status="adopted").total == 0
    assert selectors.decision_search(query="tree", body_id=uuid.uuid4()).total == 0
    assert selectors.decision_search(query="tree", body_id=council.body.pk).total == 5


def test_punctuation_and_operators_in_queries_are_plain_words(motion: Decision) -> None:
    assert titles('cycle" -(* ^lanes:') == ["Protected cycle lanes on Harbour Road"]
    assert titles("***") == titles("") == ["Protected cycle lanes on Harbour Road"]


def test_a_rebuild_gives_the_same_answers(motion: Decision) -> None:
    assert search.rebuild() >= 1
    assert titles("harbour") == ["Protected cycle lanes on Harbour Road"]


def test_decision_refs_for_other_modules(motion: Decision, clerk: User) -> None:
    refs = facade.decision_refs(query="harbour")
    assert [(r.id, r.title, r.body_name, r.status) for r in refs] == [
        (motion.pk, motion.title, "City Council", "submitted")
    ]
    assert refs[0].url == f"/decisions/{motion.pk}/"
    assert facade.decision_ref(motion.pk) == refs[0]
    assert facade.decision_ref(uuid.uuid4()) is None


def test_a_draft_has_no_public_ref(council: Council, clerk: User) -> None:
    draft = services.decision_create(actor=clerk, body_id=council.body.pk, title="Draft")
    assert facade.decision_ref(draft.pk) is None


def test_large_totals_are_counted_up_to_the_limit(
    council: Council, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    for number in range(6):
        services.decision_create(actor=clerk, body_id=council.body.pk, title=f"Bench {number}", submit=True)
    page = selectors.decision_search(query="bench", page_size=2)
    assert page.total == 4 and page.more_than_limit
    assert [d.title for d in page.items] == ["Bench 5", "Bench 4"]  # newest first


def test_best_match_first(council: Council, clerk: User) -> None:
    services.decision_create(actor=clerk, body_id=council.body.pk, title="Library roof repairs", submit=True)
    services.decision_create(
        actor=clerk,
        body_id=council.body.pk,
        title="Parks budget",
        text="Money for parks, benches, paths, lighting and, among many other things, the library garden.",
        submit=True,
    )
    assert titles("library") == ["Parks budget", "Library roof repairs"]  # newest first
    assert titles("library", relevance=True) == ["Library roof repairs", "Parks budget"]


def test_a_page_past_the_end_still_says_how_many_were_found(council: Council, clerk: User) -> None:
    for number in range(3):
        services.decision_create(actor=clerk, body_id=council.body.pk, title=f"Bench {number}", submit=True)
    page = selectors.decision_search(query="bench", page=5, page_size=2)
    assert page.items == [] and page.total == 3


def test_drafts_stay_out_of_the_public_count_and_pages(council: Council, clerk: User) -> None:
    for number in range(3):
        services.decision_create(actor=clerk, body_id=council.body.pk, title=f"Bench {number}", submit=True)
    services.decision_create(actor=clerk, body_id=council.body.pk, title="Bench draft")
    public = selectors.decision_search(query="bench", page_size=2)
    assert public.total == 3 and [d.title for d in public.items] == ["Bench 2", "Bench 1"]
    staff = selectors.decision_search(query="bench", page_size=2, include_drafts=True)
    assert staff.total == 4 and [d.title for d in staff.items] == ["Bench draft", "Bench 2"]


def test_best_match_first_past_the_count_limit_ranks_the_newest_matches(
    council: Council, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "COUNT_LIMIT", 2)
    monkeypatch.setattr(search, "RELEVANCE_WINDOW", 3)
    services.decision_create(actor=clerk, body_id=council.body.pk, title="Library roof", submit=True)
    services.decision_create(
        actor=clerk, body_id=council.body.pk, title="Library library library", submit=True
    )
    for text in ("parks and the library garden", "paths near the library", "benches by the library"):
        services.decision_create(
            actor=clerk, body_id=council.body.pk, title="Parks budget", text=text, submit=True
        )
    page = selectors.decision_search(query="library", relevance=True, page_size=5)
    assert page.total == 3 and page.more_than_limit
    # The two oldest, with the word in the title, are outside the window of the newest three.
    assert [d.title for d in page.items] == ["Parks budget"] * 3
