"""The site-search index: every app's documents (core.search sources) in one table with full text.

SQLite: an FTS5 table kept in step by triggers, ranked with bm25. PostgreSQL: a stored tsvector with a
GIN index, ranked with ts_rank. The 'simple' configuration (no stemming) serves every language alike;
prefix matching finds "recycl" in "recycling".
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse

from cityhall.core.search import (
    SearchDocument,
    SearchHit,
    SearchSection,
    on_reindex_requested,
    providers,
    register_source,
    sources,
    words,
)
from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.portal.text import plain_text

SECTION_HITS = 5


def _translated(
    default: str, translations: dict[str, object], language: str, field: str | None = None
) -> str:
    value = translations.get(language)
    if field is not None and isinstance(value, dict):
        value = value.get(field)
    return str(value) if value else default


def portal_documents() -> Iterator[SearchDocument]:
    from cityhall.portal.models import DirectoryService, InfoPage, LifeEvent, PageKind

    default = settings.LANGUAGE_CODE
    for page in InfoPage.objects.filter(published=True):
        kind = "help" if page.kind == PageKind.DIGITAL_HELP else "page"
        url = reverse("portal:help_page" if kind == "help" else "portal:page", args=[page.slug])
        for language in sorted({default, *page.translations}):
            yield SearchDocument(
                kind=kind,
                key=page.slug,
                language=language,
                title=_translated(page.title, page.translations, language, "title")
                if language != default
                else page.title,
                summary=_translated(page.summary, page.translations, language, "summary")
                if language != default
                else page.summary,
                body=plain_text(
                    _translated(page.body, page.translations, language, "body")
                    if language != default
                    else page.body
                ),
                url=url,
            )
    for service in DirectoryService.objects.filter(published=True):
        url = reverse("portal:service", args=[service.slug])
        for language in sorted({default, *service.translations}):
            texts = service.translations.get(language, {}) if language != default else {}
            yield SearchDocument(
                kind="service",
                key=service.slug,
                language=language,
                title=texts.get("name") or service.name,
                summary=texts.get("summary") or service.summary,
                body=" ".join(
                    texts.get(field) or getattr(service, field)
                    for field in ("who_can_use", "how_online", "how_offline", "documents_needed", "fees")
                ),
                url=url,
            )
    for event in LifeEvent.objects.all():
        url = reverse("portal:life_event", args=[event.slug])
        for language in sorted({default, *event.name_translations}):
            yield SearchDocument(
                kind="life_event",
                key=event.slug,
                language=language,
                title=_translated(event.name, event.name_translations, language),
                summary=_translated(event.summary, event.summary_translations, language),
                body="",
                url=url,
            )


def search_rebuild() -> int:
    """Replace the index with the documents of every source. Idempotent; city-sized, so it is quick."""
    from cityhall.portal.models import SearchEntry

    entries = {}
    for _kind, source in sorted(sources().items()):
        for document in source():
            entries[(document.kind, document.key, document.language)] = SearchEntry(
                kind=document.kind,
                key=document.key[:200],
                language=document.language,
                title=document.title[:300],
                summary=document.summary,
                body=document.body,
                url=document.url,
            )
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        SearchEntry.objects.bulk_create(entries.values(), batch_size=500)
        if connection.vendor == "postgresql":
            SearchEntry.objects.update(
                search_vector=SearchVector("title", weight="A", config="simple")
                + SearchVector("summary", weight="B", config="simple")
                + SearchVector("body", weight="C", config="simple")
            )
    return len(entries)


def site_search(query: str, *, language: str, limit: int = 30) -> list[SearchHit]:
    """Documents matching every word (as a prefix), best first; the reader's language before English."""
    from cityhall.portal.models import SearchEntry

    tokens = words(query)
    if not tokens:
        return []
    languages = list(dict.fromkeys([language, settings.LANGUAGE_CODE]))
    if connection.vendor == "postgresql":
        ts_query = SearchQuery(
            " & ".join(f"{token}:*" for token in tokens), search_type="raw", config="simple"
        )
        found: list[SearchEntry] = list(
            SearchEntry.objects.filter(language__in=languages, search_vector=ts_query)
            .annotate(rank=SearchRank(F("search_vector"), ts_query))
            .order_by("-rank", "title")[: limit * 2]
        )
    else:
        match = " ".join(f'"{token}"*' for token in tokens)
        placeholders = ",".join(["%s"] * len(languages))
        sql = (  # only placeholders are interpolated
            "SELECT e.id FROM portal_searchentry_fts AS f JOIN portal_searchentry AS e ON e.id = f.rowid "  # noqa: S608
            f"WHERE portal_searchentry_fts MATCH %s AND e.language IN ({placeholders}) "
            "ORDER BY bm25(portal_searchentry_fts, 10.0, 4.0, 1.0) LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, *languages, limit * 2])
            ids = [row[0] for row in cursor.fetchall()]
        by_id = SearchEntry.objects.in_bulk(ids)
        found = [by_id[entry_id] for entry_id in ids if entry_id in by_id]
    chosen: dict[tuple[str, str], SearchEntry] = {}
    for entry in found:
        key = (entry.kind, entry.key)
        if key not in chosen or (entry.language == language and chosen[key].language != language):
            chosen[key] = entry
    ordered = [entry for entry in found if chosen.get((entry.kind, entry.key)) is entry][:limit]
    # A document found through its English text is shown in the reader's language when it exists.
    fallbacks = {entry.key for entry in ordered if entry.language != language}
    translated = (
        {
            (entry.kind, entry.key): entry
            for entry in SearchEntry.objects.filter(language=language, key__in=fallbacks)
        }
        if fallbacks and language != settings.LANGUAGE_CODE
        else {}
    )
    shown = [translated.get((entry.kind, entry.key), entry) for entry in ordered]
    return [SearchHit(e.kind, e.title, e.summary, e.url, e.language) for e in shown]


def site_sections(query: str, *, language: str, limit: int = SECTION_HITS) -> list[SearchSection]:
    """The modules with search indexes of their own (datasets, decisions, participation), each asked for
    its first public hits; those that found something, in a fixed order."""
    if not words(query):
        return []
    found = (provider(query, language, limit) for _kind, provider in sorted(providers().items()))
    return [section for section in found if section.total]


def _schedule_rebuild() -> None:
    from cityhall.portal.tasks import search_rebuild_task

    enqueue_on_commit(search_rebuild_task)


def register() -> None:
    register_source("portal", portal_documents)
    on_reindex_requested(_schedule_rebuild)
