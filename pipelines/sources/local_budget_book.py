"""Local governments' budget books: the special account as a funding source of each line.

A local government publishes its expenditure budget book (세출예산서) with a "세출 검색용" file, an
XLSX or CSV with one row per 세부사업 × 통계목 × 산출근거 (docs/research/local_budget_books.md).
In it the special account is not a 회계: the 회계 is the local government's own (일반회계, a
기타특별회계), and the national special account is one of the **funding columns** that split
each row's amount (국고보조금, 지역균형발전특별회계보조금, 기금보조금, …, 자체재원).

How a file is read (registered as ``format: local_budget_book``; the registry entry names the
government, which the file itself does not):

- **Header**: found by its labels, not its row number: the first row (of the first
  ``HEADER_SEARCH_ROWS``) naming 회계연도; a title and a unit row (``(단위 : 천원)``) may stand
  above it. A second header row below it (the funding names under a merged ``비교증감(재원별)``)
  is flattened: each column is named by its lower label, and its upper label, when another,
  is its group. Every column must be one ``ref_local_book_columns.csv`` lists (an unknown
  column stops the run, named: add it to the seed), so each era's labels are a data change.
- **The special account's column**: the one funding column whose name the seed maps to the
  account (``funding_source = special_account``): its name is checked against the account's
  name of the book's year (``ref_account_history.csv``): a column named after the account of
  another era stops the run with the years its name is known for.
- **Phase**: from 예산구분, one per book: 본예산 → ``enacted``; 추경3회, 제3회 추경, 추경 3차 →
  ``supplementary_3``.
- **What the funding columns split**: the change (비교증감) in a supplementary book, or when
  their group is headed 비교증감/조정증감; otherwise the budget (예산액). Every line's funding
  columns must add up to that amount exactly: a row where they do not stops the run, naming
  the row, the columns and both sums.
- **Roles of rows**: a row of 합계/총계/계 is the book's own **total**; a row whose 산출근거
  marker (○ ｏ ㆍ - ˚) is followed by deeper rows of the same 회계, 부서, 세부사업 and 통계목 is
  a **heading** (it repeats its children's amounts: counted once, by its children); every other
  row is a **line**. All are kept; only lines are added up.

Amounts are converted from the unit the file states (or the registry declares; a contradiction
stops the run) to KRW million. No Dagster import: the landing (``landing.raw_landing``) calls it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path

from pipelines.core.errors import SourceError
from pipelines.core.settings import SEEDS_DIR
from pipelines.sources.amounts import MAX_KRW_MILLION, parse_amount, units_in
from pipelines.sources.budget_grid import Grid, GridRow
from pipelines.sources.reference import (
    account_history,
    account_name_key,
    label_key,
    read_seed,
    unit_factors,
)
from pipelines.sources.table_files import csv_grid, xlsx_grids

COLUMNS_SEED = "ref_local_book_columns.csv"
# The fields a row's labels are read as, then its amounts and the funding columns.
LABEL_FIELDS = (
    "fiscal_year",
    "budget_phase",
    "local_account",
    "department",
    "detail_project",
    "stat_item_code",
    "stat_item_name",
    "basis",
)
FIELDS = (*LABEL_FIELDS, "budget_amount", "prior_amount", "change_amount", "funding")
REQUIRED = ("fiscal_year", "budget_phase", "local_account", "detail_project", "budget_amount")
SPECIAL_ACCOUNT = "special_account"
FUNDING_SOURCES = (
    "national_subsidy",
    SPECIAL_ACCOUNT,
    "fund_subsidy",
    "special_grant",
    "provincial_subsidy",
    "adjustment_grant",
    "own_revenue",
    "local_bond",
    "other",
)
HEADER_SEARCH_ROWS = 20
# Rows that print the book's own total, by the first label they carry.
TOTAL_LABELS = frozenset({"합계", "총계", "총합계"})
# Groups over the funding columns that say they split the change, not the budget.
CHANGE_GROUPS = ("비교증감", "조정증감", "증감")
# 산출근거 markers, outermost first: 구리시 uses ○ ｏ ㆍ -, 포항시 ○ - ˚ (research §2.3).
MARKER_DEPTH = {
    **dict.fromkeys("○⊙◎●", 0),
    **dict.fromkeys("ｏ◦", 1),
    **dict.fromkeys("ㆍ·•∙", 2),
    **dict.fromkeys("-－–", 3),
    **dict.fromkeys("˚°", 4),
}
MAX_ROUND = 20
_ENACTED = re.compile(r"^본\s*예산$")
_ROUND = re.compile(
    r"^(?:제\s*)?(?P<a>\d{1,2})\s*(?:회|차)\s*추(?:가)?\s*경(?:정)?(?:\s*예산)?$"
    r"|^추(?:가)?\s*경(?:정)?(?:\s*예산)?\s*(?:제\s*)?(?P<b>\d{1,2})\s*(?:회|차)?$"
)
_YEAR = re.compile(r"^(?P<year>(?:19|20)\d{2})(?:\s*(?:년|년도|/.*))?$")
ROLES = ("line", "heading", "total")


@dataclass(frozen=True)
class BookColumn:
    """A column a local budget book may have, as listed in ``ref_local_book_columns.csv``."""

    name: str
    field: str  # one of FIELDS
    funding_source: str | None  # for ``funding``: one of FUNDING_SOURCES
    account_names: tuple[str, ...]  # for the special account: the 회계 its name is of


@cache
def book_columns(seeds_dir: Path = SEEDS_DIR) -> dict[str, BookColumn]:
    """Column key → its field; a name listed twice must keep its field (the special account's
    labels may name several 회계: 균특보조금 is of 국가균형발전 and 지역균형발전특별회계)."""
    columns: dict[str, BookColumn] = {}
    for number, row in enumerate(read_seed(COLUMNS_SEED, seeds_dir), start=2):
        place = (str(seeds_dir / COLUMNS_SEED), f"line {number}")
        if row["field"] not in FIELDS:
            raise SourceError(*place, f"a field among {', '.join(FIELDS)}", repr(row["field"]))
        source = row["funding_source"] or None
        if (row["field"] == "funding") != (source in FUNDING_SOURCES):
            raise SourceError(
                *place, f"funding columns with a funding_source among {', '.join(FUNDING_SOURCES)}",
                repr(source),
            )  # fmt: skip
        if (source == SPECIAL_ACCOUNT) != bool(row["account_name_ko"]):
            raise SourceError(
                *place, "an account_name_ko on the special account's columns only",
                repr(row["account_name_ko"]),
            )  # fmt: skip
        key = _key(row["column_name"])
        first = columns.get(key)
        names: tuple[str, ...] = (row["account_name_ko"],) if row["account_name_ko"] else ()
        if first is not None:
            if (first.field, first.funding_source) != (row["field"], source):
                raise SourceError(*place, "each column name to keep one field", repr(row))
            names = first.account_names + names
        columns[key] = BookColumn(row["column_name"], row["field"], source, names)
    return columns


def _key(text: str) -> str:
    return label_key(text).replace(" ", "")


@dataclass(frozen=True)
class BookRow:
    """One row of a book, its amounts in KRW million."""

    line_number: int
    place: str
    role: str  # one of ROLES
    local_account: str
    department: str
    detail_project: str
    stat_item_code: str
    stat_item_name: str
    basis: str
    marker_depth: int | None
    budget: Decimal
    prior: Decimal | None
    change: Decimal | None
    funding: tuple[tuple[str, str, Decimal], ...]  # (column as printed, funding source, amount)

    @property
    def special_account(self) -> Decimal:
        return self.funding_from(SPECIAL_ACCOUNT)

    def funding_from(self, funding_source: str) -> Decimal:
        """The row's funding from one source (its columns added up: 시비 and 자체재원 are both
        own revenue)."""
        return sum(
            (amount for _, source, amount in self.funding if source == funding_source),
            Decimal(0),
        )


@dataclass(frozen=True)
class LocalBook:
    """A local government's budget book, read and checked."""

    fiscal_year: int
    phase: str
    phase_printed: str
    split_basis: str  # "budget" or "change": what the funding columns split
    unit_label: str
    unit_place: str
    header_rows: int
    special_account_column: str  # as printed
    special_account_place: str
    account_name_that_year: str  # the 회계 that column names in the book's year
    funding_columns: tuple[tuple[str, str], ...]  # (as printed, funding source), in file order
    rows: tuple[BookRow, ...]


