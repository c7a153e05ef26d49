"""A budget table read from a grid of cells, whatever file the grid came from (CSV, XLSX, HTML).

The readers in ``sources.table_files`` turn a file into grids: rows of cells as text, each with its
place in the file. This module finds the table in a grid, in either shape:

- **wide**: a label column and one column per year (``2015``, ``2015년``, ``FY2015``), as on the
  page; rows above the header are title rows, rows below the figures are notes;
- **long**: one row per amount, with columns for the account, the year and the amount
  (``account, year, amount`` or ``구분, 연도, 금액``); the column names each role may have
  are a seed people extend (``ref_column_names.csv``), like labels and units.

Every failure names the real fault: a formula without a cached value by its cell, a year out of
range by its value, an empty cell by its line and column header, and every ragged row.

Labels, amounts and years are kept as printed; mapping labels to budget lines and units to factors
is reference data (dbt seeds), applied by ``landing.raw_landing``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipelines.core.errors import SourceError
from pipelines.sources.amounts import parse_amount
from pipelines.sources.page_table import (
    YEAR_RANGE,
    YEAR_SHAPED,
    YEAR_TOKEN,
    BudgetCell,
    BudgetTable,
)
from pipelines.sources.reference import COLUMN_NAMES_SEED, COLUMN_ROLES, column_key, column_names
from pipelines.sources.text_encoding import TextEncoding

REFERENCE_NOTE = re.compile(r"^\s*(?:reference|source|출처|자료)\s*[:：]\s*(?P<text>.+)$", re.I)
# How many ragged rows or empty cells a message lists before it only counts the rest.
MAX_LISTED = 10
COLUMN_NAMES_PATH = f"dbt_project/seeds/{COLUMN_NAMES_SEED}"


@dataclass(frozen=True)
class GridCell:
    """A cell's text (whitespace collapsed) and where it stands."""

    text: str
    place: str  # in words: "line 5, column 3", "sheet 'Budget', cell C7", "table 2, row 4, …"
    line: int  # line of the file (row of the sheet for a workbook)
    position: str | None = None  # for the source locator when not a line: "Budget!C7"
    # Why the cell holds no usable text although the file has something there, in words: "a
    # formula (=SUM(B3:B9)) with no cached value". Named when the cell is part of the table.
    fault: str | None = None


@dataclass(frozen=True)
class GridRow:
    cells: tuple[GridCell, ...]
    place: str  # "line 5", "sheet 'Budget', row 7", "table 2, row 4 (line 40)"
    line: int

    def text(self, column: int) -> str:
        return self.cells[column].text if column < len(self.cells) else ""

    @property
    def is_blank(self) -> bool:
        return not any(cell.text for cell in self.cells)

    @property
    def joined(self) -> str:
        return " ".join(dict.fromkeys(cell.text for cell in self.cells if cell.text))


@dataclass(frozen=True)
class Grid:
    """A table's cells, with the texts around it (caption, summary) that may name title, unit."""

    rows: tuple[GridRow, ...]
    where: str  # "" for a CSV file, "sheet 'Budget'", "table 2 (line 30)"
    context: tuple[tuple[str, str], ...] = ()  # (text, place)
    title: str | None = None  # a caption, when the format has one
    # How the file was read, for messages when no table is found: "read as UTF-8; fields
    # separated by ';' (detected on lines 2–9)".
    reading: str = ""
    # How a text file was decoded, for hints; None for a workbook.
    encoding: TextEncoding | None = None


def has_header(grid: Grid) -> bool:
    """Whether the grid has a row that a budget table's header could be (years, or long columns)."""
    return any(
        len(_long_roles(row)) == len(COLUMN_ROLES) or _first_year_column(row) is not None
        for row in grid.rows
    )


