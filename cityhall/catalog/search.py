"""Catalog search: one interface, two engines (SQLite FTS5 and PostgreSQL full text).

`search(SearchParams)` returns matching dataset ids (a page), the total count and facet counts. Queries
and filters never reach SQL as text: `q` and `fq` are parsed into a small tree of whitelisted fields
and operators (CKAN's Solr subset, see docs/catalog.md) and compiled to SQL with placeholders; anything
else raises `SearchQueryError`. Facet values in filters become term ids (one lookup per search),
tested against the entry's own term id array on PostgreSQL (GIN) and through the facet rows' (term,
entry) index on SQLite. Facet counts read the term ids stored on each entry (`SearchEntry.facet_terms`)
instead of joining the facet table. With query words, the count, the ranked page and the facet counts
come from one statement that reads the matches once (a materialised CTE); without, from separate
queries the planner can answer from indexes. The rank is computed only to sort a page by it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from cityhall.catalog.models import Dataset, SearchEntry, SearchTerm

FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
MULTI_VALUE_FIELDS = frozenset({*FACET_FIELDS, "res_name"})
TEXT_FIELDS = frozenset({"text", "title", "notes", "title_string"})
MAX_ROWS = 1000
MAX_TOKENS = 8
TOKEN = re.compile(r"\w+", re.UNICODE)
SORT_COLUMNS = {
    "metadata_modified": "e.metadata_modified",
    "metadata_created": "e.metadata_created",
    "name": "e.name",
    "title_string": "e.title_sort",
    "title": "e.title_sort",
    "id": "e.dataset_id",
}
DEFAULT_SORT = "score desc, metadata_modified desc"


class SearchQueryError(ValueError):
    """The q, fq or sort could not be understood; the message says which part and why."""


@dataclass(slots=True)
class SearchParams:
    q: str = ""
    fq: list[str] = field(default_factory=list)
    rows: int = 10
    start: int = 0
    sort: str = ""
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50
    facet_mincount: int = 1
    # Extra visibility beyond public active datasets: department ids whose private/draft rows show.
    private_departments: frozenset[uuid.UUID] | None = None  # None: no private datasets
    all_private: bool = False
    draft_departments: frozenset[uuid.UUID] | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    count: int
    dataset_ids: list[uuid.UUID]
    facets: dict[str, list[tuple[str, int]]]
    sort: str


# --- Parsing --------------------------------------------------------------------------------

Node = tuple[Any, ...]
_TOKEN_RE = re.compile(
    r'\s*(?:(?P<lpar>\()|(?P<rpar>\))|(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<range>[\[{][^\]}]*[\]}])|(?P<word>[^\s()"\[{]+))'
)


def _lex(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                break
            raise SearchQueryError(
                f"Search Query is invalid: cannot read “{text[position : position + 30]}”."
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            return ("all",)
        node = self.expression()
        left = self.peek()
        if left is not None:
            raise SearchQueryError(f"Search Query is invalid: unexpected “{left[1]}”.")
        return node

    def expression(self) -> Node:
        parts = [self.conjunction()]
        while self.peek() == ("word", "OR"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conjunction(self) -> Node:
        parts = [self.unary()]
        while True:
            token = self.peek()
            if token is None or token[0] == "rpar" or token == ("word", "OR"):
                break
            if token == ("word", "AND"):
                self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise SearchQueryError("Search Query is invalid: the query ends too early.")
        if token == ("word", "NOT"):
            self.take()
            return ("not", self.unary())
        if token[0] == "word" and token[1][0] in "+-" and len(token[1]) > 1:
            self.take()
            sign, rest = token[1][0], token[1][1:]
            self.tokens.insert(self.index, ("word", rest))
            node = self.primary()
            return ("not", node) if sign == "-" else node
        if token[0] == "word" and token[1] in {"+", "-"}:
            self.take()
            node = self.primary()
            return ("not", node) if token[1] == "-" else node
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "lpar":
            node = self.expression()
            if self.peek() is None or self.take()[0] != "rpar":
                raise SearchQueryError("Search Query is invalid: a “(” is not closed.")
            return node
        if kind == "quoted":
            return ("text", _unquote(value))
        if kind == "word" and ":" in value and not value.startswith(":"):
            name, _, rest = value.partition(":")
            if rest:
                if rest == "*" and name == "*":
                    return ("all",)
                return ("field", name, _unquote(rest))
            following = self.peek()
            if following is None:
                raise SearchQueryError(f"Search Query is invalid: no value after “{name}:”.")
            follow_kind, follow_value = self.take()
            if follow_kind == "quoted":
                return ("field", name, _unquote(follow_value))
            if follow_kind == "range":
                return _range(name, follow_value)
            if follow_kind == "lpar":
                values: list[Node] = []
                operator = "or"
                while (following := self.peek()) is not None and following[0] != "rpar":
                    item_kind, item = self.take()
                    if item in {"OR", "AND"}:
                        operator = item.lower()
                        continue
                    values.append(("field", name, _unquote(item) if item_kind == "quoted" else item))
                if self.peek() is None:
                    raise SearchQueryError("Search Query is invalid: a “(” is not closed.")
                self.take()
                if not values:
                    raise SearchQueryError(f"Search Query is invalid: no values in “{name}:( )”.")
                return (operator, values)
            raise SearchQueryError(f"Search Query is invalid: cannot read the value of “{name}:”.")
        if kind == "range":
            raise SearchQueryError(
                "Search Query is invalid: a range needs a field, like metadata_modified:[a TO b]."
            )
        if kind == "rpar":
            raise SearchQueryError("Search Query is invalid: a “)” has no matching “(”.")
        return ("all",) if value in {"*", "*:*"} else ("text", value)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _range(name: str, text: str) -> Node:
    inclusive_low, inclusive_high = text[0] == "[", text[-1] == "]"
    inner = text[1:-1].strip()
    parts = re.split(r"\s+TO\s+", inner)
    if len(parts) != 2:
        raise SearchQueryError(f"Search Query is invalid: write the range of “{name}” as [from TO to].")
    return ("range", name, parts[0].strip(), parts[1].strip(), inclusive_low, inclusive_high)


def parse_query(text: str) -> Node:
    """Parse a Solr-style query or filter (the subset in docs/catalog.md) into a tree."""
    return _Parser(text).parse()


_DATE_MATH = re.compile(
    r"^NOW(?:(?P<sign>[+-])(?P<amount>\d+)(?P<unit>YEARS?|MONTHS?|DAYS?|HOURS?|MINUTES?|SECONDS?))?(?:/DAY)?$"
)


def parse_datetime(value: str, name: str) -> dt.datetime:
    """A Solr date: ISO 8601 (Z, fractional seconds, a bare date) or NOW, NOW-1DAY, NOW+2HOURS."""
    text = value.strip()
    match = _DATE_MATH.match(text)
    if match:
        moment = timezone.now()
        if match.group("sign"):
            amount = int(match.group("amount")) * (1 if match.group("sign") == "+" else -1)
            unit = match.group("unit").rstrip("S")
            days = {"YEAR": 365, "MONTH": 30, "DAY": 1}.get(unit)
            seconds = {"HOUR": 3600, "MINUTE": 60, "SECOND": 1}.get(unit)
            moment += (
                dt.timedelta(days=amount * days) if days else dt.timedelta(seconds=amount * (seconds or 0))
            )
        if text.endswith("/DAY"):
            moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return moment
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise SearchQueryError(
            f"Search Query is invalid: “{value}” is not a date for {name}; "
            "use ISO 8601 like 2024-05-01T09:11:12Z."
        ) from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# --- Compiling ------------------------------------------------------------------------------


def _uuid_param(value: str, name: str) -> Any:
    try:
        key = uuid.UUID(value)
    except ValueError as error:
        raise SearchQueryError(f"Search Query is invalid: “{value}” is not an id for {name}.") from error
    return Dataset._meta.pk.get_db_prep_value(key, connection)


def _dt_param(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _fts_param(words: list[str]) -> str:
    if connection.vendor == "postgresql":
        return " & ".join(f"{word}:*" for word in words)
    return " ".join(f'"{word}"*' for word in words)


def _text_sql(words: list[str]) -> tuple[str, list[Any]]:
    if connection.vendor == "postgresql":
        return "e.search_vector @@ to_tsquery('simple', %s)", [_fts_param(words)]
    return "e.id IN (SELECT rowid FROM catalog_search_fts WHERE catalog_search_fts MATCH %s)", [
        _fts_param(words)
    ]


def _words(text: str) -> list[str]:
    return [word.lower() for word in TOKEN.findall(text)][:MAX_TOKENS]


def _facet_value(name: str, value: str) -> str:
    if name == "res_format":
        return value.upper()
    if name == "groups":
        return value.lower()
    return value


TermKey = tuple[str, str]


def _is_facet_field(name: str) -> bool:
    return name in MULTI_VALUE_FIELDS or name.startswith("extras_")


def _term_keys(node: Node, keys: set[TermKey]) -> set[TermKey]:
    """The (field, value) facet terms a tree filters on, to look their ids up in one query."""
    kind = node[0]
    if kind in {"and", "or"}:
        for child in node[1]:
            _term_keys(child, keys)
    elif kind == "not":
        _term_keys(node[1], keys)
    elif kind == "field" and _is_facet_field(node[1]) and node[2] != "*":
        keys.add((node[1][:60], _facet_value(node[1], node[2])))
    return keys


def resolve_terms(keys: set[TermKey]) -> dict[TermKey, int]:
    """The SearchTerm ids of these (field, value) pairs; a pair no dataset has is left out."""
    if not keys:
        return {}
    rows = SearchTerm.objects.filter(
        field__in={name for name, _ in keys}, value__in={value for _, value in keys}
    ).values_list("field", "value", "id")
    return {(name, value): pk for name, value, pk in rows if (name, value) in keys}


def compile_node(node: Node, terms: Mapping[TermKey, int] | None = None) -> tuple[str, list[Any]]:
    """SQL for a parsed tree over the entry `e`; `terms` holds the facet term ids it needs (looked up
    here when not given)."""
    if terms is None:
        terms = resolve_terms(_term_keys(node, set()))
    kind = node[0]
    if kind == "all":
        return "1=1", []
    if kind in {"and", "or"}:
        parts = [compile_node(child, terms) for child in node[1]]
        joiner = " AND " if kind == "and" else " OR "
        return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, params in parts for p in params]
    if kind == "not":
        sql, params = compile_node(node[1], terms)
        return f"NOT ({sql})", params
    if kind == "text":
        words = _words(node[1])
        return _text_sql(words) if words else ("1=1", [])
    if kind == "field":
        return _field_sql(node[1], node[2], terms)
    if kind == "range":
        return _range_sql(*node[1:])
    raise SearchQueryError("Search Query is invalid.")  # pragma: no cover


def _facet_sql(name: str, value: str, terms: Mapping[TermKey, int]) -> tuple[str, list[Any]]:
    """The entry has this facet value (or, for `*`, any value of the field). PostgreSQL tests the
    entry's own term id array (GIN-indexed); SQLite looks in the facet rows by term."""
    postgres = connection.vendor == "postgresql"
    if value == "*":
        if postgres:
            return (
                "e.facet_terms && ARRAY(SELECT t.id FROM catalog_searchterm t WHERE t.field = %s)",
                [name[:60]],
            )
        return (
            "EXISTS (SELECT 1 FROM catalog_searchfacet f JOIN catalog_searchterm t ON t.id = f.term_id "
            "WHERE f.entry_id = e.id AND t.field = %s)",
            [name[:60]],
        )
    term = terms.get((name[:60], _facet_value(name, value)))
    if term is None:
        return "1=0", []  # no dataset has this value
    if postgres:
        return "e.facet_terms @> ARRAY[%s]::bigint[]", [term]
    return "e.id IN (SELECT f.entry_id FROM catalog_searchfacet f WHERE f.term_id = %s)", [term]


