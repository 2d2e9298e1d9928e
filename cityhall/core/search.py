"""The one site-search interface: apps publish documents, the portal indexes and queries them.

An app registers a *source* (a function returning `SearchDocument`s) in its AppConfig.ready(). The
portal keeps the index (SQLite FTS5 or PostgreSQL full-text) and rebuilds it from every source. When
an app changes something searchable it calls `request_reindex()`; the indexer (the portal) has
registered a hook that schedules the rebuild after commit. Core knows neither side.
"""

from __future__ import annotations

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


Source = Callable[[], Iterable[SearchDocument]]

_sources: dict[str, Source] = {}
_reindex_hooks: list[Callable[[], None]] = []


def register_source(kind: str, source: Source) -> None:
    _sources[kind] = source


def sources() -> dict[str, Source]:
    return dict(_sources)


def on_reindex_requested(hook: Callable[[], None]) -> None:
    if hook not in _reindex_hooks:
        _reindex_hooks.append(hook)


def request_reindex() -> None:
    """Something searchable changed: the indexer refreshes the index (after the transaction commits)."""
    for hook in _reindex_hooks:
        hook()
