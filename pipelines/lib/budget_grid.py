"""A budget table read from a grid of cells, whatever file the grid came from (CSV, XLSX, HTML).

The readers in ``lib.table_files`` turn a file into grids: rows of cells as text, each with its
place in the file. This module finds the table in a grid, in either shape:

- **wide**: a label column and one column per year (``2015``, ``2015년``, ``FY2015``), as on the
  page; rows above the header are title rows, rows below the figures are notes;
- **long**: one row per amount, with columns for the account, the year and the amount
  (``account, year, amount`` or ``구분, 연도, 금액``).

Labels, amounts and years are kept as printed; mapping labels to budget lines and units to factors
is reference data (dbt seeds), applied by ``lib.raw_landing``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.lib.amounts import parse_amount
from pipelines.lib.errors import SourceError
from pipelines.lib.page_table import YEAR_TOKEN, BudgetCell, BudgetTable
from pipelines.lib.reference import label_key

# Header names of the columns of a long table (compared by label_key, without a bracketed unit).
LONG_COLUMNS = {
    "label": {
        "account",
        "category",
        "item",
        "line",
        "budget line",
        "계정",
        "구분",
        "항목",
        "세부계정",
    },
    "year": {"year", "fiscal year", "fiscal_year", "fy", "연도", "년도", "회계연도"},
    "amount": {"amount", "budget", "금액", "예산", "예산액"},
}
_BRACKETS = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]")
REFERENCE_NOTE = re.compile(r"^\s*(?:reference|source|출처|자료)\s*[:：]\s*(?P<text>.+)$", re.I)


@dataclass(frozen=True)
class GridCell:
    """A cell's text (whitespace collapsed) and where it stands."""

    text: str
    place: str  # in words: "line 5, column 3", "sheet 'Budget', cell C7", "table 2, row 4, …"
    line: int  # line of the file (row of the sheet for a workbook)
    position: str | None = None  # for the source locator when not a line: "Budget!C7"


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


def has_header(grid: Grid) -> bool:
    """Whether the grid has a row that a budget table's header could be (years, or long columns)."""
    return any(_long_roles(row) or _first_year_column(row) is not None for row in grid.rows)


def table_from_grid(grid: Grid, file: str) -> BudgetTable:
    """The budget table in ``grid``; every failure names the file and the row or cell."""
    rows = [row for row in grid.rows if not row.is_blank]
    where = grid.where or "whole file"
    if not rows:
        raise SourceError(file, where, "a table with a header and rows", "no cells")
    for index, row in enumerate(rows):
        roles = _long_roles(row)
        if roles:
            return _long_table(grid, rows, index, roles, file)
        if _first_year_column(row) is not None:
            return _wide_table(grid, rows, index, file)
    raise SourceError(
        file,
        where,
        "a header row: a label column and one column per year (2015, 2015년 or FY2015), "
        "or the columns account, year and amount",
        "no such row",
    )


def _is_year(text: str) -> bool:
    return bool(YEAR_TOKEN.match(text.replace(" ", "")))


def _year(text: str) -> int:
    match = YEAR_TOKEN.match(text.replace(" ", ""))
    assert match is not None
    return int(match["year"])


def _first_year_column(row: GridRow) -> int | None:
    return next((i for i, cell in enumerate(row.cells) if _is_year(cell.text)), None)


def _long_roles(row: GridRow) -> dict[str, int] | None:
    roles: dict[str, int] = {}
    for column, cell in enumerate(row.cells):
        name = label_key(_BRACKETS.sub("", cell.text))
        for role, names in LONG_COLUMNS.items():
            if name in names:
                roles.setdefault(role, column)
    return roles if len(roles) == len(LONG_COLUMNS) else None


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
    last = max(i for i, cell in enumerate(header.cells) if cell.text)
    year_columns = list(range(first_year, last + 1))
    years: list[int] = []
    for column in year_columns:
        cell = header.cells[column]
        if not _is_year(cell.text):
            raise SourceError(
                file,
                cell.place,
                "a year in every column of the header right of the labels (2015, 2015년 or FY2015)",
                repr(cell.text),
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

    cells: list[BudgetCell] = []
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
        if end is None and not filled and not extra:
            end = index  # a row of text only: the notes below the table begin
        if end is not None:
            if filled:
                raise SourceError(
                    file,
                    row.place,
                    f"only notes below the table's last row ({rows[end].place})",
                    f"a row of amounts {row.joined!r}",
                )
            continue
        label = row.text(label_column)
        if extra or not label or len(filled) != len(year_columns):
            raise SourceError(
                file,
                row.place,
                f"a row label and {len(year_columns)} amounts, one per year "
                f"{years[0]}–{years[-1]}, in the header's columns (no ragged rows)",
                f"{row.joined!r}",
            )
        row_number = index - header_index
        for column, year in zip(year_columns, years, strict=True):
            cells.append(
                _cell(row, row_number, label, header.cells[column].text, year, column, file)
            )
    return _budget_table(
        grid, rows, header_index, end, header.text(label_column), tuple(years), cells, "wide", file
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
    cells: list[BudgetCell] = []
    end: int | None = None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        label, year_text = row.text(roles["label"]), row.text(roles["year"])
        amount_text = row.text(roles["amount"])
        extra = [cell for cell in row.cells[width:] if cell.text]
        if end is None and not year_text and not amount_text and not extra:
            end = index
        if end is not None:
            if amount_text or year_text:
                raise SourceError(
                    file,
                    row.place,
                    f"only notes below the table's last row ({rows[end].place})",
                    f"a row of figures {row.joined!r}",
                )
            continue
        if extra or not label or not year_text or not amount_text:
            raise SourceError(
                file,
                row.place,
                "an account, a year and an amount in the header's columns (no ragged rows)",
                repr(row.joined),
            )
        if not _is_year(year_text):
            raise SourceError(
                file,
                row.cells[roles["year"]].place,
                "a year such as 2015, 2015년 or FY2015",
                repr(year_text),
            )
        cells.append(
            _cell(
                row, index - header_index, label, year_text, _year(year_text), roles["amount"], file
            )
        )
    years = tuple(sorted({cell.fiscal_year for cell in cells}))
    return _budget_table(
        grid, rows, header_index, end, header.text(roles["label"]), years, cells, "long", file
    )


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