def parse_local_budget_book(
    data: bytes,
    file: str,
    *,
    declared_unit: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    seeds_dir: Path = SEEDS_DIR,
) -> LocalBook:
    """Read one book (XLSX by its name's extension, otherwise CSV); every refusal names the
    file, the row or cell and what was expected."""
    grid = _grid(data, file, encoding, sheet)
    header_index = _header_index(grid, file)
    header = grid.rows[header_index]
    lower = _second_header(grid, header_index, seeds_dir)
    columns = _columns(header, lower, file, seeds_dir)
    body = grid.rows[header_index + (2 if lower else 1) :]
    unit_label, unit_place, factor = _unit(grid.rows[:header_index], file, declared_unit)
    reader = _Reader(file, columns, factor)
    rows = _with_headings(reader.rows(body))
    if not any(row.role == "line" for row in rows):
        raise SourceError(file, f"below the header ({header.place})", "lines", "none")
    year, phase, printed = reader.year, reader.phase, reader.phase_printed
    assert year is not None and phase is not None  # set by every line
    special = _special_account_column(columns, header, file, seeds_dir)
    account = _account_name_that_year(special, year, file, header.place)
    split = "change" if _splits_change(columns, phase) else "budget"
    if split == "change" and "change_amount" not in {c.field for c in columns.values()}:
        raise SourceError(
            file, header.place,
            "a 비교증감 column: a supplementary book's funding splits the change", "none",
        )  # fmt: skip
    reader.check_funding(rows, split)
    return LocalBook(
        fiscal_year=year,
        phase=phase,
        phase_printed=printed,
        split_basis=split,
        unit_label=unit_label,
        unit_place=unit_place,
        header_rows=2 if lower else 1,
        special_account_column=special.printed,
        special_account_place=special.place,
        account_name_that_year=account,
        funding_columns=tuple(
            (c.printed, c.column.funding_source or "")
            for c in columns.values()
            if c.field == "funding"
        ),
        rows=tuple(rows),
    )


