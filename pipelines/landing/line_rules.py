"""What a file of budget lines must hold, and the first line that does not.

A file in the warehouse's own layout has the columns of ``COLUMNS``, with their types (other
columns are ignored); DuckDB reads it with those types (``scan``), so a cell of the wrong type
stops the read, and ``reader_error`` names its file, line and column. Once the lines are landed,
``check_values`` checks every rule of ``_rules`` in one scan: the fiscal year of the folder, a
leaf account and its level, a known organisation kind and phase, the codes, an amount of 0 or
more. A broken rule stops the run with the file, its first line breaking it (found by reading
that file again, numbered) and how many lines of the run break it.

The rules join the run's files as ``run_line_paths`` (path, name in data_raw/, folder year), which
the landing registers before it reads them (``landing.budget_lines``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from pipelines.core.errors import SourceError
from pipelines.core.sql import one_row
from pipelines.landing.line_files import LineFile
from pipelines.sources.reference import leaf_account_levels
from pipelines.sources.registry import is_valid_phase

SUBTOTAL_LABEL = "소계"
# Columns every file must have, with their types; other columns are ignored.
COLUMNS = {
    "fiscal_year": "INTEGER",
    "account_code": "VARCHAR",
    "level_code": "VARCHAR",
    "organisation_kind": "VARCHAR",
    "organisation_code": "VARCHAR",
    "programme_code": "VARCHAR",
    "phase": "VARCHAR",
    "amount_krw_million": "BIGINT",
}
ORGANISATION_KINDS = ("city_province", "si_gun_gu", "central_agency")


def insert_rows(con: duckdb.DuckDBPyConnection, statement: str, rows: list[list]) -> None:
    """``executemany``, which refuses an empty list of rows."""
    if rows:
        con.executemany(statement, rows)


def scan(reader: str) -> str:
    """A relation of the files in the bound parameter ``$files`` with a ``filename`` column."""
    if reader == "parquet":
        casts = ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in COLUMNS.items())
        return (
            f"(select filename, {casts} from "
            "read_parquet($files::varchar[], filename = true, union_by_name = true))"
        )
    return (
        "read_csv($files::varchar[], header = true, thousands = ',', types = $types, "
        "union_by_name = true, filename = true, null_padding = false)"
    )


def scan_parameters(reader: str, paths: Sequence[Path]) -> dict[str, object]:
    """The bound parameters of ``scan``: the paths, and for CSV the columns' types."""
    parameters: dict[str, object] = {"files": [str(path) for path in paths]}
    if reader == "csv":
        parameters["types"] = dict(COLUMNS)
    return parameters


def check_columns(con: duckdb.DuckDBPyConnection, file: LineFile) -> None:
    """Raise unless ``file`` can be read and has every column of ``COLUMNS``, naming those it
    lacks."""
    try:
        if file.reader == "parquet":
            rows = con.execute("select name from parquet_schema($file)", {"file": str(file.path)})
            present = {name for (name,) in rows.fetchall()}
        else:
            cursor = con.execute(
                "select * from read_csv($file, header = true, all_varchar = true) limit 0",
                {"file": str(file.path)},
            )
            present = {column[0] for column in cursor.description}
    except duckdb.Error as error:
        raise SourceError(
            str(file.path), "whole file", f"a readable {file.reader} file", _first_line(error)
        ) from error
    missing = [name for name in COLUMNS if name not in present]
    if missing:
        raise SourceError(
            str(file.path),
            "header",
            f"the columns {', '.join(COLUMNS)}",
            f"no column {', '.join(missing)}",
        )


def reader_error(error: duckdb.Error, files: Sequence[LineFile]) -> SourceError:
    """DuckDB's reader error as a SourceError: file, line, column and the expected type."""
    text = str(error)
    file = re.search(r"^\s*file = (.+)$", text, re.MULTILINE)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    column = re.search(r'converting column "([^"]+)"\. (Could not convert [^\n]+)', text)
    where = file[1].strip() if file else (str(files[0].path) if len(files) == 1 else "line files")
    place = f"line {line[1]}" if line else "a row"
    if column:
        kind = COLUMNS.get(column[1], "the column's type")
        return SourceError(
            where,
            f"{place}, column {column[1]}",
            f"{_kind_words(kind)}",
            column[2],
        )
    return SourceError(where, place, "a well-formed line of budget lines", _first_line(error))


def _kind_words(kind: str) -> str:
    return {
        "INTEGER": "a whole number",
        "BIGINT": "an amount in KRW million (a whole number, thousands separators allowed)",
    }.get(kind, "text")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