def _field_sql(name: str, value: str, terms: Mapping[TermKey, int]) -> tuple[str, list[Any]]:
    if _is_facet_field(name):
        return _facet_sql(name, value, terms)
    if name in TEXT_FIELDS:
        words = _words(value)
        return _text_sql(words) if words else ("1=1", [])
    if name == "name":
        return "e.name = %s", [value]
    if name == "id":
        return "e.dataset_id = %s", [_uuid_param(value, name)]
    if name == "owner_org":
        return "e.department_id = %s", [_uuid_param(value, name)]
    if name in {"metadata_modified", "metadata_created"}:
        if value == "*":
            return "1=1", []
        moment = parse_datetime(value, name)
        return f"e.{name} = %s", [_dt_param(moment)]
    if name in {"type", "dataset_type"}:
        return ("1=1" if value in {"dataset", "*"} else "1=0"), []
    if name == "capacity":
        if value not in {"public", "private"}:
            raise SearchQueryError("Search Query is invalid: capacity is public or private.")
        return ("e.private = %s", [value == "private"])
    if name == "state":
        return "e.state = %s", [value]
    raise SearchQueryError(
        f"Search Query is invalid: the field “{name}” cannot be searched. Use one of: "
        "organization, groups, tags, res_format, res_name, license_id, name, id, owner_org, "
        "metadata_modified, metadata_created, type, capacity, state, extras_<key>, text, title, notes."
    )