def phase_of(text: str) -> str | None:
    """``enacted`` for 본예산, ``supplementary_<n>`` for the n-th 추경; None for anything else."""
    key = " ".join(label_key(text).split())
    if _ENACTED.match(key):
        return "enacted"
    match = _ROUND.match(key)
    if not match:
        return None
    number = int(match["a"] or match["b"])
    return f"supplementary_{number}" if 1 <= number <= MAX_ROUND else None


def marker_depth(basis: str) -> int | None:
    """The level of a 산출근거 by its leading marker (``○`` 0 … ``˚`` 4); None without one."""
    text = basis.strip()
    return MARKER_DEPTH.get(text[0]) if text else None


# --- the grid and its header -------------------------------------------------------------------


def _grid(data: bytes, file: str, encoding: str | None, sheet: str | None) -> Grid:
    if not file.lower().endswith(".xlsx"):
        return csv_grid(data, file, encoding)
    grids = xlsx_grids(data, file)
    if sheet is not None:
        chosen = [grid for grid in grids if grid.where == f"sheet {sheet!r}"]
        if not chosen:
            names = ", ".join(grid.where for grid in grids)
            raise SourceError(
                file, f"sheet {sheet!r}", f"a sheet of the workbook ({names})", "none"
            )
        return chosen[0]
    with_header = [grid for grid in grids if _find_header(grid) is not None]
    if len(with_header) > 1:
        names = ", ".join(grid.where for grid in with_header)
        raise SourceError(
            file, "whole file",
            "one sheet with a header naming 회계연도 (or `sheet:` in its entry)",
            f"{len(with_header)}: {names}",
        )  # fmt: skip
    return with_header[0] if with_header else grids[0]


