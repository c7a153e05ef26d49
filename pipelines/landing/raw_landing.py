"""Land parsed raw files in the build's DuckDB file, schema ``raw``, with provenance on every value.

The raw tables hold what the files say, as printed, plus the budget line each row label names
(resolved through the alias seed, see ``sources.reference``) and the unit the table is stated in
(resolved through the units seed). Mapping lines to accounts and converting units happens in dbt.
A file that cannot be read, an unknown label or unit, a repeated line, a missing Total, a negative
or overflowing amount or an unexpected set of years stops the run here, naming the file and the
place, before anything is built. Every value is inserted through parameters, never formatted into
SQL, so a label that looks like markup or SQL is stored as the inert text it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import duckdb

from pipelines.core.errors import SourceError
from pipelines.core.sql import insert_rows, one_row
from pipelines.landing.local_books import (
    LOCAL_BOOK_TABLES,
    ParsedLocalBook,
    land_local_books,
    parse_local_book,
)
from pipelines.sources.acknowledgements import AcknowledgementsFile
from pipelines.sources.amounts import (
    MAX_KRW_MILLION,
    UnitMention,
    distinct_units,
    unit_of,
    units_in,
)
from pipelines.sources.cited_figures import CitedFigure, parse_cited_figures
from pipelines.sources.control_totals import ControlTotal, parse_control_totals
from pipelines.sources.page_table import BudgetTable, parse_budget_page
from pipelines.sources.reference import (
    LINE_ALIASES_SEED,
    UNITS_SEED,
    budget_line_kinds,
    known_units,
    label_key,
    line_aliases,
    unit_factors,
)
from pipelines.sources.registry import (
    CITED_FIGURES_FORMAT,
    CONTROL_TOTALS_FORMAT,
    LOCAL_BUDGET_BOOK_FORMAT,
    RawFile,
    RawSource,
    ValueOfRecordRule,
    read_source,
)
from pipelines.sources.table_files import read_table_file
from pipelines.sources.text_encoding import misread_korean

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
    read_at timestamp not null,
    publication_date date,
    unit_override varchar,
    is_blocking_comparison boolean not null,
    registry_order integer not null,
    allows_unit_mismatch boolean not null,
    source_url varchar,
    licence varchar
);
create or replace table raw.budget_tables (
    source_file varchar not null primary key,
    source_sha256 varchar not null,
    table_title varchar not null,
    title_line integer,
    unit_label varchar not null,
    unit_printed varchar,
    unit_place varchar not null,
    header_label varchar not null,
    header_line integer not null,
    reference varchar,
    reference_line integer,
    table_shape varchar not null,
    table_place varchar
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
    amount decimal(38, 6) not null,
    amount_decimals integer not null,
    line_code varchar not null,
    cell_place varchar not null,
    source_locator varchar not null
);
create or replace table raw.control_totals (
    source_file varchar not null,
    source_sha256 varchar not null,
    line_number integer not null,
    fiscal_year integer not null,
    line_label varchar not null,
    line_code varchar not null,
    amount_text varchar not null,
    amount decimal(38, 6) not null,
    amount_decimals integer not null,
    unit_label varchar not null,
    precision_text varchar,
    precision_step decimal(38, 6) not null,
    precision_unit_label varchar not null,
    precision_krw_million decimal(38, 6) not null,
    stated_by varchar not null,
    phase varchar,
    note varchar
);
create or replace table raw.cited_figures (
    source_file varchar not null,
    source_sha256 varchar not null,
    line_number integer not null,
    fiscal_year integer not null,
    account_printed varchar not null,
    measure varchar not null,
    item_printed varchar not null,
    item_code varchar not null,
    line_code varchar,
    sub_account_name_that_year varchar,
    mapping varchar,
    basis_code varchar,
    amount_text varchar not null,
    amount decimal(38, 6) not null,
    amount_decimals integer not null,
    unit_label varchar not null,
    precision_text varchar,
    precision_step decimal(38, 6) not null,
    precision_unit_label varchar not null,
    precision_half decimal(38, 6) not null,
    phase varchar,
    stated_by varchar not null,
    published varchar not null,
    publication_date date not null,
    url varchar not null,
    locator varchar not null,
    note varchar
);
create or replace table raw.acknowledged_differences (
    source_file varchar not null,
    source_sha256 varchar not null,
    line_number integer not null,
    fiscal_year integer not null,
    line_label varchar not null,
    line_code varchar not null,
    source varchar not null,
    other_source varchar not null,
    other_stated_by varchar,
    figure_text varchar not null,
    figure_krw_million decimal(38, 6) not null,
    other_figure_text varchar not null,
    other_figure_krw_million decimal(38, 6) not null,
    reason varchar not null,
    accepted_by varchar not null,
    accepted_on date not null
);
create or replace table raw.acknowledgement_files (
    source_file varchar not null primary key,
    source_sha256 varchar not null,
    size_bytes bigint not null
);
create or replace table raw.value_of_record (
    rule_kind varchar not null,
    item varchar not null,
    item_rank integer not null
);
"""

