"""Full-text search over decisions: SQLite FTS5 or PostgreSQL tsvector + GIN, kept up to date row by row.

The index is its own table keyed by `Decision.serial` (FTS5 needs an integer row id), created by the
migration for the database in use. Services call `index_decision` in the same transaction as the
change, so the index never lags behind; `rebuild` refills it in one statement (bulk loads, repairs).
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from cityhall.decisions.contracts import DecisionStatus

SQLITE_TABLE = "decisions_fts"
POSTGRES_TABLE = "decisions_search"
MAX_TERMS = 12
# "Best match first" ranks the newest RELEVANCE_WINDOW matches, so a word found in every decision
# costs the same as one found in a few thousand (exact ranking of 100,000 matches takes ~0.2 s).
RELEVANCE_WINDOW = 2000
# Totals are exact up to here; a search matching more answers "more than COUNT_LIMIT".
COUNT_LIMIT = 1000
TOKEN = re.compile(r"\w+", re.UNICODE)

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
]
SQLITE_DROP = [f"DROP TABLE IF EXISTS {SQLITE_TABLE}"]
POSTGRES_GIN = (
    f"CREATE INDEX IF NOT EXISTS {POSTGRES_TABLE}_gin ON {POSTGRES_TABLE} USING gin (document) "
    "WITH (fastupdate = off)"
)
POSTGRES_CREATE = [
    f"CREATE TABLE IF NOT EXISTS {POSTGRES_TABLE} (serial bigint PRIMARY KEY, document tsvector NOT NULL)",
    # fastupdate off: every write goes straight into the index, so no pending list grows that each
    # search must scan (and that makes the planner shy away from the index until a VACUUM).
    POSTGRES_GIN,
]
POSTGRES_DROP = [f"DROP TABLE IF EXISTS {POSTGRES_TABLE}"]
POSTGRES_DOCUMENT = "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B')"


def create_index(vendor: str) -> list[str]:
    return POSTGRES_CREATE if vendor == "postgresql" else SQLITE_CREATE


def drop_index(vendor: str) -> list[str]:
    return POSTGRES_DROP if vendor == "postgresql" else SQLITE_DROP


def terms(query: str) -> list[str]:
    return TOKEN.findall(query.lower())[:MAX_TERMS]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def index_decision(*, serial: int, title: str, body: str) -> None:
    """Put one decision's text in the index (replacing what was there). Caller's transaction."""
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                f"INSERT INTO {POSTGRES_TABLE} (serial, document) VALUES (%s, {POSTGRES_DOCUMENT}) "  # noqa: S608 - table names are constants
                "ON CONFLICT (serial) DO UPDATE SET document = EXCLUDED.document",
                [serial, title, body],
            )
        else:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = %s", [serial])  # noqa: S608 - table names are constants
            cursor.execute(
                f"INSERT INTO {SQLITE_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608 - constants
                [serial, title, body],
            )


def unindex_decision(serial: int) -> None:
    with connection.cursor() as cursor:
        table, key = (POSTGRES_TABLE, "serial") if _postgres() else (SQLITE_TABLE, "rowid")
        cursor.execute(f"DELETE FROM {table} WHERE {key} = %s", [serial])  # noqa: S608 - constants only


# What goes into the body column: reference, kind, body name and the text (the title is weighted apart).
_SQL_BODY = "d.reference || ' ' || d.kind || ' ' || b.name || ' ' || d.text"


def rebuild() -> int:
    """Refill the whole index from the decisions table in one statement; returns the rows indexed."""
    with connection.cursor() as cursor:
        if _postgres():
            # Drop the GIN index, fill, build it again: far faster than row-by-row index updates.
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRES_TABLE}_gin")
            cursor.execute(f"TRUNCATE {POSTGRES_TABLE}")
            cursor.execute(
                f"INSERT INTO {POSTGRES_TABLE} (serial, document) SELECT d.serial, "  # noqa: S608
                f"setweight(to_tsvector('english', d.title), 'A') || "
                f"setweight(to_tsvector('english', {_SQL_BODY}), 'B') "
                "FROM decisions_decision d JOIN decisions_body b ON b.id = d.body_id"
            )
        else:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE}")  # noqa: S608 - constant
            cursor.execute(
                f"INSERT INTO {SQLITE_TABLE} (rowid, title, body) SELECT d.serial, d.title, {_SQL_BODY} "  # noqa: S608
                "FROM decisions_decision d JOIN decisions_body b ON b.id = d.body_id"
            )
            indexed = int(cursor.rowcount or 0)
            cursor.execute(f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('optimize')")  # noqa: S608 - constant
            return indexed
        indexed = int(cursor.rowcount or 0)
        cursor.execute(POSTGRES_GIN)
        # Fresh statistics, so the planner knows how common each word is and picks the GIN index well.
        cursor.execute(f"ANALYZE {POSTGRES_TABLE}")
        cursor.execute("ANALYZE decisions_decision")
        return indexed


@dataclass(frozen=True, slots=True)
class Found:
    ids: list[uuid.UUID]
    total: int


@dataclass(frozen=True, slots=True)
class _Sql:
    """The pieces of one search's SQL for the database in use."""

    source: str  # FROM clause
    key: str  # the decision's serial in `source`
    match: str  # WHERE condition for the words (one %s)
    score: str  # higher is better (its own %s params in score_params)
    score_params: list[Any]
    text: str  # the words, in the query language of the database


