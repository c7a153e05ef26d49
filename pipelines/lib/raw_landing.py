"""Land parsed raw files in the build's DuckDB file, schema ``raw``, with provenance on every value.

The raw tables hold what the files say, as printed, plus the budget line each row label names
(resolved through the alias seed, see ``lib.reference``). Mapping lines to accounts and converting
units happens in dbt. An unknown label or unit, a repeated line or an unexpected set of years stops
the run here, naming the file and line, before anything is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from pipelines.lib.errors import SourceError
from pipelines.lib.page_table import BudgetTable, parse_budget_page
from pipelines.lib.reference import (
    LINE_ALIASES_SEED,
    UNITS_SEED,
    known_units,
    label_key,
    line_aliases,
)
from pipelines.lib.sources import RawFile, RawSource, read_source

RAW_SCHEMA_DDL = """
create schema if not exists raw;
create or replace table raw.source_files (
    source_file varchar not null primary key,
    source_sha256 varchar not null,
    size_bytes bigint not null,
    source_format varchar not null,
    title varchar not null,
    publisher varchar not null,
    phase varchar not null,
    is_phase_default boolean not null,
    note varchar,
    read_at timestamp not null
);
create or replace table raw.budget_tables (
    source_file varchar not null primary key,
    source_sha256 varchar not null,
    table_title varchar not null,
    title_line integer not null,
    unit_label varchar not null,
    header_label varchar not null,
    header_line integer not null,
    reference varchar,
    reference_line integer
);
create or replace table raw.budget_cells (
    source_file varchar not null,
    source_sha256 varchar not null,
    row_number integer not null,
    row_label varchar not null,
    line_number integer not null,
    column_label varchar not null,
    fiscal_year integer not null,
    amount_text varchar not null,
    amount bigint not null,
    line_code varchar not null
);
"""


@dataclass(frozen=True)
class ParsedPage:
    raw: RawFile
    table: BudgetTable
    line_codes: dict[str, str]  # row label as printed → budget line code


def parse_page_source(source: RawSource) -> ParsedPage:
    """Read, parse and check one registered page; every failure names the file and place."""
    raw = read_source(source)
    file = str(source.path)
    table = parse_budget_page(raw.text(), file)
    check_registered_years(table, source, file)
    check_unit(table, file)
    return ParsedPage(raw=raw, table=table, line_codes=resolve_line_codes(table, file))


def check_registered_years(table: BudgetTable, source: RawSource, file: str) -> None:
    if source.years is not None and table.years != source.years:
        raise SourceError(
            file,
            f"line {table.header_line}",
            f"the years {source.years[0]}–{source.years[-1]} registered in sources.yml, in order",
            " ".join(map(str, table.years)),
        )


def check_unit(table: BudgetTable, file: str) -> None:
    units = known_units()
    if table.unit_label not in units:
        raise SourceError(
            file,
            f"line {table.title_line}",
            f"a unit listed in dbt_project/seeds/{UNITS_SEED} ({', '.join(sorted(units))})",
            repr(table.unit_label),
        )


def resolve_line_codes(table: BudgetTable, file: str) -> dict[str, str]:
    """Map each row label to its budget line; unknown labels and repeated lines are errors."""
    aliases = line_aliases()
    resolved: dict[str, str] = {}
    first_seen: dict[str, tuple[str, int]] = {}  # line code → (label, line) of its first row
    rows = dict.fromkeys((cell.row_label, cell.line_number) for cell in table.cells)
    for label, line_number in rows:
        line_code = aliases.get(label_key(label))
        if line_code is None:
            raise SourceError(
                file,
                f"line {line_number}",
                f"a row label listed in dbt_project/seeds/{LINE_ALIASES_SEED} "
                "(add it there if it names a known budget line)",
                repr(label),
            )
        seen_label, seen_line = first_seen.setdefault(line_code, (label, line_number))
        if seen_line != line_number:
            raise SourceError(
                file,
                f"line {line_number}",
                f"each budget line once, but {label!r} is the same line "
                f"({line_code}) as {seen_label!r} on line {seen_line}",
                "a repeated row",
            )
        resolved[label] = line_code
    return resolved


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, object]]) -> None:
    columns = list(rows[0])
    con.executemany(
        f"insert into raw.{table} ({', '.join(columns)}) "
        f"values ({', '.join('?' for _ in columns)})",
        [[row[column] for column in columns] for row in rows],
    )


def land_pages(con: duckdb.DuckDBPyConnection, pages: Sequence[ParsedPage]) -> dict[str, int]:
    """Replace the raw tables with these pages; returns the row count of each table."""
    read_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(RAW_SCHEMA_DDL)
    for page in pages:
        source, table = page.raw.source, page.table
        provenance = {"source_file": source.file, "source_sha256": page.raw.sha256}
        _insert(
            con,
            "source_files",
            [
                {
                    **provenance,
                    "size_bytes": len(page.raw.data),
                    "source_format": source.format,
                    "title": source.title,
                    "publisher": source.publisher,
                    "phase": source.phase,
                    "is_phase_default": source.is_phase_default,
                    "note": source.note,
                    "read_at": read_at,
                }
            ],
        )
        _insert(
            con,
            "budget_tables",
            [
                {
                    **provenance,
                    "table_title": table.title,
                    "title_line": table.title_line,
                    "unit_label": table.unit_label,
                    "header_label": table.header_label,
                    "header_line": table.header_line,
                    "reference": table.reference,
                    "reference_line": table.reference_line,
                }
            ],
        )
        _insert(
            con,
            "budget_cells",
            [
                {
                    **provenance,
                    "row_number": cell.row_number,
                    "row_label": cell.row_label,
                    "line_number": cell.line_number,
                    "column_label": cell.column_label,
                    "fiscal_year": cell.fiscal_year,
                    "amount_text": cell.amount_text,
                    "amount": cell.amount,
                    "line_code": page.line_codes[cell.row_label],
                }
                for cell in table.cells
            ],
        )
    return {
        name: con.execute(f"select count(*) from raw.{name}").fetchone()[0]  # type: ignore[index]
        for name in ("source_files", "budget_tables", "budget_cells")
    }
