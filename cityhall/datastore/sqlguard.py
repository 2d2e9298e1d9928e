"""datastore_search_sql made safe: one read-only SELECT over DataStore tables, nothing else.

Layers, each enough on its own for the attacks it names:

1. A lexer refuses comments, dollar quoting, escape strings, more than one statement, any word that
   writes or changes state (DROP, INSERT, INTO, SET, COPY, PRAGMA, ATTACH, ...), schema-qualified calls,
   and every function not on an allow-list (pg_read_file, pg_sleep, lo_import, load_extension, ...).
2. Tables: on PostgreSQL, EXPLAIN lists every relation the query would read; each must be a DataStore
   table the caller may read. On SQLite, an authorizer (sqlite3 set_authorizer) denies every read of
   another table and every action that is not a read.
3. Running it: PostgreSQL in a read-only transaction with a statement timeout, always rolled back;
   SQLite with a progress handler that interrupts it after the same timeout.
"""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from cityhall.datastore import naming

MAX_SQL_CHARS = 20_000


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Inside a statement that starts with SELECT or WITH, these are the words that could write, lock
# or reveal the session (data-modifying CTEs, SELECT INTO, FOR UPDATE/SHARE, current_user...).
FORBIDDEN_WORDS = _words(
    "insert update delete merge upsert drop create alter truncate grant revoke copy into call execute "
    "prepare lock vacuum analyze set reset listen notify load attach detach pragma share nowait "
    "current_user session_user current_role current_catalog current_schema system_user user"
)

# Words that may stand before "(" without being a function call.
SYNTAX_BEFORE_PAREN = _words(
    "select from where and or not in exists any some all as on using join values over filter within "
    "case when then else by having union intersect except lateral is like ilike between distinct with "
    "limit offset group order partition rows range escape null glob then asc desc nulls first last "
)

ALLOWED_FUNCTIONS = _words(
    "count sum avg min max stddev stddev_pop stddev_samp variance var_pop var_samp string_agg "
    "array_agg bool_and bool_or every percentile_cont percentile_disc mode group_concat total "
    "row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value "
    "nth_value abs ceil ceiling floor round trunc sign sqrt power pow mod exp ln log log10 greatest "
    "least random coalesce nullif ifnull iif lower upper length char_length character_length "
    "octet_length trim ltrim rtrim btrim substr substring replace concat concat_ws left right "
    "position strpos instr split_part initcap lpad rpad reverse to_char to_date to_timestamp "
    "to_number date_trunc date_part extract age make_date date time datetime julianday strftime "
    "unixepoch cast numeric decimal varchar char character timestamp interval float integer int "
    "bigint like "
)