def _range_sql(
    name: str, low: str, high: str, inclusive_low: bool, inclusive_high: bool
) -> tuple[str, list[Any]]:
    if name not in {"metadata_modified", "metadata_created"}:
        raise SearchQueryError(
            f"Search Query is invalid: ranges work on metadata_modified and metadata_created, not “{name}”."
        )
    clauses, params = [], []
    if low != "*":
        clauses.append(f"e.{name} {'>=' if inclusive_low else '>'} %s")
        params.append(_dt_param(parse_datetime(low, name)))
    if high != "*":
        clauses.append(f"e.{name} {'<=' if inclusive_high else '<'} %s")
        params.append(_dt_param(parse_datetime(high, name)))
    return ("(" + " AND ".join(clauses) + ")" if clauses else "1=1"), params


def _top_level_text(node: Node) -> tuple[list[str], Node]:
    """Split free-text words that are simply ANDed at the top (ranked) from the rest (filters)."""
    if node[0] == "text":
        return _words(node[1]), ("all",)
    if node[0] == "and":
        words: list[str] = []
        rest: list[Node] = []
        for child in node[1]:
            if child[0] == "text":
                words += _words(child[1])
            else:
                rest.append(child)
        return words[:MAX_TOKENS], ("and", rest) if rest else ("all",)
    return [], node


