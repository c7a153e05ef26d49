"""Land parsed raw files in the build's DuckDB file, schema ``raw``, with provenance on every value.

The raw tables hold what the files say, as printed; mapping labels to accounts and converting units
happens in dbt. Before landing, labels and units are checked against the reference seeds so that an
unknown one stops the run naming its file and line.
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
    known_line_labels,
    known_units,
    label_key,
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
    amount bigint not null
);
"""


@dataclass(frozen=True)
class ParsedPage:
    raw: RawFile
    table: BudgetTable


def parse_page_source(source: RawSource) -> ParsedPage:
    """Read, parse and check one registered page; every failure names the file and place."""
    raw = read_source(source)
    table = parse_budget_page(raw.text(), str(source.path))
    check_against_reference(table, str(source.path))
    return ParsedPage(raw=raw, table=table)


def check_against_reference(table: BudgetTable, file: str) -> None:
    units = known_units()
    if table.unit_label not in units:
        raise SourceError(
            file,
            f"line {table.title_line}",
            f"a unit listed in dbt_project/seeds/{UNITS_SEED} ({', '.join(sorted(units))})",
            repr(table.unit_label),
        )
    labels = known_line_labels()
    for cell in table.cells:
        if label_key(cell.row_label) not in labels:
            raise SourceError(
                file,
                f"line {cell.line_number}",
                f"a row label listed in dbt_project/seeds/{LINE_ALIASES_SEED} "
                "(add it there if it names a known budget line)",
                repr(cell.row_label),
            )


def land_pages(con: duckdb.DuckDBPyConnection, pages: Sequence[ParsedPage]) -> dict[str, int]:
    """Replace the raw tables with these pages; returns the row count of each table."""
    read_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(RAW_SCHEMA_DDL)
    for page in pages:
        source, table, sha = page.raw.source, page.table, page.raw.sha256
        con.execute(
            "insert into raw.source_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                source.file,
                sha,
                len(page.raw.data),
                source.format,
                source.title,
                source.publisher,
                source.phase,
                source.is_phase_default,
                source.note,
                read_at,
            ],
        )
        con.execute(
            "insert into raw.budget_tables values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                source.file,
                sha,
                table.title,
                table.title_line,
                table.unit_label,
                table.header_label,
                table.header_line,
                table.reference,
                table.reference_line,
            ],
        )
        con.executemany(
            "insert into raw.budget_cells values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    source.file,
                    sha,
                    cell.row_number,
                    cell.row_label,
                    cell.line_number,
                    cell.column_label,
                    cell.fiscal_year,
                    cell.amount_text,
                    cell.amount,
                ]
                for cell in table.cells
            ],
        )
    return {
        name: con.execute(f"select count(*) from raw.{name}").fetchone()[0]  # type: ignore[index]
        for name in ("source_files", "budget_tables", "budget_cells")
    }
