"""The one site-search interface: apps publish documents, the portal indexes and queries them.

An app registers a *source* (a function returning `SearchDocument`s) in its AppConfig.ready(). The
portal keeps the index (SQLite FTS5 or PostgreSQL full-text) and rebuilds it from every source. When
an app changes something searchable it calls `request_reindex()`; the indexer (the portal) has
registered a hook that schedules the rebuild after commit. Core knows neither side.

An app whose records are many and already have a search index of their own (datasets, decisions,
participation processes) registers a *provider* instead: given the words, it answers a
`SearchSection` — its first public hits, how many match in all, and its own search page for the rest.
The site search shows the index's hits and then each provider's section.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SearchDocument:
    kind: str  # "page", "service", "service_type", "dataset", "decision", ...
    key: str  # unique within its kind
    language: str  # one document per language the text exists in
    title: str
    summary: str
    body: str
    url: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: str
    title: str
    summary: str
    url: str
    language: str


@dataclass(frozen=True, slots=True)
class SearchSection:
    """What one module found: its first public hits, how many match in all, where to see them all."""

    kind: str
    hits: tuple[SearchHit, ...]
    total: int
    more_url: str
    total_exact: bool = True  # False: at least `total` match (the module stops counting there)


Source = Callable[[], Iterable[SearchDocument]]
Provider = Callable[[str, str, int], SearchSection]  # (words, reader's language, how many hits)

_sources: dict[str, Source] = {}
_providers: dict[str, Provider] = {}
_reindex_hooks: list[Callable[[], None]] = []


_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8


def words(text: str) -> list[str]:
    """The words of a search box, lower case, at most MAX_WORDS: what every site-search index and
    provider looks for (punctuation and query operators are not words)."""
    return [word.lower() for word in _WORD.findall(text)][:MAX_WORDS]


def register_source(kind: str, source: Source) -> None:
    _sources[kind] = source


def sources() -> dict[str, Source]:
    return dict(_sources)


def register_provider(kind: str, provider: Provider) -> None:
    _providers[kind] = provider


def providers() -> dict[str, Provider]:
    return dict(_providers)


def on_reindex_requested(hook: Callable[[], None]) -> None:
    if hook not in _reindex_hooks:
        _reindex_hooks.append(hook)


def request_reindex() -> None:
    """Something searchable changed: the indexer refreshes the index (after the transaction commits)."""
    for hook in _reindex_hooks:
        hook()