def _sort_sql(sort: str, ranked: bool) -> tuple[str, list[str], bool]:
    """ORDER BY over the entry `e`, the entry columns it reads, and whether it orders by rank_score."""
    clauses: list[str] = []
    columns: list[str] = []
    by_rank = False
    shown = sort.strip() or DEFAULT_SORT
    for part in shown.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        name = bits[0]
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if direction not in {"asc", "desc"} or len(bits) > 2:
            raise SearchQueryError(
                f"Search Query is invalid: cannot sort by “{part.strip()}”; use “field asc” or “field desc”."
            )
        if name in {"score", "rank", "relevance"}:
            if ranked:
                clauses.append("rank_score ASC" if direction == "desc" else "rank_score DESC")
                by_rank = True
            continue
        column = SORT_COLUMNS.get(name)
        if column is None:
            raise SearchQueryError(
                f"Search Query is invalid: cannot sort by “{name}”; use score, metadata_modified, "
                "metadata_created, name, title_string or id."
            )
        clauses.append(f"{column} {direction.upper()}")
        columns.append(column)
    clauses.append("e.dataset_id ASC")  # a total order, so offset paging is stable
    columns.append("e.dataset_id")
    return ", ".join(clauses), list(dict.fromkeys(columns)), by_rank


def _visibility_sql(params: SearchParams) -> tuple[str, list[Any]]:
    clauses = ["(e.state = 'active' AND e.private = %s)"]
    values: list[Any] = [False]
    if params.all_private:
        clauses.append("(e.state = 'active')")
    elif params.private_departments:
        ids = list(params.private_departments)
        clauses.append(f"(e.state = 'active' AND e.department_id IN ({', '.join(['%s'] * len(ids))}))")
        values += [Dataset._meta.pk.get_db_prep_value(i, connection) for i in ids]
    if params.draft_departments:
        ids = list(params.draft_departments)
        clauses.append(f"(e.state = 'draft' AND e.department_id IN ({', '.join(['%s'] * len(ids))}))")
        values += [Dataset._meta.pk.get_db_prep_value(i, connection) for i in ids]
    return "(" + " OR ".join(clauses) + ")", values


