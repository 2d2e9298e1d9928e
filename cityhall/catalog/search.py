"""Catalog search: one interface, two engines (SQLite FTS5 and PostgreSQL full text).

`search(SearchParams)` returns matching dataset ids (a page), the total count and facet counts. Queries
and filters never reach SQL as text: `q` and `fq` are parsed into a small tree of whitelisted fields
and operators (CKAN's Solr subset, see docs/catalog.md) and compiled to SQL with placeholders; anything
else raises `SearchQueryError`. Facet counts are one GROUP BY over the facet rows of the matching ids.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from cityhall.catalog.models import Dataset, SearchEntry

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


def compile_node(node: Node) -> tuple[str, list[Any]]:
    kind = node[0]
    if kind == "all":
        return "1=1", []
    if kind in {"and", "or"}:
        parts = [compile_node(child) for child in node[1]]
        joiner = " AND " if kind == "and" else " OR "
        return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, params in parts for p in params]
    if kind == "not":
        sql, params = compile_node(node[1])
        return f"NOT ({sql})", params
    if kind == "text":
        words = _words(node[1])
        return _text_sql(words) if words else ("1=1", [])
    if kind == "field":
        return _field_sql(node[1], node[2])
    if kind == "range":
        return _range_sql(*node[1:])
    raise SearchQueryError("Search Query is invalid.")  # pragma: no cover


def _field_sql(name: str, value: str) -> tuple[str, list[Any]]:
    if name in MULTI_VALUE_FIELDS or name.startswith("extras_"):
        if value == "*":
            return (
                "EXISTS (SELECT 1 FROM catalog_searchfacet f JOIN catalog_searchterm t ON t.id = f.term_id "
                "WHERE f.entry_id = e.id AND t.field = %s)",
                [name[:60]],
            )
        return (
            "EXISTS (SELECT 1 FROM catalog_searchfacet f WHERE f.entry_id = e.id AND f.term_id IN "
            "(SELECT t.id FROM catalog_searchterm t WHERE t.field = %s AND t.value = %s))",
            [name[:60], _facet_value(name, value)],
        )
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


def _sort_sql(sort: str, ranked: bool) -> tuple[str, list[str]]:
    clauses: list[str] = []
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
            continue
        column = SORT_COLUMNS.get(name)
        if column is None:
            raise SearchQueryError(
                f"Search Query is invalid: cannot sort by “{name}”; use score, metadata_modified, "
                "metadata_created, name, title_string or id."
            )
        clauses.append(f"{column} {direction.upper()}")
    clauses.append("e.dataset_id ASC")  # a total order, so offset paging is stable
    return ", ".join(clauses), []


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
    where: list[str] = []
    values: list[Any] = []
    for node in [rest, *filters]:
        if node != ("all",):
            sql, node_params = compile_node(node)
            where.append(sql)
            values += node_params
    visible_sql, visible_params = _visibility_sql(params)
    where.append(visible_sql)
    values += visible_params
    ranked = bool(words)
    if ranked and connection.vendor == "postgresql":
        source = "catalog_searchentry e"
        where.insert(0, "e.search_vector @@ to_tsquery('simple', %s)")
        values.insert(0, _fts_param(words))
        rank_select = ", -ts_rank(e.search_vector, to_tsquery('simple', %s)) AS rank_score"
        rank_params = [_fts_param(words)]
    elif ranked:
        source = "catalog_search_fts JOIN catalog_searchentry e ON e.id = catalog_search_fts.rowid"
        where.insert(0, "catalog_search_fts MATCH %s")
        values.insert(0, _fts_param(words))
        rank_select = ", bm25(catalog_search_fts, 4.0, 4.0, 2.0, 1.0) AS rank_score"
        rank_params = []
    else:
        source = "catalog_searchentry e"
        rank_select, rank_params = "", []
    where_sql = " AND ".join(where)
    order_sql, _ = _sort_sql(params.sort, ranked)
    rows = max(0, min(int(params.rows), MAX_ROWS))
    start = max(0, int(params.start))
    # Only whitelisted SQL fragments are joined; every value is a placeholder.
    count_sql = f"SELECT COUNT(*) FROM {source} WHERE {where_sql}"  # noqa: S608
    page_sql = (
        f"SELECT e.dataset_id{rank_select} FROM {source} WHERE {where_sql} "  # noqa: S608
        f"ORDER BY {order_sql} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(count_sql, values)
        count = int(cursor.fetchone()[0])
        ids: list[uuid.UUID] = []
        if rows and start < count:
            cursor.execute(page_sql, [*rank_params, *values, rows, start])
            field = SearchEntry._meta.get_field("dataset")
            ids = [field.to_python(row[0]) for row in cursor.fetchall()]
        facets = _facets(cursor, params, source, where_sql, values) if params.facet_fields and count else {}
    for name in params.facet_fields:
        facets.setdefault(name, [])
    return SearchResult(count=count, dataset_ids=ids, facets=facets, sort=params.sort.strip() or DEFAULT_SORT)


def _facets(
    cursor: Any, params: SearchParams, source: str, where_sql: str, values: list[Any]
) -> dict[str, list[tuple[str, int]]]:
    fields = [
        name
        for name in dict.fromkeys(params.facet_fields)
        if name in MULTI_VALUE_FIELDS or name.startswith("extras_")
    ]
    if not fields:
        return {}
    placeholders = ", ".join(["%s"] * len(fields))
    # Count every term of the matching entries by integer id, then keep the asked fields' terms.
    sql = (
        "SELECT t.field, t.value, c.n FROM (SELECT f.term_id AS term_id, COUNT(*) AS n "  # noqa: S608
        f"FROM catalog_searchfacet f WHERE f.entry_id IN (SELECT e.id FROM {source} WHERE {where_sql}) "
        "GROUP BY f.term_id) c JOIN catalog_searchterm t ON t.id = c.term_id "
        f"WHERE t.field IN ({placeholders})"
    )
    cursor.execute(sql, [*values, *fields])
    grouped: dict[str, list[tuple[str, int]]] = {name: [] for name in fields}
    for name, value, number in cursor.fetchall():
        if number >= max(1, params.facet_mincount):
            grouped[name].append((value, int(number)))
    limit = params.facet_limit
    for items in grouped.values():
        items.sort(key=lambda item: (-item[1], item[0]))
        if limit >= 0:
            del items[limit:]
    return grouped
