"""Consultations, calls for proposals and proposals in the site search (public ones only).

A city has tens to thousands of these, so every word is looked for in titles and summaries directly.
"""

from __future__ import annotations

from functools import reduce
from operator import and_

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from cityhall.core.search import SearchHit, SearchSection, register_provider
from cityhall.core.search import words as plain_words

KIND = "participation"


def _matching(words: list[str]) -> Q:
    return reduce(and_, (Q(title__icontains=word) | Q(summary__icontains=word) for word in words))


def section(text: str, language: str, limit: int) -> SearchSection:
    from cityhall.engagement import selectors
    from cityhall.engagement.models import Proposal

    more_url = reverse("engagement:home")
    tokens = plain_words(text)
    if not tokens:
        return SearchSection(KIND, (), 0, more_url)
    match = _matching(tokens)
    consultations = selectors.public_consultations().filter(match)
    processes = selectors.public_processes().filter(match)
    proposals = Proposal.objects.select_related("process").filter(
        match, status__in=selectors.PUBLIC_PROPOSAL_STATUSES
    )
    total = consultations.count() + processes.count() + proposals.count()
    rows = [
        (c.created_at, "consultation", c.title, c.summary, reverse("engagement:consultation", args=[c.slug]))
        for c in consultations.order_by("-created_at")[:limit]
    ]
    rows += [
        (p.created_at, "proposals", p.title, p.summary, reverse("engagement:process", args=[p.slug]))
        for p in processes.order_by("-created_at")[:limit]
    ]
    rows += [
        (
            p.created_at,
            "proposal",
            p.title,
            p.summary,
            reverse("engagement:proposal", args=[p.process.slug, p.pk]),
        )
        for p in proposals.order_by("-created_at")[:limit]
    ]
    rows.sort(key=lambda row: row[0], reverse=True)
    hits = tuple(
        SearchHit(kind, title, summary, url, settings.LANGUAGE_CODE)
        for _created, kind, title, summary, url in rows[:limit]
    )
    return SearchSection(KIND, hits, total, more_url)


def register() -> None:
    register_provider(KIND, section)