def table_from_grid(grid: Grid, file: str) -> BudgetTable:
    """The budget table in ``grid``; every failure names the file and the row or cell."""
    rows = [row for row in grid.rows if not row.is_blank]
    where = grid.where or "whole file"
    if not rows:
        raise SourceError(file, where, "a table with a header and rows", "no cells")
    partial: SourceError | None = None  # a row naming some of a long table's columns
    for index, row in enumerate(rows):
        roles = _long_roles(row)
        if len(roles) == len(COLUMN_ROLES):
            return _long_table(grid, rows, index, roles, file)
        _check_year_range(row, file)
        if _first_year_column(row) is not None:
            if partial is None:
                return _wide_table(grid, rows, index, file)
            # Below a row naming two of the long columns, a "year" in a row is more likely a
            # long table's figure than a wide header: the missing column name is the fault.
            try:
                return _wide_table(grid, rows, index, file)
            except SourceError:
                raise partial from None
        if len(roles) >= 2 and partial is None:
            partial = _partial_long_header(row, roles, file)
    if partial is not None:
        raise partial
    raise SourceError(
        file,
        where,
        f"a header row: a label column and one column per year (2015, 2015년 or FY2015, "
        f"{YEAR_RANGE}), or a long table's columns, one per role: {_role_examples()}",
        f"no such row; {_first_rows(rows)}" + (f" ({grid.reading})" if grid.reading else ""),
        hint=f"If one of these rows is the header of a long table, add its column names to "
        f"{COLUMN_NAMES_PATH} (column_name,role,unit_label; role label, year or amount).",
    )


def _role_examples() -> str:
    """``label (account, category, …), year (year, …) and amount (amount, …)`` from the seed."""
    by_role: dict[str, list[str]] = {role: [] for role in COLUMN_ROLES}
    for column in column_names().values():
        by_role[column.role].append(column.name)
    parts = [
        f"{role} ({', '.join(names[:4])}{', …' if len(names) > 4 else ''})"
        for role, names in by_role.items()
    ]
    return f"{', '.join(parts[:-1])} and {parts[-1]}, as listed in {COLUMN_NAMES_PATH}"


def _first_rows(rows: list[GridRow], count: int = 3) -> str:
    """The first rows of more than one cell (a header would be one), as found, for messages."""
    shown = [row for row in rows if sum(1 for cell in row.cells if cell.text) > 1][:count]
    if not shown:
        shown = rows[:count]
    return "the first rows hold " + "; ".join(
        f"{row.place}: {', '.join(repr(cell.text[:40]) for cell in row.cells if cell.text)}"
        for row in shown
    )


def _partial_long_header(row: GridRow, roles: dict[str, int], file: str) -> SourceError:
    found = " and ".join(f"{role} ({row.cells[column].text!r})" for role, column in roles.items())
    missing = [role for role in COLUMN_ROLES if role not in roles]
    headers = ", ".join(repr(cell.text) for cell in row.cells if cell.text)
    return SourceError(
        file,
        row.place,
        f"a long table's header with a column for each role: {_role_examples()}",
        f"columns for {found} but none for {' or '.join(missing)} among the headers {headers}",
        hint=f"If one of these headers names the {' or '.join(missing)}, add it to "
        f"{COLUMN_NAMES_PATH} as a row '<header>,{missing[0]},' (with the unit in unit_label "
        "when the header states one, as amount_krw_million does).",
    )


def _is_year(text: str) -> bool:
    return bool(YEAR_TOKEN.match(text.replace(" ", "")))


def _year(text: str) -> int:
    match = YEAR_TOKEN.match(text.replace(" ", ""))
    assert match is not None
    return int(match["year"])


def _out_of_range(text: str) -> bool:
    """A year-shaped token (1875, FY2150) outside the years a budget table may hold."""
    return bool(YEAR_SHAPED.match(text.replace(" ", ""))) and not _is_year(text)


def _check_year_range(row: GridRow, file: str) -> None:
    """A header of years with one out of range names that year, not a "ragged row" below it."""
    shaped = [cell for cell in row.cells if YEAR_SHAPED.match(cell.text.replace(" ", ""))]
    if len(shaped) < 2:
        return
    bad = next((cell for cell in shaped if _out_of_range(cell.text)), None)
    if bad is not None:
        raise SourceError(
            file,
            bad.place,
            f"a fiscal year {YEAR_RANGE} in every year column of the header",
            f"the year {bad.text!r}",
        )