RAW_TABLES = (
    "source_files",
    "budget_tables",
    "budget_cells",
    "control_totals",
    "cited_figures",
    "value_of_record",
    "acknowledged_differences",
    "acknowledgement_files",
    *LOCAL_BOOK_TABLES,
)


@dataclass(frozen=True)
class ParsedPage:
    """A budget table read from a registered file (page text, CSV, XLSX or HTML), checked."""

    raw: RawFile
    table: BudgetTable
    line_codes: dict[str, str]  # row label as printed → budget line code
    unit_label: str = ""  # the unit of ref_units.csv the amounts are in
    unit_place: str = (
        ""  # where it is stated ("line 50", "table 2 (line 30), caption", sources.yml)
    )


@dataclass(frozen=True)
class ParsedControlTotals:
    raw: RawFile
    totals: list[ControlTotal]


@dataclass(frozen=True)
class ParsedCitedFigures:
    raw: RawFile
    figures: list[CitedFigure]


ParsedSource = ParsedPage | ParsedControlTotals | ParsedCitedFigures | ParsedLocalBook


def parse_source(source: RawSource) -> ParsedSource:
    """Read and check one registered file of any format; every failure names the file and place."""
    if source.format == LOCAL_BUDGET_BOOK_FORMAT:
        return parse_local_book(source)
    if source.format == CITED_FIGURES_FORMAT:
        raw = read_source(source)
        return ParsedCitedFigures(raw, parse_cited_figures(raw.data, str(source.path)))
    if source.format == CONTROL_TOTALS_FORMAT:
        raw = read_source(source)
        totals = parse_control_totals(
            raw.data,
            str(source.path),
            columns=source.columns,
            unit=source.unit,
            line=source.line,
            stated_by=source.publisher,
        )
        return ParsedControlTotals(raw, totals)
    return parse_page_source(source)


def parse_page_source(source: RawSource) -> ParsedPage:
    """Read, parse and check one registered budget table; every failure names the file and place."""
    raw = read_source(source)
    file = str(source.path)
    if source.format == "page_text":
        table = parse_budget_page(raw.text(), file)
        check_unit(table, file)
        line_codes = resolve_line_codes(table, file)
    else:
        table = read_table_file(raw.data, source.path, source.format, source.table, source.encoding)
        line_codes = resolve_labels(table, file)
    check_registered_years(table, source, file)
    unit_label, unit_place = resolve_unit(table, source, file)
    check_lines(table, line_codes, file)
    check_amounts(table, unit_label, file)
    return ParsedPage(
        raw=raw, table=table, line_codes=line_codes, unit_label=unit_label, unit_place=unit_place
    )


def check_registered_years(table: BudgetTable, source: RawSource, file: str) -> None:
    if source.years is not None and table.years != source.years:
        raise SourceError(
            file,
            f"line {table.header_line}" if table.shape == "wide" else table.table_place or "table",
            f"the years {source.years[0]}–{source.years[-1]} registered in sources.yml, in order",
            " ".join(map(str, table.years)),
        )


