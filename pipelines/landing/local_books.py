"""Land local governments' budget books (``sources.local_budget_book``) in schema ``raw``.

Three tables, every value with its file and place: ``raw.local_books`` (one row per book: whose
it is, year, phase, unit, what its funding columns split, the special account's column and the
회계 it names that year), ``raw.local_book_rows`` (every row: line, heading or the book's own
total, with its amounts in KRW million and the special account's part) and
``raw.local_book_funding`` (each row's non-zero funding columns). Two books of one government,
year and phase stop the run, naming both files: one of them would count twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import duckdb

from pipelines.core.errors import SourceError
from pipelines.core.sql import insert_rows
from pipelines.sources.local_budget_book import (
    FUNDING_SOURCES,
    SPECIAL_ACCOUNT,
    BookRow,
    LocalBook,
    parse_local_budget_book,
)
from pipelines.sources.local_governments import LocalGovernment, government_of
from pipelines.sources.registry import RawFile, RawSource, read_source

LOCAL_BOOK_TABLES = ("local_books", "local_book_rows", "local_book_funding")
# Each row's funding by source beside the special account's (the columns as printed are in
# raw.local_book_funding): national_subsidy_krw_million, fund_subsidy_krw_million, …
OTHER_SOURCES = tuple(source for source in FUNDING_SOURCES if source != SPECIAL_ACCOUNT)
LOCAL_BOOKS_DDL = """
create or replace table raw.local_books (
    source_file varchar not null primary key,
    source_sha256 varchar not null,
    government_code varchar not null,
    fiscal_year integer not null,
    phase varchar not null,
    phase_printed varchar not null,
    split_basis varchar not null,
    unit_label varchar not null,
    unit_place varchar not null,
    header_rows integer not null,
    special_account_column varchar not null,
    special_account_place varchar not null,
    account_name_that_year varchar not null
);
create or replace table raw.local_book_rows (
    source_file varchar not null,
    source_sha256 varchar not null,
    line_number integer not null,
    row_place varchar not null,
    row_role varchar not null,
    local_account varchar not null,
    department varchar not null,
    detail_project varchar not null,
    stat_item_code varchar not null,
    stat_item_name varchar not null,
    basis varchar not null,
    marker_depth integer,
    budget_krw_million decimal(38, 6) not null,
    prior_krw_million decimal(38, 6),
    change_krw_million decimal(38, 6),
    special_account_krw_million decimal(38, 6) not null,
    {OTHER_FUNDING},
    primary key (source_file, line_number)
);
create or replace table raw.local_book_funding (
    source_file varchar not null,
    line_number integer not null,
    column_printed varchar not null,
    funding_source varchar not null,
    amount_krw_million decimal(38, 6) not null
);
""".replace(
    "{OTHER_FUNDING}",
    ",\n    ".join(f"{source}_krw_million decimal(38, 6) not null" for source in OTHER_SOURCES),
)


@dataclass(frozen=True)
class ParsedLocalBook:
    raw: RawFile
    book: LocalBook
    government: LocalGovernment


def parse_local_book(source: RawSource) -> ParsedLocalBook:
    """Read one registered book; its government must be listed for the book's year, and a phase
    its entry states must be the book's."""
    raw = read_source(source)
    file = str(source.path)
    book = parse_local_budget_book(
        raw.data, file, declared_unit=source.unit, encoding=source.encoding, sheet=source.table
    )
    where, place = "data_raw/sources.yml", f"the entry of {source.file}"
    assert source.government is not None  # required on this format by the registry
    government = government_of(source.government, book.fiscal_year, where, f"{place}, government")
    if not source.is_phase_default and source.phase != book.phase:
        raise SourceError(
            where, f"{place}, phase", f"the book's own phase ({book.phase_printed}: {book.phase})",
            source.phase,
        )  # fmt: skip
    # The book states its phase: that is the file's, not the registry's default.
    raw = replace(raw, source=replace(source, phase=book.phase, is_phase_default=False))
    return ParsedLocalBook(raw, book, government)


def land_local_books(con: duckdb.DuckDBPyConnection, books: Sequence[ParsedLocalBook]) -> None:
    """Create the tables and land ``books`` (their ``raw.source_files`` rows are the caller's)."""
    con.execute(LOCAL_BOOKS_DDL)
    _refuse_two_books_of_one_government(books)
    for parsed in books:
        _land(con, parsed)


def _refuse_two_books_of_one_government(books: Sequence[ParsedLocalBook]) -> None:
    seen: dict[tuple[str, int, str], str] = {}
    for parsed in books:
        key = (parsed.government.code, parsed.book.fiscal_year, parsed.book.phase)
        other = seen.setdefault(key, parsed.raw.source.file)
        if other != parsed.raw.source.file:
            raise SourceError(
                str(parsed.raw.source.path), "whole file",
                f"one book per government, year and phase ({parsed.government.full_name_ko} "
                f"{key[1]} {key[2]} is also {other})", "a second",
            )  # fmt: skip


def _land(con: duckdb.DuckDBPyConnection, parsed: ParsedLocalBook) -> None:
    book, file, sha = parsed.book, parsed.raw.source.file, parsed.raw.sha256
    con.execute(
        "insert into raw.local_books values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            file, sha, parsed.government.code, book.fiscal_year, book.phase, book.phase_printed,
            book.split_basis, book.unit_label, book.unit_place, book.header_rows,
            book.special_account_column, book.special_account_place, book.account_name_that_year,
        ],
    )  # fmt: skip
    insert_rows(con, "raw.local_book_rows", [_row_values(file, sha, row) for row in book.rows])
    funding = [
        [file, row.line_number, printed, source, amount]
        for row in book.rows
        for printed, source, amount in row.funding
        if amount != 0
    ]
    insert_rows(con, "raw.local_book_funding", funding)


def _row_values(file: str, sha: str, row: BookRow) -> list[object]:
    return [
        file, sha, row.line_number, row.place, row.role, row.local_account, row.department,
        row.detail_project, row.stat_item_code, row.stat_item_name, row.basis, row.marker_depth,
        row.budget, row.prior, row.change, row.special_account,
        *(row.funding_from(source) for source in OTHER_SOURCES),
    ]  # fmt: skip