def _find_header(grid: Grid) -> int | None:
    year_key = _key("회계연도")
    for index, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if any(_key(cell.text) == year_key for cell in row.cells):
            return index
    return None


def _header_index(grid: Grid, file: str) -> int:
    index = _find_header(grid)
    if index is None:
        where = f"{grid.where}, " if grid.where else ""
        raise SourceError(
            file, f"{where}first {HEADER_SEARCH_ROWS} rows",
            "a header row naming 회계연도, 예산구분, 회계구분명, 세부사업명, 예산액 and the "
            "funding columns (a local budget book's 세출 검색용 layout)", "none",
        )  # fmt: skip
    return index


def _second_header(grid: Grid, index: int, seeds_dir: Path) -> GridRow | None:
    """The row below the header when it names columns too (the funding names under a merged
    group): none of its cells is a number, and one names a listed column."""
    if index + 1 >= len(grid.rows):
        return None
    row = grid.rows[index + 1]
    known = book_columns(seeds_dir)
    texts = [cell.text for cell in row.cells if cell.text]
    if not texts or any(_is_number(text) for text in texts):
        return None
    top = grid.rows[index]
    if any(
        _key(cell.text) in known and _key(cell.text) != _key(top.text(column))
        for column, cell in enumerate(row.cells)
    ):
        return row
    return None