def check_unit(table: BudgetTable, file: str) -> None:
    """The page's title states a unit the units seed lists."""
    units = known_units()
    if unit_of(table.unit_label) is None:
        raise SourceError(
            file,
            f"line {table.title_line}",
            f"a unit listed in dbt_project/seeds/{UNITS_SEED} ({', '.join(sorted(units))})",
            repr(table.unit_label),
        )


def resolve_unit(table: BudgetTable, source: RawSource, file: str) -> tuple[str, str]:
    """The one unit a table is stated in, from the file or else from the registry's ``unit:``.

    Two different units stated around one table (say 백만원 in the caption, 억원 in a note), or a
    registry unit that contradicts the file's, are errors: a wrong unit is a factor of 100 wrong.
    """
    units = known_units()
    if table.unit_label:
        mentions = [
            UnitMention(unit_of(table.unit_label) or "", table.unit_label, table.unit_place or "")
        ]
    else:
        mentions = [found for text, place in table.context for found in units_in(text, place)]
    for mention in mentions:
        if not mention.unit_label:
            raise SourceError(
                file,
                mention.place,
                f"a unit listed in dbt_project/seeds/{UNITS_SEED} ({', '.join(sorted(units))})",
                repr(mention.printed),
            )
    stated = distinct_units(mentions)
    override = None
    if source.unit is not None:
        label = unit_of(source.unit)
        if label is None:
            raise SourceError(
                file,
                "unit in its sources.yml entry",
                f"a unit listed in dbt_project/seeds/{UNITS_SEED} ({', '.join(sorted(units))})",
                repr(source.unit),
            )
        override = UnitMention(label, source.unit, "unit in its sources.yml entry")
        stated = distinct_units([*stated, override]) if stated else [override]
    if len(stated) > 1:
        first, second = stated[0], stated[1]
        raise SourceError(
            file,
            f"{first.place} and {second.place}",
            "one unit for the whole table",
            f"conflicting units {first.printed!r} and {second.printed!r}",
        )
    if not stated:
        raise SourceError(
            file,
            table.table_place or "whole file",
            "the table's unit, stated in its title, caption, header or a note "
            "('Unit: KRW 1 million', '(단위: 백만원)', '억원'), "
            "or `unit:` in its sources.yml entry",
            "no unit",
        )
    return stated[0].unit_label, stated[0].place


def resolve_labels(table: BudgetTable, file: str) -> dict[str, str]:
    """Map each row label to its budget line; an unknown label names its row."""
    aliases = line_aliases()
    resolved: dict[str, str] = {}
    for cell in table.cells:
        if cell.row_label in resolved:
            continue
        line_code = aliases.get(label_key(cell.row_label))
        if line_code is None:
            raise SourceError(
                file,
                cell.where_row,
                f"a row label listed in dbt_project/seeds/{LINE_ALIASES_SEED} "
                "(add it there if it names a known budget line)",
                repr(cell.row_label),
                hint=_misread_hint(cell.row_label),
            )
        resolved[cell.row_label] = line_code
    return resolved


def _misread_hint(label: str) -> str | None:
    """When an unknown label is Korean text read in the wrong encoding, say so."""
    misread = misread_korean([label])
    if misread is None:
        return None
    text, repaired, read_as, written_in = misread
    return (
        f"The label looks mis-decoded: {text!r} reads {repaired!r} as {written_in} bytes taken "
        f"for {read_as}. If the file is in {written_in}, declare it with `encoding: {written_in}` "
        "in its sources.yml entry; if the file itself holds the garbled text, save it again from "
        "the original."
    )


def check_lines(table: BudgetTable, line_codes: dict[str, str], file: str) -> None:
    """Each budget line once per year (also under two labels), and a Total row."""
    seen: dict[tuple[str, int], str] = {}
    for cell in table.cells:
        key = (line_codes[cell.row_label], cell.fiscal_year)
        first = seen.setdefault(key, cell.where_row)
        if first != cell.where_row:
            raise SourceError(
                file,
                cell.where_row,
                f"each budget line once per year, but {cell.row_label!r} {cell.fiscal_year} is "
                f"the same line ({key[0]}) as the row at {first}",
                "a duplicate row",
            )
    kinds = budget_line_kinds()
    if not any(kinds.get(code) == "total" for code in line_codes.values()):
        labels = sorted(key for key, code in line_aliases().items() if kinds.get(code) == "total")
        raise SourceError(
            file,
            table.table_place
            or f"lines {table.header_line}–{max(cell.line_number for cell in table.cells)}",
            f"a Total row ({' or '.join(repr(label) for label in labels)}), which the table's "
            "figures are reconciled against",
            "no Total row",
        )


