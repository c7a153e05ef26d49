"""The one place where text becomes part of a DuckDB statement.

File names, folder names, registry text and cell values are untrusted: a budget-line file named
``x.csv'));copy (...) to 'x.csv';--`` must stay a file name. So values never become SQL text:
every path or input-derived value is a bound parameter (``$name`` or ``?``). DuckDB binds them in
table functions (``read_csv($files::varchar[])``, ``parquet_schema($file)``), in ``COPY ... TO
$target``, ``ATTACH $path`` and ``SET ... = $value``, so no statement of the pipelines needs a
quoted literal.

What cannot be a parameter is a name: a table or schema taken from the catalog. Those go
through ``quote_identifier`` here, which doubles double quotes the way SQL quotes names. One
statement takes no parameter at all: ``COMMENT ON … IS '<text>'`` (DuckDB's parser wants a
literal there), so the descriptions of the dbt YAML go through ``quote_literal``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb


def quote_identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier; a double quote in it is doubled."""
    if "\x00" in name:
        raise ValueError(f"a NUL character cannot be part of an SQL name: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """``text`` as an SQL string literal; a single quote in it is doubled."""
    if "\x00" in text:
        raise ValueError(f"a NUL character cannot be part of an SQL string: {text[:40]!r}")
    return "'" + text.replace("'", "''") + "'"


def one_row(cursor: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The row of a statement that always answers with one (an aggregate, ``COPY``'s count):
    DuckDB's ``fetchone`` is typed as maybe None, for queries that may have no row."""
    row = cursor.fetchone()
    if row is None:
        raise TypeError("the statement answered with no row, where one was expected")
    return row


def json_rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """A query's rows as dictionaries of JSON-friendly values, for reports and run output:
    decimals as whole numbers when they are whole (else floats), dates and times as ISO text."""
    names = [column[0] for column in cursor.description]
    return [
        {name: _json_value(value) for name, value in zip(names, row, strict=True)}
        for row in cursor.fetchall()
    ]


def _json_value(value: Any) -> Any:
    if isinstance(value, list):  # a list() of a query, of values or structs
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: list[list[Any]] | list[tuple[Any, ...]],
    columns: list[str] | None = None,
) -> None:
    """Insert ``rows`` (each one value per column of ``table``, or of ``columns``, in order)
    into ``table`` (a name of the pipelines' own, quoted here), every value bound: one list per
    column, unnested in step. DuckDB's ``executemany`` runs one statement per row (about 2.5 ms
    each: 4 s for a local budget book of 1,600 rows); this binds a book in some 50 ms."""
    if not rows:
        return
    values = [list(column) for column in zip(*rows, strict=True)]
    name = ".".join(quote_identifier(part) for part in table.split("."))
    if columns is not None:
        name += " (" + ", ".join(quote_identifier(column) for column in columns) + ")"
    unnested = ", ".join("unnest(?)" for _ in values)
    con.execute(f"insert into {name} select {unnested}", values)