# Rules every landed line must follow: (columns, SQL condition that is TRUE for a bad line, what
# was expected). The conditions also see the year of the line's folder as ``folder_year`` and
# whether its phase, account and level, and organisation kind are known (``_FLAGGED``).
def _rules() -> list[tuple[tuple[str, ...], str, str]]:
    leaves = "; ".join(f"{account} {level}" for account, level in sorted(leaf_account_levels()))
    return [
        (
            ("fiscal_year",),
            "fiscal_year is distinct from folder_year",
            "the fiscal year of the folder the file is in",
        ),
        (
            ("account_code", "level_code"),
            "not leaf_ok",
            f"a leaf account and its level ({leaves})",
        ),
        (
            ("organisation_kind",),
            "not kind_ok",
            f"one of {', '.join(ORGANISATION_KINDS)}",
        ),
        (
            ("organisation_code",),
            "organisation_code is null or trim(organisation_code) = ''",
            "an organisation code",
        ),
        (
            ("programme_code",),
            "programme_code is null or trim(programme_code) = ''",
            f"a programme code (or {SUBTOTAL_LABEL} on a subtotal row)",
        ),
        (
            ("phase",),
            "not phase_ok",
            "proposed, enacted, supplementary_<n> or settled",
        ),
        (
            ("amount_krw_million",),
            "amount_krw_million is null or amount_krw_million < 0",
            "an amount of 0 or more",
        ),
    ]


# Lines (``b``) with their folder year and whether their values are known, joined to the run's
# files (``f``) on ``{on}`` and to the reference tables of ``_reference_tables``.
_FLAGGED = """
    select b.*, f.folder_year,
           v.phase is not null as phase_ok,
           l.account_code is not null as leaf_ok,
           k.kind is not null as kind_ok
    from {lines} as b
    inner join run_line_paths as f on {on}
    left join valid_phases as v on v.phase = b.phase
    left join leaf_levels as l on l.account_code = b.account_code and l.level_code = b.level_code
    left join organisation_kinds as k on k.kind = b.organisation_kind
"""


def _reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The known values as temporary tables the rules join to (values never become SQL text):
    leaf accounts and levels, organisation kinds, and the valid phases among those landed."""
    con.execute(
        "create or replace temporary table leaf_levels "
        "(account_code varchar not null, level_code varchar not null)"
    )
    insert_rows(
        con, "insert into leaf_levels values (?, ?)", [list(pair) for pair in leaf_account_levels()]
    )
    con.execute("create or replace temporary table organisation_kinds (kind varchar not null)")
    insert_rows(
        con, "insert into organisation_kinds values (?)", [[kind] for kind in ORGANISATION_KINDS]
    )
    phases = [
        phase
        for (phase,) in con.execute(
            "select distinct phase from raw.budget_lines where phase is not null"
        ).fetchall()
    ]
    con.execute("create or replace temporary table valid_phases (phase varchar not null)")
    insert_rows(
        con,
        "insert into valid_phases values (?)",
        [[phase] for phase in phases if is_valid_phase(phase)],
    )


def check_values(con: duckdb.DuckDBPyConnection, files: Sequence[LineFile]) -> None:
    """One scan of ``raw.budget_lines`` for every rule; on a violation, find its first line in its
    file and raise."""
    rules = _rules()
    _reference_tables(con)
    checked = _FLAGGED.format(lines="raw.budget_lines", on="f.source_file = b.source_file")
    counts = ", ".join(
        f"count(*) filter (where {condition}) as rule_{index}"
        for index, (_, condition, _) in enumerate(rules)
    )
    violations = one_row(con.execute(f"select {counts} from ({checked})"))
    for index, count in enumerate(violations):
        if not count:
            continue
        columns, condition, expected = rules[index]
        source_file, *found = one_row(
            con.execute(
                f"select source_file, {', '.join(columns)} from ({checked}) "
                f"where {condition} limit 1"
            )
        )
        file = next(file for file in files if file.source_file == source_file)
        place = _first_line_where(con, file, condition)
        raise SourceError(
            str(file.path),
            f"{place}, column {', '.join(columns)}",
            expected,
            f"{' '.join(repr(value) for value in found)} ({count} such line(s) in the run's files)",
        )


def _first_line_where(con: duckdb.DuckDBPyConnection, file: LineFile, condition: str) -> str:
    """The first line of ``file`` (as a person counts them, header = line 1) breaking a rule."""
    con.execute("set preserve_insertion_order = true")
    numbered = f"(select *, row_number() over () as row_number from {scan(file.reader)})"
    checked = _FLAGGED.format(lines=numbered, on="f.path = b.filename")
    (row_number,) = one_row(
        con.execute(
            f"select min(row_number) from ({checked}) where {condition}",
            scan_parameters(file.reader, [file.path]),
        )
    )
    con.execute("set preserve_insertion_order = false")
    if file.reader == "csv":
        return f"line {row_number + 1}"
    return f"row {row_number}"