def _first_year_column(row: GridRow) -> int | None:
    return next((i for i, cell in enumerate(row.cells) if _is_year(cell.text)), None)


def _long_roles(row: GridRow) -> dict[str, int]:
    """Role → column of the first header cell naming it (``ref_column_names.csv``)."""
    names = column_names()
    roles: dict[str, int] = {}
    for column, cell in enumerate(row.cells):
        listed = names.get(column_key(cell.text)) if cell.text else None
        if listed is not None:
            roles.setdefault(listed.role, column)
    return roles


def _formula_error(file: str, faulted: list[GridCell]) -> SourceError:
    first = faulted[0]
    more = f" (and {len(faulted) - 1} more such cells in the table)" if len(faulted) > 1 else ""
    return SourceError(
        file,
        first.place,
        "a value in every cell of the table",
        f"{first.fault} at {first.position or first.place}{more}: the file was saved by a "
        "program that does not compute formulas",
        hint="Open the file in a spreadsheet program (Excel, LibreOffice Calc) and save it, so "
        "that each formula's value is stored, or replace the formulas by their values "
        "(copy, paste values).",
    )


def _named(cell: GridCell, header: GridRow, column: int) -> str:
    """A cell's place with its column's header: ``line 5, column 4 (2017)``."""
    name = header.text(column)
    return f"{cell.place} ({name})" if name else cell.place