def _is_number(text: str) -> bool:
    try:
        parse_amount(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _Column:
    index: int
    printed: str
    place: str
    group: str | None  # the upper header's label over a flattened column
    column: BookColumn

    @property
    def field(self) -> str:
        return self.column.field


def _columns(
    header: GridRow, lower: GridRow | None, file: str, seeds_dir: Path
) -> dict[int, _Column]:
    known = book_columns(seeds_dir)
    width = max(len(header.cells), len(lower.cells) if lower else 0)
    columns: dict[int, _Column] = {}
    seen: dict[str, _Column] = {}
    for index in range(width):
        top = header.text(index)
        sub = lower.text(index) if lower else ""
        printed, group = (sub, top) if sub and _key(sub) != _key(top) else (top, None)
        if not printed:
            continue
        place = (lower if lower is not None and group else header).cells[index].place
        column = known.get(_key(printed))
        if column is None:
            names = ", ".join(dict.fromkeys(c.name for c in known.values()))
            raise SourceError(
                file, place,
                f"a column of a local budget book: {names} (add a new one to "
                f"dbt_project/seeds/{COLUMNS_SEED})", repr(printed),
            )  # fmt: skip
        if column.field != "funding" and column.field in {c.field for c in seen.values()}:
            other = next(c for c in seen.values() if c.field == column.field)
            raise SourceError(
                file, place, f"one column of {column.field}",
                f"{printed!r} and {other.printed!r} ({other.place})",
            )  # fmt: skip
        if _key(printed) in seen:
            raise SourceError(file, place, "each column once", f"{printed!r} twice")
        seen[_key(printed)] = columns[index] = _Column(index, printed, place, group, column)
    fields = {column.field for column in columns.values()}
    missing = [field for field in REQUIRED if field not in fields]
    if missing or "funding" not in fields:
        raise SourceError(
            file, header.place,
            f"the columns of {', '.join(REQUIRED)} and the funding columns",
            f"no {', '.join(missing or ['funding column'])}",
        )  # fmt: skip
    return columns


def _unit(above: Sequence[GridRow], file: str, declared: str | None) -> tuple[str, str, Decimal]:
    factors = unit_factors()
    stated = [m for row in above for cell in row.cells for m in units_in(cell.text, cell.place)]
    unknown = [m for m in stated if not m.unit_label]
    if unknown:
        raise SourceError(
            file, unknown[0].place, f"a unit of ref_units.csv ({', '.join(factors)})",
            repr(unknown[0].printed),
        )  # fmt: skip
    other = next(
        (m for m in stated if factors[m.unit_label] != factors[stated[0].unit_label]), None
    )
    if other is not None:
        raise SourceError(
            file, other.place, f"one unit (as {stated[0].place} states)", other.printed
        )
    if declared is not None and declared not in factors:
        raise SourceError(file, "sources.yml, unit", "a unit of ref_units.csv", repr(declared))
    if stated and declared and factors[stated[0].unit_label] != factors[declared]:
        raise SourceError(
            file, stated[0].place, f"the unit its sources.yml entry declares ({declared})",
            stated[0].printed,
        )  # fmt: skip
    if stated:
        return stated[0].unit_label, stated[0].place, factors[stated[0].unit_label]
    if declared:
        return declared, "sources.yml", factors[declared]
    raise SourceError(
        file, "above the header", "a unit, e.g. (단위 : 천원), or `unit:` in its sources.yml entry",
        "none",
    )  # fmt: skip


@dataclass(frozen=True)
class _Special:
    printed: str
    place: str
    column: BookColumn


def _special_account_column(
    columns: dict[int, _Column], header: GridRow, file: str, seeds_dir: Path
) -> _Special:
    found = [c for c in columns.values() if c.column.funding_source == SPECIAL_ACCOUNT]
    if len(found) != 1:
        known = book_columns(seeds_dir).values()
        names = sorted({c.name for c in known if c.funding_source == SPECIAL_ACCOUNT})
        raise SourceError(
            file, header.place,
            f"one funding column of the special account ({', '.join(names)})",
            f"{len(found)}" + (f": {', '.join(c.printed for c in found)}" if found else ""),
        )  # fmt: skip
    return _Special(found[0].printed, found[0].place, found[0].column)


def _account_name_that_year(special: _Special, year: int, file: str, header_place: str) -> str:
    """The 회계 the column's name is of in ``year``; a name of another era stops the run."""
    keys = {account_name_key(name) for name in special.column.account_names}
    eras = [
        era for era in account_history() if era.sub_account_name is None and era.account_key in keys
    ]
    covering = [era for era in eras if era.covers(year)]
    if covering:
        return " / ".join(dict.fromkeys(era.account_name for era in covering))
    known = ", ".join(
        f"{era.first_year}–{era.last_year or ''} ({era.account_name})"
        for era in sorted(eras, key=lambda era: era.first_year)
    )
    raise SourceError(
        file, special.place,
        f"the special account's name of {year} (ref_account_history.csv): "
        f"{special.printed} names it in {known}", f"a book of {year}",
    )  # fmt: skip


def _splits_change(columns: dict[int, _Column], phase: str) -> bool:
    groups = [c.group for c in columns.values() if c.field == "funding" and c.group]
    if groups:
        return any(_key(groups[0]).startswith(word) for word in CHANGE_GROUPS)
    return phase != "enacted"


# --- rows --------------------------------------------------------------------------------------


class _Reader:
    """Reads the rows below the header; the book's year and phase from its first line."""

    def __init__(self, file: str, columns: dict[int, _Column], factor: Decimal) -> None:
        self.file = file
        self.columns = columns
        self.factor = factor
        self.by_field = {c.field: c for c in columns.values() if c.field != "funding"}
        self.funding = [c for c in columns.values() if c.field == "funding"]
        self.year: int | None = None
        self.phase: str | None = None
        self.phase_printed = ""
        self.year_place = ""

    def rows(self, body: Sequence[GridRow]) -> list[BookRow]:
        return [self._row(row) for row in body if not row.is_blank]

    def _text(self, row: GridRow, field: str) -> str:
        column = self.by_field.get(field)
        return row.text(column.index) if column else ""

    def _row(self, row: GridRow) -> BookRow:
        labels = [self._text(row, field) for field in LABEL_FIELDS]
        first = next((text for text in labels if text), "")
        role = "total" if _key(first) in TOTAL_LABELS else "line"
        if role == "line":
            self._year_and_phase(row)
        budget = self._amount(row, self.by_field["budget_amount"], required=role == "line")
        prior = self._optional(row, "prior_amount")
        change = self._optional(row, "change_amount")
        funding = tuple(
            (c.printed, c.column.funding_source or "", self._amount(row, c)) for c in self.funding
        )
        basis = self._text(row, "basis")
        return BookRow(
            line_number=row.line,
            place=row.place,
            role=role,
            local_account=self._text(row, "local_account"),
            department=self._text(row, "department"),
            detail_project=self._text(row, "detail_project"),
            stat_item_code=self._text(row, "stat_item_code"),
            stat_item_name=self._text(row, "stat_item_name"),
            basis=basis,
            marker_depth=marker_depth(basis),
            budget=budget,
            prior=prior,
            change=change,
            funding=funding,
        )

    def _year_and_phase(self, row: GridRow) -> None:
        year_column = self.by_field["fiscal_year"]
        text = row.text(year_column.index)
        match = _YEAR.match(text)
        if not match:
            raise SourceError(
                self.file, row.cells[year_column.index].place if text else row.place,
                "회계연도: a year such as 2025", repr(text),
            )  # fmt: skip
        year = int(match["year"])
        phase_column = self.by_field["budget_phase"]
        printed = row.text(phase_column.index)
        phase = phase_of(printed)
        if phase is None:
            raise SourceError(
                self.file, row.cells[phase_column.index].place if printed else row.place,
                f"예산구분: 본예산, or a numbered 추경 (추경3회, 제3회 추경; 1–{MAX_ROUND})",
                repr(printed),
            )  # fmt: skip
        if self.year is None:
            self.year, self.phase, self.phase_printed, self.year_place = (
                year, phase, printed, row.place,
            )  # fmt: skip
        elif (year, phase) != (self.year, self.phase):
            raise SourceError(
                self.file, row.place,
                f"one book: {self.year} {self.phase_printed} as on {self.year_place}",
                f"{year} {printed}",
            )  # fmt: skip

    def _optional(self, row: GridRow, field: str) -> Decimal | None:
        column = self.by_field.get(field)
        return None if column is None else self._amount(row, column)

    def _amount(self, row: GridRow, column: _Column, required: bool = False) -> Decimal:
        cell = row.cells[column.index] if column.index < len(row.cells) else None
        text = cell.text if cell else ""
        place = cell.place if cell else f"{row.place}, column {column.printed}"
        if not text:
            if required:
                raise SourceError(self.file, place, f"{column.printed}: an amount", "an empty cell")
            return Decimal(0)
        try:
            value = parse_amount(text).value * self.factor
        except ValueError as error:
            raise SourceError(
                self.file, place, f"{column.printed}: an amount", f"{text!r} ({error})"
            ) from None
        if abs(value) > MAX_KRW_MILLION:
            raise SourceError(
                self.file, place, f"{column.printed}: at most {MAX_KRW_MILLION:,} KRW million",
                text,
            )  # fmt: skip
        return value

    def check_funding(self, rows: list[BookRow], split: str) -> None:
        """Each line's funding adds up to the amount it splits, exactly."""
        name = "비교증감" if split == "change" else "예산액"
        for row in rows:
            if row.role != "line":
                continue
            target = row.change if split == "change" else row.budget
            assert target is not None  # a book splitting the change has its column (checked)
            total = sum((amount for _, _, amount in row.funding), Decimal(0))
            if total != target:
                parts = " + ".join(printed for printed, _, _ in row.funding)
                raise SourceError(
                    self.file, row.place,
                    f"the funding columns to add up to {name} ({_plain(target / self.factor)})",
                    f"{parts} = {_plain(total / self.factor)}",
                )  # fmt: skip


def _with_headings(rows: list[BookRow]) -> list[BookRow]:
    """Mark as headings the rows followed by deeper rows of the same line group."""
    marked = list(rows)
    for index, row in enumerate(rows[:-1]):
        after = rows[index + 1]
        if (
            row.role == "line"
            and row.marker_depth is not None
            and after.marker_depth is not None
            and after.marker_depth > row.marker_depth
            and _group(after) == _group(row)
        ):
            marked[index] = replace(row, role="heading")
    return marked


def _group(row: BookRow) -> tuple[str, str, str, str]:
    return (row.local_account, row.department, row.detail_project, row.stat_item_code)


def _plain(value: Decimal) -> str:
    return f"{value.normalize():,f}"