def check_amounts(table: BudgetTable, unit_label: str, file: str) -> None:
    """Budget amounts are not negative and fit the warehouse (see ``amounts.MAX_KRW_MILLION``)."""
    factor = unit_factors()[unit_label]
    for cell in table.cells:
        if cell.amount < 0:
            raise SourceError(
                file,
                cell.where,
                "a budget amount of zero or more",
                f"the negative amount {cell.amount_text!r}",
            )
        if Decimal(cell.amount) * factor > MAX_KRW_MILLION:
            raise SourceError(
                file,
                cell.where,
                f"an amount below {MAX_KRW_MILLION:,} KRW million",
                f"{cell.amount_text!r} {unit_label} (an overflowing amount)",
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
    insert_rows(con, f"raw.{table}", [[row[column] for column in columns] for row in rows], columns)


def land_pages(
    con: duckdb.DuckDBPyConnection,
    pages: Sequence[ParsedPage],
    control_totals: Sequence[ParsedControlTotals] = (),
    rule: ValueOfRecordRule | None = None,
    acknowledgements: AcknowledgementsFile | None = None,
    cited: Sequence[ParsedCitedFigures] = (),
    books: Sequence[ParsedLocalBook] = (),
) -> dict[str, int]:
    """Replace the raw tables with these files; returns the row count of each table.

    ``rule`` is the registry's value of record (the documented default when None), landed as
    rows (``criterion`` and ``phase`` by rank) for ``marts.fct_budget_current`` to apply;
    ``acknowledgements``, the raw folder's acknowledged differences (none when None)."""
    read_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(RAW_SCHEMA_DDL)
    rule = rule or ValueOfRecordRule()
    _insert(
        con,
        "value_of_record",
        [
            {"rule_kind": kind, "item": item, "item_rank": rank}
            for kind, items in (("criterion", rule.criteria), ("phase", rule.phase_authority))
            for rank, item in enumerate(items, start=1)
        ],
    )
    parsed_files: list[ParsedSource] = [*pages, *control_totals, *cited, *books]
    for parsed in parsed_files:
        source = parsed.raw.source
        _insert(
            con,
            "source_files",
            [
                {
                    "source_file": source.file,
                    "source_sha256": parsed.raw.sha256,
                    "size_bytes": len(parsed.raw.data),
                    "source_format": source.format,
                    "title": source.title,
                    "publisher": source.publisher,
                    "phase": source.phase,
                    "is_phase_default": source.is_phase_default,
                    "note": source.note,
                    "read_at": read_at,
                    "publication_date": source.publication_date,
                    "unit_override": source.unit,
                    "is_blocking_comparison": source.blocking_comparisons,
                    "registry_order": source.registry_order,
                    "allows_unit_mismatch": source.allow_unit_mismatch,
                    "source_url": source.url,
                    "licence": source.licence,
                }
            ],
        )
    for page in pages:
        _land_table(con, page)
    for parsed in control_totals:
        _land_control_totals(con, parsed)
    for parsed_cited in cited:
        _land_cited_figures(con, parsed_cited)
    land_local_books(con, books)
    if acknowledgements is not None:
        _land_acknowledgements(con, acknowledgements)
    return {
        name: one_row(con.execute(f"select count(*) from raw.{name}"))[0] for name in RAW_TABLES
    }


def _land_table(con: duckdb.DuckDBPyConnection, page: ParsedPage) -> None:
    source, table = page.raw.source, page.table
    provenance = {"source_file": source.file, "source_sha256": page.raw.sha256}
    _insert(
        con,
        "budget_tables",
        [
            {
                **provenance,
                "table_title": table.title or source.title,
                "title_line": table.title_line,
                "unit_label": page.unit_label,
                "unit_printed": table.unit_label or None,
                "unit_place": page.unit_place,
                "header_label": table.header_label,
                "header_line": table.header_line,
                "reference": table.reference,
                "reference_line": table.reference_line,
                "table_shape": table.shape,
                "table_place": table.table_place,
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
                "amount": Decimal(cell.amount),
                "amount_decimals": cell.decimals,
                "line_code": page.line_codes[cell.row_label],
                "cell_place": cell.where,
                "source_locator": cell.locator(source.file),
            }
            for cell in table.cells
        ],
    )


def _land_control_totals(con: duckdb.DuckDBPyConnection, parsed: ParsedControlTotals) -> None:
    source = parsed.raw.source
    _insert(
        con,
        "control_totals",
        [
            {
                "source_file": source.file,
                "source_sha256": parsed.raw.sha256,
                "line_number": total.line_number,
                "fiscal_year": total.fiscal_year,
                "line_label": total.line_label,
                "line_code": total.line_code,
                "amount_text": total.amount_text,
                "amount": total.amount,
                "amount_decimals": total.decimals,
                "unit_label": total.unit_label,
                "precision_text": total.precision_text,
                "precision_step": total.precision_step,
                "precision_unit_label": total.precision_unit_label,
                "precision_krw_million": total.precision_krw_million,
                "stated_by": total.stated_by,
                "phase": total.phase,
                "note": total.note,
            }
            for total in parsed.totals
        ],
    )


def _land_cited_figures(con: duckdb.DuckDBPyConnection, parsed: ParsedCitedFigures) -> None:
    source = parsed.raw.source
    _insert(
        con,
        "cited_figures",
        [
            {
                "source_file": source.file,
                "source_sha256": parsed.raw.sha256,
                "line_number": figure.line_number,
                "fiscal_year": figure.fiscal_year,
                "account_printed": figure.account_printed,
                "measure": figure.measure,
                "item_printed": figure.item_printed,
                "item_code": figure.item_code,
                "line_code": figure.line_code,
                "sub_account_name_that_year": figure.sub_account_name_that_year,
                "mapping": figure.mapping,
                "basis_code": figure.basis_code,
                "amount_text": figure.amount_text,
                "amount": figure.amount,
                "amount_decimals": figure.decimals,
                "unit_label": figure.unit_label,
                "precision_text": figure.precision_text,
                "precision_step": figure.precision_step,
                "precision_unit_label": figure.precision_unit_label,
                "precision_half": figure.precision_half,
                "phase": figure.phase,
                "stated_by": figure.stated_by,
                "published": figure.published,
                "publication_date": figure.publication_date,
                "url": figure.url,
                "locator": figure.locator,
                "note": figure.note,
            }
            for figure in parsed.figures
        ],
    )


def _land_acknowledgements(con: duckdb.DuckDBPyConnection, parsed: AcknowledgementsFile) -> None:
    """The file itself (so that the build names it among its raw files, even without rows), and
    its rows."""
    con.execute(
        "insert into raw.acknowledgement_files values (?, ?, ?)",
        [parsed.file, parsed.sha256, parsed.size_bytes],
    )
    if not parsed.rows:
        return
    _insert(
        con,
        "acknowledged_differences",
        [
            {
                "source_file": parsed.file,
                "source_sha256": parsed.sha256,
                "line_number": row.line_number,
                "fiscal_year": row.fiscal_year,
                "line_label": row.line_label,
                "line_code": row.line_code,
                "source": row.source,
                "other_source": row.other_source,
                "other_stated_by": row.other_stated_by,
                "figure_text": row.figure_text,
                "figure_krw_million": row.figure_krw_million,
                "other_figure_text": row.other_figure_text,
                "other_figure_krw_million": row.other_figure_krw_million,
                "reason": row.reason,
                "accepted_by": row.accepted_by,
                "accepted_on": row.accepted_on,
            }
            for row in parsed.rows
        ],
    )