def _sql(words: list[str], *, joined: bool) -> _Sql:
    if _postgres():
        source = f"{POSTGRES_TABLE} s" + (
            " JOIN decisions_decision d ON d.serial = s.serial" if joined else ""
        )
        return _Sql(
            source=source,
            key="s.serial",
            match="s.document @@ plainto_tsquery('english', %s)",
            score="ts_rank(s.document, plainto_tsquery('english', %s))",
            score_params=[" ".join(words)],
            text=" ".join(words),
        )
    # CROSS JOIN keeps the index as the outer loop (SQLite's planner hint); the row id is the
    # decision's serial, so "newest first" is the index's own order and stops at the page.
    source = SQLITE_TABLE + (
        f" CROSS JOIN decisions_decision d ON d.serial = {SQLITE_TABLE}.rowid" if joined else ""
    )
    return _Sql(
        source=source,
        key=f"{SQLITE_TABLE}.rowid",
        match=f"{SQLITE_TABLE} MATCH %s",
        score=f"-{SQLITE_TABLE}.rank",
        score_params=[],
        text=" ".join('"' + word.replace('"', "") + '"' for word in words),
    )


@contextlib.contextmanager
def _search_cursor() -> Iterator[Any]:
    """A cursor for the search statements; on PostgreSQL in a transaction without parallel workers
    or JIT compilation: each statement reads at most a few thousand index entries, so starting a
    worker process (a rare pair of common words with a body filter took 11 ms instead of 1 ms,
    most of it starting the worker) or compiling (100 ms and more) costs more than it can save."""
    if not _postgres():
        with connection.cursor() as cursor:
            yield cursor
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)"
        )
        yield cursor