def search(params: SearchParams) -> SearchResult:
    """Run a catalog search: count, one page of dataset ids, and the asked facets."""
    q = params.q.strip()
    query_tree = parse_query(q) if q and q not in {"*:*", "*"} else ("all",)
    filters = [parse_query(text) for text in params.fq if text and text.strip()]
    words, rest = _top_level_text(query_tree)
    keys: set[TermKey] = set()
    for node in [rest, *filters]:
        _term_keys(node, keys)
    terms = resolve_terms(keys)
    where: list[str] = []
    values: list[Any] = []
    for node in [rest, *filters]:
        if node != ("all",):
            sql, node_params = compile_node(node, terms)
            where.append(sql)
            values += node_params
    visible_sql, visible_params = _visibility_sql(params)
    where.append(visible_sql)
    values += visible_params
    ranked = bool(words)
    postgres = connection.vendor == "postgresql"
    if ranked and postgres:
        source = "catalog_searchentry e"
        where.insert(0, "e.search_vector @@ to_tsquery('simple', %s)")
        values.insert(0, _fts_param(words))
        rank_sql = "-ts_rank(e.search_vector, to_tsquery('simple', %s))"
        rank_params = [_fts_param(words)]
    elif ranked:
        # CROSS JOIN keeps the FTS5 matches as the outer loop: without table statistics (after a table
        # rebuild, before ANALYZE) SQLite may otherwise run the MATCH once per entry.
        source = "catalog_search_fts CROSS JOIN catalog_searchentry e ON e.id = catalog_search_fts.rowid"
        where.insert(0, "catalog_search_fts MATCH %s")
        values.insert(0, _fts_param(words))
        rank_sql = "bm25(catalog_search_fts, 4.0, 4.0, 2.0, 1.0)"
        rank_params = []
    else:
        source = "catalog_searchentry e"
        rank_sql, rank_params = "", []
    order_sql, order_columns, by_rank = _sort_sql(params.sort, ranked)
    rows = max(0, min(int(params.rows), MAX_ROWS))
    if not (by_rank and rows):
        rank_sql, rank_params = "", []  # ranking every match is only worth it to sort a page by it
    query = _Query(
        source=source,
        where_sql=" AND ".join(where),
        values=values,
        rank_sql=rank_sql,
        rank_params=rank_params,
        order_sql=order_sql,
        order_columns=order_columns,
        rows=rows,
        start=max(0, int(params.start)),
        facet_fields=[name for name in dict.fromkeys(params.facet_fields) if _is_facet_field(name)],
    )
    # A full-text query reads every match once (in one statement) to rank them anyway; without one,
    # the count and the page are separate queries the planner can answer from indexes.
    count, ids, counted = _search_matches_once(query) if ranked else _search_in_parts(query)
    facets = _facets(counted, query.facet_fields, params)
    for name in params.facet_fields:
        facets.setdefault(name, [])
    return SearchResult(count=count, dataset_ids=ids, facets=facets, sort=params.sort.strip() or DEFAULT_SORT)


@dataclass(frozen=True, slots=True)
class _Query:
    """A compiled search: only whitelisted SQL fragments, every value a placeholder."""

    source: str
    where_sql: str
    values: list[Any]
    rank_sql: str
    rank_params: list[Any]
    order_sql: str
    order_columns: list[str]
    rows: int
    start: int
    facet_fields: list[str]


FacetRows = list[tuple[str, str, int]]


def _dataset_ids(values: list[Any]) -> list[uuid.UUID]:
    field = SearchEntry._meta.get_field("dataset")
    return [field.to_python(value) for value in values]


def _facet_part_sql(rows_sql: str, fields: list[str]) -> tuple[str, list[Any]]:
    """The facet counts over the rows `m` (with their `facet_terms`). PostgreSQL counts in SQL (unnest,
    hash aggregate, then the asked fields' terms); SQLite hands the term id arrays over joined into one
    string, which `_count_terms` counts (about twice as fast as json_each with GROUP BY)."""
    if connection.vendor != "postgresql":
        return f"SELECT group_concat(m.facet_terms) FROM {rows_sql}", []  # noqa: S608
    placeholders = ", ".join(["%s"] * len(fields))
    return (
        "SELECT t.field, t.value, c.n FROM (SELECT u.term_id, COUNT(*) AS n FROM "  # noqa: S608
        f"(SELECT unnest(m.facet_terms) AS term_id FROM {rows_sql}) u GROUP BY u.term_id) c "
        f"JOIN catalog_searchterm t ON t.id = c.term_id WHERE t.field IN ({placeholders})",
        list(fields),
    )


def _count_terms(cursor: Any, arrays: str | None, fields: list[str]) -> FacetRows:
    """SQLite: count the term ids in the matching entries' JSON arrays (joined by commas), then name
    the asked fields' terms."""
    counts = Counter((arrays or "").replace("[", "").replace("]", "").replace(" ", "").split(","))
    counts.pop("", None)
    if not counts:
        return []
    placeholders = ", ".join(["%s"] * len(fields))
    cursor.execute(
        "SELECT t.id, t.field, t.value FROM catalog_searchterm t "  # noqa: S608
        f"WHERE t.field IN ({placeholders}) AND t.id IN (SELECT value FROM json_each(%s))",
        [*fields, json.dumps([int(term) for term in counts])],
    )
    return [(name, value, counts[str(term)]) for term, name, value in cursor.fetchall()]


