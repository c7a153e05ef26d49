"""Parse the budget table out of the published page text.

The page (see ``data_raw/``) prints the table as plain lines::

    Budget for the Special Accounts for Balanced National Development (Unit: KRW 1 million)
    <an accessibility caption in Korean>
    Category 2015 2016 2017 2018 2019 2020
    Total 10,338,940 9,973,926 ...
    ...
    Reference : The Ministry of Economy and Finance

Row labels are kept exactly as published: mapping them to accounts is reference data that people
maintain (a dbt seed), not code. Every amount keeps the line and the year column it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipelines.core.errors import SourceError

TITLE_PATTERN = re.compile(
    r"^\s*(?P<title>Budget\b.*?)\s*\(\s*Unit\s*:\s*(?P<unit>[^)]+?)\s*\)\s*$"
)
# ASCII digits only: a full-width "１０２" is not silently read as 102.
YEAR_TOKEN = re.compile(r"^(?:FY)?(?P<year>(?:19|20)[0-9]{2})(?:년)?$", re.IGNORECASE)
# A token shaped like a year whatever its value ("1875", "FY2150"): outside YEAR_RANGE it is named
# as a year out of range, not read as a label or an amount.
YEAR_SHAPED = re.compile(r"^(?:FY)?(?P<year>[0-9]{4})(?:년)?$", re.IGNORECASE)
YEAR_RANGE = "1900–2099"
AMOUNT_TOKEN = re.compile(r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$")
REFERENCE_PATTERN = re.compile(r"^\s*Reference\s*:\s*(?P<reference>.+?)\s*$", re.IGNORECASE)

# How far below the title the header row may stand (the page puts one caption line between).
MAX_LINES_BEFORE_HEADER = 5


@dataclass(frozen=True)
class BudgetCell:
    """One published amount, with the place it was read from.

    The page, CSV and HTML give a line of the file; a workbook gives its sheet and cell. ``place``
    says it in words for messages (``line 57, column 2018``, ``sheet 'Budget', cell C7``) and
    ``position`` for the source locator (``57`` or ``Budget!C7``).
    """

    row_number: int  # 1-based position of the row in the table
    row_label: str  # as published
    line_number: int  # 1-based line in the file (the row of the sheet for a workbook)
    column_label: str  # header token as published, e.g. "2015"
    fiscal_year: int
    amount_text: str  # as published, e.g. "10,338,940"
    amount: Decimal | int  # in the table's own unit
    decimals: int = 0  # digits after the decimal point as printed
    place: str | None = None
    position: str | None = None
    row_place: str | None = None

    @property
    def where(self) -> str:
        return self.place or f"line {self.line_number}, column {self.column_label}"

    @property
    def where_row(self) -> str:
        return self.row_place or f"line {self.line_number}"

    def locator(self, file: str) -> str:
        """``<file>:<line> [<year column>]`` (or ``<file>:<sheet>!<cell> [<year column>]``)."""
        return f"{file}:{self.position or self.line_number} [{self.column_label}]"


@dataclass(frozen=True)
class BudgetTable:
    """The table as printed: title, unit, header, amounts and the reference line."""

    title: str
    title_line: int | None
    unit_label: str  # as printed; empty when the table states none (see ``unit_place``)
    header_label: str
    header_line: int
    years: tuple[int, ...]
    cells: tuple[BudgetCell, ...]
    reference: str | None
    reference_line: int | None
    shape: str = "wide"  # wide: a column per year; long: account, year, amount columns
    table_place: str | None = None  # which table of the file: "sheet 'Budget'", "table 2"
    unit_place: str | None = None  # where the unit is stated
    # Every text around the table that may state its unit: (text, place).
    context: tuple[tuple[str, str], ...] = ()

    @property
    def row_labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(cell.row_label for cell in self.cells))


def parse_amount(text: str) -> int:
    """An integer amount as printed: ``10,338,940`` or ``102218`` (thousands groups of three)."""
    if not AMOUNT_TOKEN.match(text):
        raise ValueError(f"not an amount: {text!r}")
    return int(text.replace(",", ""))


def parse_budget_page(text: str, file: str) -> BudgetTable:
    """Find and parse the one budget table in ``text``; ``file`` is used in error messages."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SourceError(file, f"line {line}", "text", "a NUL byte (binary data?)")
    lines = [line.rstrip("\r") for line in text.split("\n")]

    title_index = _find_title(lines, file)
    title_match = TITLE_PATTERN.match(lines[title_index])
    assert title_match is not None  # _find_title only returns matching lines
    header_index, header_label, year_labels = _find_header(lines, title_index, file)
    years = tuple(_year_of(label) for label in year_labels)
    if len(set(years)) != len(years):
        raise SourceError(
            file,
            f"line {header_index + 1}",
            "each year once in the header",
            f"years {' '.join(year_labels)}",
        )

    cells: list[BudgetCell] = []
    index = header_index + 1
    row_number = 0
    while index < len(lines) and lines[index].strip() and not REFERENCE_PATTERN.match(lines[index]):
        row_number += 1
        cells.extend(_parse_row(lines[index], index + 1, row_number, year_labels, years, file))
        index += 1
    if row_number == 0:
        raise SourceError(
            file, f"line {index + 1}", "at least one table row below the header", "none"
        )

    reference, reference_line = _find_reference(lines, index, file)
    return BudgetTable(
        title=title_match["title"],
        title_line=title_index + 1,
        unit_label=title_match["unit"],
        header_label=header_label,
        header_line=header_index + 1,
        years=years,
        cells=tuple(cells),
        reference=reference,
        reference_line=reference_line,
        unit_place=f"line {title_index + 1}",
    )