def search(
    query: str,
    *,
    statuses: Iterable[str],
    body_id: uuid.UUID | None = None,
    relevance: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> Found:
    """Decisions matching every term of `query` (stemmed), newest first or by relevance."""
    words = terms(query)
    if not words:
        return Found(ids=[], total=0)
    status_set = set(statuses)
    hidden = sorted(set(DecisionStatus) - status_set)
    params: list[Any] = []
    if body_id is None and set(hidden) <= {DecisionStatus.DRAFT}:
        # Only drafts (few: work in progress) are left out: the index answers alone, without looking
        # up each match's decision, and leaves out the drafts' serials (a small hashed list). The
        # decisions table is then read only for the page's rows. A count of 1,000 matches by joining
        # took 10-15 ms on PostgreSQL, against ~1 ms like this.
        sql = _sql(words, joined=False)
        filters = "1 = 1"
        if hidden:
            filters = (
                f"{sql.key} NOT IN (SELECT h.serial FROM decisions_decision h "  # noqa: S608 - constants only
                f"WHERE h.status IN ({', '.join(['%s'] * len(hidden))}))"
            )
            params = list(hidden)
    else:
        # A body or a chosen status: those are the decisions table's columns, so each match is joined.
        sql = _sql(words, joined=True)
        status_list = sorted(status_set)
        filters = f"d.status IN ({', '.join(['%s'] * len(status_list))})"
        params = list(status_list)
        if body_id is not None:
            filters += " AND d.body_id = %s"
            params.append(body_id if _postgres() else body_id.hex)
    where = f"{sql.match} AND {filters}"
    capped = f"SELECT {sql.key} AS serial FROM {sql.source} WHERE {where} LIMIT %s"  # noqa: S608 - placeholders only
    capped_params = [sql.text, *params, COUNT_LIMIT + 1]
    with _search_cursor() as cursor:
        # The matches are counted up to COUNT_LIMIT + 1, in any order, through the word index. When
        # that is all of them, they are sorted and paged in the same statement (newest first) or
        # ranked all (best match first). Only when there are more, and so many that they are dense,
        # does the database walk newest first to the page. Asking for the newest page first made
        # PostgreSQL walk the whole table when it took a rare combination of common words for a
        # frequent one ("approves rejects": 24 ms to find nothing, against ~1 ms now).
        if relevance:
            cursor.execute(f"SELECT count(*) FROM ({capped}) found", capped_params)  # noqa: S608
            total = int(cursor.fetchone()[0])
            if total == 0:
                return Found(ids=[], total=0)
            if total <= COUNT_LIMIT:
                cursor.execute(
                    f"SELECT {sql.key} FROM {sql.source} WHERE {where} "  # noqa: S608 - placeholders only
                    f"ORDER BY {sql.score} DESC, {sql.key} DESC LIMIT %s OFFSET %s",
                    [sql.text, *params, *sql.score_params, limit, offset],
                )
            else:
                # Rank the newest RELEVANCE_WINDOW matches.
                newest = (
                    f"SELECT {sql.key} AS serial, {sql.score} AS score FROM {sql.source} WHERE {where} "  # noqa: S608
                    f"ORDER BY {sql.key} DESC LIMIT %s"
                )
                cursor.execute(
                    f"SELECT serial FROM ({newest}) ranked "  # noqa: S608 - placeholders only
                    "ORDER BY score DESC, serial DESC LIMIT %s OFFSET %s",
                    [*sql.score_params, sql.text, *params, RELEVANCE_WINDOW, limit, offset],
                )
            serials = [int(row[0]) for row in cursor.fetchall()]
        else:
            cursor.execute(
                f"SELECT serial, count(*) OVER () FROM ({capped}) found "  # noqa: S608 - placeholders only
                "ORDER BY serial DESC LIMIT %s OFFSET %s",
                [*capped_params, limit, offset],
            )
            rows = cursor.fetchall()
            serials = [int(row[0]) for row in rows]
            if rows:
                total = int(rows[0][1])
            elif offset == 0:
                total = 0
            else:  # a page past the end
                cursor.execute(f"SELECT count(*) FROM ({capped}) found", capped_params)  # noqa: S608
                total = int(cursor.fetchone()[0])
            if total > COUNT_LIMIT:
                cursor.execute(
                    f"SELECT {sql.key} FROM {sql.source} WHERE {where} "  # noqa: S608 - placeholders only
                    f"ORDER BY {sql.key} DESC LIMIT %s OFFSET %s",
                    [sql.text, *params, limit, offset],
                )
                serials = [int(row[0]) for row in cursor.fetchall()]
        if not serials:
            return Found(ids=[], total=total)
        cursor.execute(
            f"SELECT serial, id FROM decisions_decision WHERE serial IN ({', '.join(['%s'] * len(serials))})",  # noqa: S608
            serials,
        )
        by_serial = {
            int(serial): pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk))
            for serial, pk in cursor.fetchall()
        }
    return Found(ids=[by_serial[serial] for serial in serials if serial in by_serial], total=total)