def _materialized() -> str:
    """Both engines materialise a CTE that is read more than once; say so where the syntax exists
    (PostgreSQL 12, SQLite 3.35)."""
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 35, 0):
        return ""
    return "MATERIALIZED "


def _search_matches_once(query: _Query) -> tuple[int, list[uuid.UUID], FacetRows]:
    """Count, page and facet counts in one statement: the matches are read once into a CTE and every
    part reads that."""
    columns = list(query.order_columns)
    if query.facet_fields:
        columns.append("e.facet_terms")
    if query.rank_sql:
        columns.append(f"{query.rank_sql} AS rank_score")
    parts = ["SELECT 0 AS part, CAST(NULL AS text) AS a, CAST(NULL AS text) AS b, COUNT(*) AS n FROM m"]
    params: list[Any] = [*query.rank_params, *query.values]
    if query.rows:
        parts.append(
            f"SELECT 1, CAST(e.dataset_id AS text), NULL, ROW_NUMBER() OVER (ORDER BY {query.order_sql}) "  # noqa: S608
            f"FROM (SELECT * FROM m e ORDER BY {query.order_sql} LIMIT %s OFFSET %s) e"
        )
        params += [query.rows, query.start]
    if query.facet_fields:
        facet_sql, facet_params = _facet_part_sql("m", query.facet_fields)
        if connection.vendor == "postgresql":
            parts.append(f"SELECT 2, f.* FROM ({facet_sql}) f")  # noqa: S608
        else:
            parts.append(f"SELECT 3, ({facet_sql}), NULL, NULL")
        params += facet_params
    sql = (
        f"WITH m AS {_materialized()}(SELECT {', '.join(columns)} "  # noqa: S608
        f"FROM {query.source} WHERE {query.where_sql}) " + " UNION ALL ".join(parts)
    )
    count = 0
    page: list[tuple[int, str]] = []
    counted: FacetRows = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for part, a, b, n in cursor.fetchall():
            if part == 0:
                count = int(n)
            elif part == 1:
                page.append((int(n), a))
            elif part == 2:
                counted.append((a, b, int(n)))
            else:
                counted = _count_terms(cursor, a, query.facet_fields)
    return count, _dataset_ids([value for _, value in sorted(page)]), counted


def _search_in_parts(query: _Query) -> tuple[int, list[uuid.UUID], FacetRows]:
    """Count, then the page, then the facet counts, each its own query."""
    source, where_sql, values = query.source, query.where_sql, query.values
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {source} WHERE {where_sql}", values)  # noqa: S608
        count = int(cursor.fetchone()[0])
        ids: list[uuid.UUID] = []
        if query.rows and query.start < count:
            cursor.execute(
                f"SELECT e.dataset_id FROM {source} WHERE {where_sql} "  # noqa: S608
                f"ORDER BY {query.order_sql} LIMIT %s OFFSET %s",
                [*values, query.rows, query.start],
            )
            ids = _dataset_ids([row[0] for row in cursor.fetchall()])
        counted: FacetRows = []
        if query.facet_fields and count:
            rows_sql = f"(SELECT e.facet_terms FROM {source} WHERE {where_sql}) m"  # noqa: S608
            facet_sql, facet_params = _facet_part_sql(rows_sql, query.facet_fields)
            cursor.execute(facet_sql, [*values, *facet_params])
            if connection.vendor == "postgresql":
                counted = [(name, value, int(n)) for name, value, n in cursor.fetchall()]
            else:
                counted = _count_terms(cursor, cursor.fetchone()[0], query.facet_fields)
    return count, ids, counted


def _facets(counted: FacetRows, fields: list[str], params: SearchParams) -> dict[str, list[tuple[str, int]]]:
    """The asked fields' values by count (then value), at least facet.mincount, at most facet.limit."""
    grouped: dict[str, list[tuple[str, int]]] = {name: [] for name in fields}
    for name, value, number in counted:
        if number >= max(1, params.facet_mincount) and name in grouped:
            grouped[name].append((value, number))
    limit = params.facet_limit
    for items in grouped.values():
        items.sort(key=lambda item: (-item[1], item[0]))
        if limit >= 0:
            del items[limit:]
    return grouped