class UnsafeQueryError(Exception):
    """The query is refused; `message` says why. `denied` = a table the caller may not read."""

    def __init__(self, message: str, *, denied: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.denied = denied


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word, qident, string, number, punct, space
    text: str


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--|/\*)
  | (?P<string>'(?:[^']|'')*')
  | (?P<qident>"(?:[^"]|"")*")
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>::|<=|>=|<>|!=|\|\||[(),.*+\-/%<>=;\[\]|&~^#:!?@$`\\{}])
    """,
    re.VERBOSE,
)


def tokenize(sql: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(sql):
        match = _TOKEN.match(sql, position)
        if match is None:
            raise UnsafeQueryError(
                _("The query has a character that is not allowed near: %(text)s")
                % {"text": sql[position : position + 20]}
            )
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "comment":
            raise UnsafeQueryError(_("Comments (-- and /* */) are not allowed in a query."))
        if kind == "punct" and text in {
            "$",
            "\\",
            "`",
            "{",
            "}",
            "?",
            "@",
            "#",
            "&",
            "!",
            "[",
            "]",
            "^",
            "~",
        }:
            raise UnsafeQueryError(_("The character %(char)s is not allowed in a query.") % {"char": text})
        if (
            kind == "word"
            and text.lower() in {"e", "u", "b", "x", "n"}
            and sql[match.end() : match.end() + 1] == "'"
        ):
            raise UnsafeQueryError(
                _("Escape, Unicode and bit strings (E'...', U&'...') are not allowed; use plain '...'.")
            )
        tokens.append(Token(kind, text))
        position = match.end()
    return tokens


def _identifier(token: Token) -> str:
    return token.text[1:-1].replace('""', '"') if token.kind == "qident" else token.text.lower()


def check_statement(sql: str) -> list[Token]:
    """The lexical checks (layer 1); returns the tokens without a final semicolon."""
    if len(sql) > MAX_SQL_CHARS:
        raise UnsafeQueryError(_("The query is longer than %(max)d characters.") % {"max": MAX_SQL_CHARS})
    tokens = tokenize(sql)
    meaningful = [t for t in tokens if t.kind != "space"]
    while meaningful and meaningful[-1].text == ";":
        meaningful.pop()
    if not meaningful:
        raise UnsafeQueryError(_("The query is empty: write one SELECT statement."))
    if any(t.text == ";" for t in meaningful):
        raise UnsafeQueryError(_("Only one statement is allowed: remove the ';' between statements."))
    if meaningful[0].kind != "word" or meaningful[0].text.lower() not in {"select", "with"}:
        raise UnsafeQueryError(_("Only SELECT queries are allowed."))
    for index, token in enumerate(meaningful):
        if token.kind == "qident" and ("\x00" in token.text or token.text == '""'):
            raise UnsafeQueryError(_("An empty or invalid quoted name is not allowed."))
        if token.kind == "word" and token.text.lower() in FORBIDDEN_WORDS:
            raise UnsafeQueryError(
                _(
                    "%(word)s is not allowed in a query: only reading with SELECT is. "
                    "If it is a column name, put it in double quotes."
                )
                % {"word": token.text.upper()}
            )
        following = meaningful[index + 1] if index + 1 < len(meaningful) else None
        if following is None or following.text != "(" or token.kind not in {"word", "qident"}:
            continue
        name = _identifier(token)
        if token.kind == "word" and name in SYNTAX_BEFORE_PAREN:
            continue
        previous = meaningful[index - 1] if index else None
        if previous is not None and previous.text == ".":
            raise UnsafeQueryError(
                _("Calling a function by its schema (%(name)s) is not allowed.") % {"name": name}
            )
        if name not in ALLOWED_FUNCTIONS or token.kind == "qident":
            raise UnsafeQueryError(_('The function "%(name)s" is not allowed in a query.') % {"name": name})
    return meaningful


def rewrite_resource_ids(tokens: list[Token], table_for: Callable[[uuid.UUID], str | None]) -> str:
    """CKAN names a table by its resource id ("3f2c...-..."); use the table's real name."""
    parts: list[str] = []
    for token in tokens:
        if token.kind == "qident":
            name = _identifier(token)
            try:
                resource_id = uuid.UUID(name)
            except ValueError:
                resource_id = None
            if resource_id is not None:
                table = table_for(resource_id)
                if table is None:
                    message = _("There is no DataStore table for resource %(id)s.") % {"id": name}
                    raise UnsafeQueryError(message)
                parts.append(naming.quote(table))
                continue
        parts.append(token.text)
    return " ".join(parts)


# --- Running -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SqlResult:
    columns: list[tuple[str, str]]  # (name, CKAN type)
    rows: list[tuple[Any, ...]]
    truncated: bool
    tables: frozenset[str]


_PG_TYPES = {
    16: "bool",
    20: "int",
    21: "int",
    23: "int",
    700: "float",
    701: "float",
    1700: "numeric",
    25: "text",
    1043: "text",
    1042: "text",
    1082: "date",
    1114: "timestamp",
    1184: "timestamptz",
}


def run(
    sql: str,
    *,
    datastore_tables: Iterable[str],
    may_read: Callable[[str], bool],
    max_rows: int,
    timeout_ms: int,
) -> SqlResult:
    """Run one checked query. `datastore_tables` are the live table names; `may_read(table)` decides
    access per table (raising UnsafeQueryError(denied=True) when it says no)."""
    allowed = frozenset(datastore_tables)
    if naming.is_postgres():
        return _run_postgres(sql, allowed, may_read, max_rows, timeout_ms)
    return _run_sqlite(sql, allowed, may_read, max_rows, timeout_ms)


def _check_tables(tables: set[str], allowed: frozenset[str], may_read: Callable[[str], bool]) -> None:
    for table in sorted(tables):
        if table not in allowed:
            raise UnsafeQueryError(
                _("Only DataStore tables can be queried, not %(table)s.") % {"table": table}, denied=True
            )
        if not may_read(table):
            raise UnsafeQueryError(_("You may not read the table %(table)s.") % {"table": table}, denied=True)


def _plan_relations(plan: Any, found: set[str], functions: set[str]) -> None:
    if isinstance(plan, dict):
        if "Relation Name" in plan:
            schema = plan.get("Schema", "")
            found.add(
                plan["Relation Name"] if schema in {"", "public"} else f"{schema}.{plan['Relation Name']}"
            )
        if "Function Name" in plan:
            functions.add(str(plan["Function Name"]))
        for value in plan.values():
            _plan_relations(value, found, functions)
    elif isinstance(plan, list):
        for item in plan:
            _plan_relations(item, found, functions)


def _run_postgres(
    sql: str, allowed: frozenset[str], may_read: Callable[[str], bool], max_rows: int, timeout_ms: int
) -> SqlResult:
    import json

    import psycopg

    with transaction.atomic(), connection.cursor() as cursor:
        # A read-only (sub)transaction with a time limit, always rolled back so the SET LOCALs end too.
        cursor.execute("SET LOCAL transaction_read_only = on")
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(timeout_ms)}ms"])
        cursor.execute("SELECT set_config('search_path', 'public', true)")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            raw_plan = cursor.fetchone()[0]
            plan = json.loads(raw_plan) if isinstance(raw_plan, str) else raw_plan
            tables: set[str] = set()
            functions: set[str] = set()
            _plan_relations(plan, tables, functions)
            if functions:
                raise UnsafeQueryError(
                    _('The function "%(name)s" is not allowed in a query.') % {"name": sorted(functions)[0]}
                )
            _check_tables(tables, allowed, may_read)
            cursor.execute(sql)
            rows = cursor.fetchmany(max_rows + 1)
            description = cursor.description or []
        except DatabaseError as error:
            transaction.set_rollback(True)
            cause = error.__cause__
            if isinstance(cause, psycopg.errors.QueryCanceled):
                raise UnsafeQueryError(
                    _("The query took too long (over %(ms)d ms): make it simpler or add filters.")
                    % {"ms": timeout_ms}
                ) from error
            raise UnsafeQueryError(
                _("The query could not run: %(error)s") % {"error": _pg_message(cause or error)}
            ) from error
        except UnsafeQueryError:
            transaction.set_rollback(True)
            raise
        transaction.set_rollback(True)
    columns = [(column.name, _PG_TYPES.get(column.type_code, "text")) for column in description]
    return SqlResult(
        columns=columns,
        rows=[tuple(r) for r in rows[:max_rows]],
        truncated=len(rows) > max_rows,
        tables=frozenset(tables),
    )


