"""Text a spreadsheet would run as a formula, neutralised for the CSV and Excel downloads.

Text that reaches the downloads comes from registry entries, file names and the cells of
publishers' files, which anyone who adds a file writes. A spreadsheet that opens a CSV runs a cell
starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) as a formula, and a
workbook writer takes such text for one. So those text cells get a leading ``'``, as spreadsheet
tools expect (OWASP's advice on CSV injection); numbers stay numbers. The database and the Parquet
files hold the values unchanged: their readers do not evaluate them.
"""

from __future__ import annotations

import duckdb

from pipelines.core.sql import quote_identifier

# A text cell starting with one of these is a formula to a spreadsheet (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it as text: a leading ``'`` where it would be a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def spreadsheet_safe_query(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """``query`` with every text column neutralised like ``spreadsheet_safe`` (other columns as
    they are). The statement takes the characters as the parameter ``$formula_starts``."""
    columns = con.execute(f"select * from ({query}) limit 0").description
    return spreadsheet_safe_select([(name, str(kind)) for name, kind, *_ in columns], f"({query})")


def spreadsheet_safe_select(columns: list[tuple[str, str]], source: str) -> str:
    """A select of ``columns`` (name, DuckDB type) from ``source`` (a table, or a query in
    brackets), its text columns neutralised as ``spreadsheet_safe_query`` does."""
    selected = []
    for name, kind in columns:
        column = quote_identifier(name)
        if kind == "VARCHAR":
            selected.append(
                f"case when list_contains($formula_starts, left({column}, 1)) "
                f"then chr(39) || {column} else {column} end as {column}"
            )
        else:
            selected.append(column)
    return f"select {', '.join(selected)} from {source}"