def _listed(items: list[str]) -> str:
    shown = "; ".join(items[:MAX_LISTED])
    return shown + (f"; and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _context(grid: Grid, above: list[GridRow], below: list[GridRow]) -> tuple:
    texts = [*grid.context]
    texts += [(row.joined, row.place) for row in above]
    texts += [(row.joined, row.place) for row in below]
    return tuple(texts)


def _title(grid: Grid, above: list[GridRow]) -> tuple[str, int | None]:
    if grid.title:
        return grid.title, None
    if above:
        return above[0].joined, above[0].line
    return "", None


def _reference(below: list[GridRow]) -> tuple[str | None, int | None]:
    for row in below:
        match = REFERENCE_NOTE.match(row.joined)
        if match:
            return match["text"].strip(), row.line
    return None, None


def _wide_table(grid: Grid, rows: list[GridRow], header_index: int, file: str) -> BudgetTable:
    header = rows[header_index]
    first_year = _first_year_column(header)
    assert first_year is not None
    last = max(i for i, cell in enumerate(header.cells) if cell.text or cell.fault)
    year_columns = list(range(first_year, last + 1))
    years: list[int] = []
    for column in year_columns:
        cell = header.cells[column]
        if cell.fault:
            raise _formula_error(file, [cell])
        if not _is_year(cell.text):
            raise SourceError(
                file,
                cell.place,
                "a year in every column of the header right of the labels (2015, 2015년 or "
                f"FY2015, {YEAR_RANGE})",
                repr(cell.text) if cell.text else "an empty cell",
            )
        year = _year(cell.text)
        if year in years:
            raise SourceError(
                file,
                cell.place,
                "each year once in the header",
                f"{year} again in {' '.join(header.cells[c].text for c in year_columns)!r}",
            )
        years.append(year)
    label_column = max((i for i in range(first_year) if header.text(i)), default=0)
    if label_column >= first_year:  # the header has no room for labels left of the years
        raise SourceError(
            file, header.place, "a label column left of the year columns", "years from column 1"
        )
    width = last + 1
    table_columns = [label_column, *year_columns]
    shape = (
        f"{width} cells per row as in the header ({header.place}): a row label and "
        f"{len(year_columns)} amounts, one per year {years[0]}–{years[-1]}"
    )

    cells: list[BudgetCell] = []
    ragged: list[tuple[str, str]] = []  # (place, description)
    empty: list[str] = []
    end: int | None = None  # index of the first row below the figures (notes start there)
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        amount_cells = [row.cells[c] for c in year_columns if c < len(row.cells)]
        filled = [cell for cell in amount_cells if cell.text]
        extra = [
            cell
            for column, cell in enumerate(row.cells)
            if cell.text and column != label_column and column not in year_columns
        ]
        if end is None:
            faulted = [row.cells[c] for c in table_columns if c < len(row.cells)]
            faulted = [cell for cell in faulted if cell.fault]
            if faulted:
                raise _formula_error(file, faulted)
        if end is None and not filled and not extra:
            end = index  # a row of text only: the notes below the table begin
        if end is not None:
            if not filled:
                continue
            empty += _rows_with_empty_cells(
                file, rows[end:index], row, header, table_columns, width, (ragged, empty, shape)
            )
            end = None
        if extra or len(row.cells) < width:
            ragged.append((row.place, f"{row.place} with {_width(row)} cells ({row.joined!r})"))
            continue
        empty += [_named(row.cells[c], header, c) for c in table_columns if not row.text(c)]
        if empty:
            continue
        label = row.text(label_column)
        row_number = index - header_index
        for column, year in zip(year_columns, years, strict=True):
            cells.append(
                _cell(row, row_number, label, header.cells[column].text, year, column, file)
            )
    _check_rows(file, ragged, empty, shape)
    return _budget_table(
        grid, rows, header_index, end, header.text(label_column), tuple(years), cells, "wide", file
    )


def _width(row: GridRow) -> int:
    """How many cells a row has up to its last filled one (trailing empty cells do not count)."""
    return max((i + 1 for i, cell in enumerate(row.cells) if cell.text), default=0)


def _check_rows(file: str, ragged: list[tuple[str, str]], empty: list[str], shape: str) -> None:
    """Every ragged row (or the first few and a count), else every empty cell, in one message."""
    if ragged:
        raise SourceError(
            file,
            ragged[0][0],
            f"{shape} (no ragged rows)",
            f"{len(ragged)} ragged row{'s' if len(ragged) > 1 else ''}: "
            + _listed([text for _, text in ragged]),
        )
    if empty:
        raise SourceError(
            file,
            empty[0],
            f"a value in every cell of the table's rows: {shape}",
            f"{len(empty)} empty cell{'s' if len(empty) > 1 else ''}: {_listed(empty)}",
        )


def _rows_with_empty_cells(
    file: str,
    between: list[GridRow],
    row: GridRow,
    header: GridRow,
    columns: list[int],
    width: int,
    found: tuple[list[tuple[str, str]], list[str], str],
) -> list[str]:
    """The empty cells of the rows that seemed to end the table, now that figures follow them.

    A row with a label and every other cell of the header's width present but empty is a row of
    the table with empty cells: those cells are returned. A row of text only is a note, and
    figures may not follow it: then the faults found so far, or the figures below the notes,
    are raised.
    """
    rows = [other for other in between if not other.is_blank]
    if all(len(other.cells) >= width and other.text(columns[0]) for other in rows):
        return [_named(o.cells[c], header, c) for o in rows for c in columns if not o.text(c)]
    ragged, empty, shape = found
    _check_rows(file, ragged, empty, shape)
    raise SourceError(
        file,
        row.place,
        f"only notes below the table's last row (the notes begin at {rows[0].place}: "
        f"{rows[0].joined!r})",
        f"a row of amounts {row.joined!r}",
    )


def _cell(
    row: GridRow, row_number: int, label: str, column_label: str, year: int, column: int, file: str
) -> BudgetCell:
    cell = row.cells[column]
    try:
        amount = parse_amount(cell.text)
    except ValueError as error:
        raise SourceError(
            file,
            cell.place,
            "an amount such as 10,338,940, 1,033.9, - (zero) or (1,234) (negative)",
            f"{cell.text!r} ({error})",
        ) from None
    return BudgetCell(
        row_number=row_number,
        row_label=label,
        line_number=cell.line,
        column_label=column_label,
        fiscal_year=year,
        amount_text=amount.text,
        amount=amount.value,
        decimals=amount.decimals,
        place=cell.place,
        position=cell.position,
        row_place=row.place,
    )


def _long_table(
    grid: Grid, rows: list[GridRow], header_index: int, roles: dict[str, int], file: str
) -> BudgetTable:
    header = rows[header_index]
    width = max(i for i, cell in enumerate(header.cells) if cell.text) + 1
    columns = [roles[role] for role in COLUMN_ROLES]
    shape = f"{width} cells per row as in the header ({header.place}): " + ", ".join(
        f"a {role} ({header.text(roles[role])!r})" for role in COLUMN_ROLES
    )
    cells: list[BudgetCell] = []
    ragged: list[tuple[str, str]] = []  # (place, description)
    empty: list[str] = []
    end: int | None = None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        label, year_text = row.text(roles["label"]), row.text(roles["year"])
        amount_text = row.text(roles["amount"])
        extra = [cell for cell in row.cells[width:] if cell.text]
        if end is None:
            faulted = [row.cells[c] for c in columns if c < len(row.cells)]
            faulted = [cell for cell in faulted if cell.fault]
            if faulted:
                raise _formula_error(file, faulted)
        if end is None and not year_text and not amount_text and not extra:
            end = index
        if end is not None:
            if not amount_text and not year_text:
                continue
            empty += _rows_with_empty_cells(
                file, rows[end:index], row, header, columns, width, (ragged, empty, shape)
            )
            end = None
        if extra or len(row.cells) < width:
            ragged.append((row.place, f"{row.place} with {_width(row)} cells ({row.joined!r})"))
            continue
        empty += [_named(row.cells[c], header, c) for c in columns if not row.text(c)]
        if empty:
            continue
        year_cell = row.cells[roles["year"]]
        if not _is_year(year_text):
            raise SourceError(
                file,
                _named(year_cell, header, roles["year"]),
                f"a fiscal year {YEAR_RANGE} such as 2015, 2015년 or FY2015",
                f"the year {year_text!r}" if _out_of_range(year_text) else repr(year_text),
            )
        cells.append(
            _cell(
                row, index - header_index, label, year_text, _year(year_text), roles["amount"], file
            )
        )
    _check_rows(file, ragged, empty, shape)
    years = tuple(sorted({cell.fiscal_year for cell in cells}))
    unit_context = _unit_in_column_name(header, roles["amount"])
    table = _budget_table(
        grid, rows, header_index, end, header.text(roles["label"]), years, cells, "long", file
    )
    if unit_context:
        table = replace(table, context=(*table.context, unit_context))
    return table


def _unit_in_column_name(header: GridRow, column: int) -> tuple[str, str] | None:
    """``("Unit: KRW million", place)`` when the amount column's listed name states its unit."""
    listed = column_names().get(column_key(header.text(column)))
    if listed is None or listed.unit_label is None:
        return None
    cell = header.cells[column]
    return f"Unit: {listed.unit_label}", f"{cell.place} (column name {cell.text!r})"


def _budget_table(
    grid: Grid,
    rows: list[GridRow],
    header_index: int,
    end: int | None,
    header_label: str,
    years: tuple[int, ...],
    cells: list[BudgetCell],
    shape: str,
    file: str,
) -> BudgetTable:
    """The table found in ``grid``: its cells, with the title above and the reference below."""
    header = rows[header_index]
    if not cells:
        raise SourceError(
            file, header.place, "at least one row of amounts below the header", "none"
        )
    above, below = rows[:header_index], rows[end:] if end is not None else []
    title, title_line = _title(grid, above)
    reference, reference_line = _reference(below)
    return BudgetTable(
        title=title,
        title_line=title_line,
        unit_label="",
        header_label=header_label,
        header_line=header.line,
        years=years,
        cells=tuple(cells),
        reference=reference,
        reference_line=reference_line,
        shape=shape,
        table_place=grid.where or None,
        context=_context(grid, above, [header, *below]),
    )