def _find_title(lines: list[str], file: str) -> int:
    matches = [i for i, line in enumerate(lines) if TITLE_PATTERN.match(line)]
    if not matches:
        raise SourceError(
            file, "whole file", "a table title line 'Budget … (Unit: …)'", "no such line"
        )
    if len(matches) > 1:
        where = ", ".join(str(i + 1) for i in matches)
        raise SourceError(
            file, f"lines {where}", "exactly one budget table title", f"{len(matches)} titles"
        )
    return matches[0]


def _find_header(lines: list[str], title_index: int, file: str) -> tuple[int, str, list[str]]:
    last = min(len(lines), title_index + 1 + MAX_LINES_BEFORE_HEADER)
    for index in range(title_index + 1, last):
        tokens = lines[index].split()
        if not tokens:
            continue
        split = _year_columns_start(tokens)
        if split is not None:
            out_of_range = [t for t in tokens[:split] if YEAR_SHAPED.match(t)]
            if out_of_range:
                raise SourceError(
                    file,
                    f"line {index + 1}",
                    f"fiscal years {YEAR_RANGE} in the header",
                    f"the year {out_of_range[-1]!r} in {lines[index].strip()!r}",
                )
            return index, " ".join(tokens[:split]), tokens[split:]
        if any(AMOUNT_TOKEN.match(token) for token in tokens):
            break  # a row of figures before any header: the header is missing
    raise SourceError(
        file,
        f"lines {title_index + 2}–{last}",
        "a header row of years below the title, such as 'Category 2015 2016 …'",
        "none",
    )


def _year_columns_start(tokens: list[str]) -> int | None:
    """Index of the first year token when every token from there on is a year."""
    for start in range(len(tokens)):
        if all(YEAR_TOKEN.match(token) for token in tokens[start:]):
            return start
        if YEAR_TOKEN.match(tokens[start]):
            return None  # a year followed by something that is not a year
    return None


def _year_of(label: str) -> int:
    match = YEAR_TOKEN.match(label)
    assert match is not None
    return int(match["year"])


def _parse_row(
    line: str,
    line_number: int,
    row_number: int,
    year_labels: list[str],
    years: tuple[int, ...],
    file: str,
) -> list[BudgetCell]:
    tokens = line.split()
    width = len(years)
    amounts = tokens[-width:]
    label = " ".join(tokens[:-width])
    place = f"line {line_number}"
    bad = [(i, t) for i, t in enumerate(amounts) if not AMOUNT_TOKEN.match(t)]
    if len(tokens) <= width or bad:
        found = f"{line.strip()!r}"
        if bad:
            column = year_labels[bad[0][0]] if len(tokens) > width else "?"
            place = f"line {line_number}, column {column}"
            found = f"{bad[0][1]!r} in {found}"
        raise SourceError(
            file,
            place,
            f"a row label followed by {width} amounts (one per year {years[0]}–{years[-1]})",
            found,
        )
    return [
        BudgetCell(
            row_number=row_number,
            row_label=label,
            line_number=line_number,
            column_label=column_label,
            fiscal_year=year,
            amount_text=amount_text,
            amount=parse_amount(amount_text),
        )
        for column_label, year, amount_text in zip(year_labels, years, amounts, strict=True)
    ]


def _find_reference(lines: list[str], after_rows: int, file: str) -> tuple[str, int]:
    """The first non-blank line below the rows must be the reference line.

    Requiring it also catches a blank line inside the table, which would otherwise end the table
    early and silently drop the rows below it.
    """
    index = after_rows
    while index < len(lines) and not lines[index].strip():
        index += 1
    found = repr(lines[index].strip()) if index < len(lines) else "the end of the file"
    match = REFERENCE_PATTERN.match(lines[index]) if index < len(lines) else None
    if match is None:
        raise SourceError(
            file,
            f"line {min(index, len(lines) - 1) + 1}",
            "the reference line 'Reference : <publisher>' right below the table's rows",
            found,
        )
    return match["reference"], index + 1
