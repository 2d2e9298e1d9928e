"""Decisions in the site search: the decisions' own full-text index answers, published decisions only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from cityhall.core.search import SearchHit, SearchSection, register_provider

KIND = "decision"
SUMMARY_CHARS = 300


def section(words: str, language: str, limit: int) -> SearchSection:
    from cityhall.decisions.search import COUNT_LIMIT, terms
    from cityhall.decisions.selectors import decision_search

    more_url = reverse("decisions:index") + "?" + urlencode({"q": words})
    if not terms(words):
        return SearchSection(KIND, (), 0, more_url)
    found = decision_search(query=words, page_size=limit)  # drafts are never included
    hits = tuple(
        SearchHit(
            KIND,
            f"{decision.reference} {decision.title}",
            decision.text[:SUMMARY_CHARS],
            reverse("decisions:decision", args=[decision.pk]),
            settings.LANGUAGE_CODE,
        )
        for decision in found.items
    )
    exact = found.total <= COUNT_LIMIT
    return SearchSection(KIND, hits, found.total if exact else COUNT_LIMIT, more_url, total_exact=exact)


def register() -> None:
    register_provider(KIND, section)