def _pg_message(error: Any) -> str:
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag else None
    return str(primary or error).strip()


def _run_sqlite(
    sql: str, allowed: frozenset[str], may_read: Callable[[str], bool], max_rows: int, timeout_ms: int
) -> SqlResult:
    connection.ensure_connection()
    raw: sqlite3.Connection = connection.connection
    read: set[str] = set()
    refused: list[str] = []
    real_tables = {
        row[0]
        for row in raw.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "UNION SELECT name FROM sqlite_temp_master WHERE type IN ('table', 'view')"
        )
    }

    def collect(
        action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None
    ) -> int:
        if action == sqlite3.SQLITE_SELECT:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            name = arg1 or ""
            if name not in real_tables and not name.lower().startswith("sqlite_"):
                return sqlite3.SQLITE_OK  # a CTE or a subquery's name, not a stored table
            read.add(name)
            return sqlite3.SQLITE_OK if name in allowed else sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() in ALLOWED_FUNCTIONS or (arg2 or "").lower() == "glob":
                return sqlite3.SQLITE_OK
            refused.append(arg2 or "")
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_RECURSIVE:
            return sqlite3.SQLITE_OK
        refused.append(str(action))
        return sqlite3.SQLITE_DENY

    deadline = time.monotonic() + timeout_ms / 1000
    timed_out = False

    def progress() -> int:
        nonlocal timed_out
        if time.monotonic() > deadline:
            timed_out = True
            return 1
        return 0

    def guarded(step: Callable[[sqlite3.Cursor], Any]) -> Any:
        cursor = raw.cursor()
        raw.set_authorizer(collect)
        raw.set_progress_handler(progress, 10_000)
        try:
            return step(cursor)
        except sqlite3.Warning as error:
            raise UnsafeQueryError(
                _("Only one statement is allowed: remove the ';' between statements.")
            ) from error
        except sqlite3.DatabaseError as error:
            outside = sorted(t for t in read if t not in allowed)
            if outside:
                raise UnsafeQueryError(
                    _("Only DataStore tables can be queried, not %(table)s.") % {"table": outside[0]},
                    denied=True,
                ) from error
            if timed_out:
                raise UnsafeQueryError(
                    _("The query took too long (over %(ms)d ms): make it simpler or add filters.")
                    % {"ms": timeout_ms}
                ) from error
            if refused:
                raise UnsafeQueryError(
                    _("The query does something other than read DataStore tables, which is not allowed.")
                ) from error
            raise UnsafeQueryError(_("The query could not run: %(error)s") % {"error": error}) from error
        finally:
            cursor.close()
            raw.set_authorizer(None)
            raw.set_progress_handler(None, 0)

    # Compiling the query (EXPLAIN does not run it) tells the authorizer every table it reads;
    # access is decided with the authorizer off, since deciding reads other tables.
    guarded(lambda cursor: cursor.execute("EXPLAIN " + sql).fetchall())
    _check_tables(read, allowed, may_read)
    deadline = time.monotonic() + timeout_ms / 1000

    def execute(cursor: sqlite3.Cursor) -> tuple[list[Any], Any]:
        cursor.execute(sql)
        return cursor.fetchmany(max_rows + 1), cursor.description or []

    rows, description = guarded(execute)
    names = [column[0] for column in description]
    kept = [tuple(r) for r in rows[:max_rows]]
    columns = [(name, _sqlite_type([row[i] for row in kept])) for i, name in enumerate(names)]
    return SqlResult(
        columns=columns, rows=kept, truncated=len(rows) > max_rows, tables=frozenset(read & allowed)
    )


def _sqlite_type(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) for v in present):
        return "int"
    if present and all(isinstance(v, int | float) for v in present):
        return "numeric"
    return "text"
