"""Read budget tables out of CSV, XLSX and HTML files with maintained readers.

- CSV: Python's ``csv`` module; the encoding is the registry's ``encoding:``, or detected, not
  assumed (``sources.text_encoding``); the delimiter (``,``, ``;`` or tab) is sniffed on the
  table's rows, not on a title line above them.
- XLSX: ``openpyxl`` (cached values, merged cells filled from their top-left cell, every sheet; a
  formula whose value the file does not store is named by its cell).
- HTML: ``lxml.html`` (every ``<table>``; ``<caption>`` and ``summary`` carry title and unit;
  ``colspan``/``rowspan`` expanded; each row keeps its line in the file).

Each reader turns the file into grids (``sources.budget_grid``) and picks the one budget table: the
only grid with a header of years whose labels name budget lines, or the one the registry entry
chooses (``sheet:`` or ``table:``) when a file holds more. Labels that look mis-decoded add a
hint on the encoding to the error (``text_encoding.encoding_hint``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipelines.core import limits
from pipelines.core.errors import SourceError
from pipelines.sources.budget_grid import Grid, GridCell, GridRow, has_header, table_from_grid
from pipelines.sources.page_table import BudgetTable
from pipelines.sources.reference import label_key, line_aliases
from pipelines.sources.text_encoding import decode_text, encoding_hint

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

# --- CSV ---------------------------------------------------------------------------------------

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}
SNIFFED_LINES = 200


def sniff_delimiter(text: str) -> tuple[str, str]:
    """The delimiter of a CSV's table and where it was seen ("lines 2–9").

    Sniffed on the table's rows, not on a title line above them: for each candidate, the lines
    of the first ``SNIFFED_LINES`` are split (quotes respected) and the most common number of
    fields above one is taken; the candidate whose most common count the most lines share wins
    (ties in the order ``,`` ``;`` tab). A file of single fields reads as ``,``.
    """
    lines = text.splitlines()[:SNIFFED_LINES]
    best: tuple[int, int, str, list[int]] = (0, 0, ",", [])
    for rank, delimiter in enumerate(DELIMITERS):
        counts: dict[int, list[int]] = {}
        for number, fields in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
            if len(fields) > 1:
                counts.setdefault(len(fields), []).append(number)
        if not counts:
            continue
        numbers = max(counts.values(), key=len)
        if len(numbers) > best[0]:
            best = (len(numbers), rank, delimiter, numbers)
    _, _, delimiter, numbers = best
    if not numbers:
        return delimiter, "no line splits into fields"
    if len(numbers) == 1:
        return delimiter, f"line {numbers[0]}"
    return delimiter, f"lines {numbers[0]}–{numbers[-1]}"


def csv_grid(data: bytes, file: str, encoding: str | None = None) -> Grid:
    limits.check_csv(data, file)
    text, how = decode_text(data, file, encoding)
    if not text.strip():
        raise SourceError(file, "whole file", "content", "an empty or blank file")
    delimiter, seen = sniff_delimiter(text)
    reading = f"read as {how}; fields separated by {_DELIMITER_NAMES[delimiter]} ({seen})"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    first_line = 1
    try:
        for fields in reader:
            line = reader.line_num
            cells = tuple(
                GridCell(" ".join(value.split()), f"line {first_line}, column {i + 1}", first_line)
                for i, value in enumerate(fields)
            )
            rows.append(GridRow(cells, f"line {first_line}", first_line))
            first_line = line + 1
    except csv.Error as error:
        raise SourceError(file, f"line {reader.line_num}", "CSV", str(error)) from None
    return Grid(rows=tuple(rows), where="", reading=reading, encoding=how)


# --- XLSX --------------------------------------------------------------------------------------


def xlsx_grids(data: bytes, file: str, encoding: str | None = None) -> list[Grid]:
    limits.check_xlsx(data, file)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors for a damaged file
        raise SourceError(
            file,
            "whole file",
            "an Excel workbook (.xlsx: a zip archive of XML parts)",
            f"a file openpyxl cannot open ({type(error).__name__}: {error})",
        ) from None
    if not workbook.worksheets:  # openpyxl skips a sheet whose part the archive lacks
        raise SourceError(
            file, "whole file", "a workbook with a worksheet", "none (a worksheet part missing?)"
        )
    formulas = _formulas_without_value(data, workbook)
    grids = []
    for sheet in workbook.worksheets:
        merged: dict[tuple[int, int], object] = {}
        for cell_range in sheet.merged_cells.ranges:
            top_left = sheet.cell(cell_range.min_row, cell_range.min_col).value
            for row in range(cell_range.min_row, cell_range.max_row + 1):
                for column in range(cell_range.min_col, cell_range.max_col + 1):
                    merged[(row, column)] = top_left
        rows = []
        for row in sheet.iter_rows():
            cells = []
            for cell in row:
                value = merged.get((cell.row, cell.column), cell.value)
                formula = formulas.get((sheet.title, cell.coordinate)) if value is None else None
                cells.append(
                    GridCell(
                        _cell_text(value),
                        f"sheet {sheet.title!r}, cell {cell.coordinate}",
                        cell.row,
                        position=f"{sheet.title}!{cell.coordinate}",
                        fault=None
                        if formula is None
                        else f"a formula ({formula}) with no cached value",
                    )
                )
            if cells:
                number = cells[0].line
                rows.append(GridRow(tuple(cells), f"sheet {sheet.title!r}, row {number}", number))
        grids.append(Grid(rows=tuple(rows), where=f"sheet {sheet.title!r}"))
    return grids


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _formulas_without_value(data: bytes, values_workbook: Any) -> dict[tuple[str, str], str]:
    """(sheet, cell) → formula, for each formula cell whose cached value the file lacks.

    A workbook stores a formula and, when the program that saved it computed it, its value;
    ``openpyxl`` reads the value (``None`` when there is none). The formulas are read only when a
    worksheet part holds any, so a workbook of plain values is opened once.
    """
    import zipfile

    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            has_formulas = any(
                _FORMULA_TAG.search(archive.read(name))
                for name in archive.namelist()
                if name.startswith("xl/worksheets/") and name.endswith(".xml")
            )
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    if not has_formulas:
        return {}
    # Read-only: the formulas stream through once, without building a second workbook in memory.
    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False, read_only=True)
    missing: dict[tuple[str, str], str] = {}
    for sheet in workbook.worksheets:
        values = values_workbook[sheet.title]
        for row in sheet.iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) != "f" and not _is_formula_object(cell.value):
                    continue
                if values.cell(cell.row, cell.column).value is None:
                    text = getattr(cell.value, "text", cell.value)
                    formula = str(text) if str(text).startswith("=") else f"={text}"
                    missing[(sheet.title, cell.coordinate)] = formula[:60]
    workbook.close()
    return missing


def _is_formula_object(value: object) -> bool:
    """Array and data-table formulas, which openpyxl reads as objects, not ``=…`` strings."""
    return type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def _cell_text(value: object) -> str:
    """A cell's value as text: numbers without a spurious ``.0``, text with whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(str(value).split())


# --- HTML --------------------------------------------------------------------------------------


def html_grids(data: bytes, file: str, encoding: str | None = None) -> list[Grid]:
    import lxml.html
    from lxml import etree

    if not data.strip():
        raise SourceError(file, "whole file", "content", "an empty or blank file")
    try:
        limits.check_html(data, file)
    except etree.LxmlError as error:  # lxml gives up on bytes it cannot read as a document
        raise SourceError(file, "whole file", "an HTML page", str(error) or "nothing") from None
    text, how = decode_text(data, file, encoding)
    if not text.strip():
        raise SourceError(file, "whole file", "content", "an empty or blank file")
    try:
        document = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text))
    except (etree.ParserError, ValueError) as error:
        raise SourceError(file, "whole file", "an HTML page", str(error)) from None
    grids = []
    for number, table in enumerate(document.iter("table"), start=1):
        where = f"table {number} (line {table.sourceline})"
        context = []
        caption = table.find("caption")
        title = None
        if caption is not None:
            title = " ".join(caption.text_content().split())
            context.append((title, f"{where}, caption"))
        if table.get("summary"):
            context.append((" ".join(table.get("summary").split()), f"{where}, summary"))
        for side, sibling in (("before", table.getprevious()), ("after", table.getnext())):
            if sibling is not None and isinstance(sibling.tag, str):
                words = " ".join(sibling.text_content().split())
                if 0 < len(words) <= 300:
                    context.append((words, f"{where}, text {side} it (line {sibling.sourceline})"))
        grids.append(
            Grid(
                rows=_html_rows(table, where),
                where=where,
                context=tuple(context),
                title=title,
                reading=f"read as {how}",
                encoding=how,
            )
        )
    return grids


def _html_rows(table: Any, where: str) -> tuple[GridRow, ...]:
    """The table's own rows (not those of a nested table), with colspan and rowspan expanded."""
    rows = []
    pending: dict[int, tuple[str, int]] = {}  # column → (text, rows it still spans)
    trs = [tr for tr in table.iter("tr") if _owner_table(tr) is table]
    for row_number, tr in enumerate(trs, start=1):
        line = tr.sourceline or 0
        texts: dict[int, str] = {}
        column = 0
        for td in (el for el in tr if isinstance(el.tag, str) and el.tag in ("td", "th")):
            while column in pending:
                column += 1
            text = " ".join(td.text_content().split())
            span = _span(td.get("colspan"))
            down = _span(td.get("rowspan"))
            for offset in range(span):
                texts[column + offset] = text
                if down > 1:
                    pending[column + offset] = (text, down - 1)
            column += span
        for col, (text, left) in list(pending.items()):
            if col not in texts:
                texts[col] = text
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
        width = max(texts, default=-1) + 1
        place = f"{where}, row {row_number}"
        cells = tuple(
            GridCell(texts.get(i, ""), f"{place}, cell {i + 1} (line {line})", line)
            for i in range(width)
        )
        rows.append(GridRow(cells, f"{place} (line {line})", line))
    return tuple(rows)


def _owner_table(element: Any) -> Any:
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


# --- choosing the table ------------------------------------------------------------------------


def _names_budget_lines(grid: Grid) -> bool:
    aliases = line_aliases()
    return any(label_key(cell.text) in aliases for row in grid.rows for cell in row.cells)


def choose_table(grids: list[Grid], file: str, choice: str | None, what: str) -> BudgetTable:
    """The one budget table among ``grids``, or the one ``choice`` names (sheet name or number)."""
    if choice is not None:
        chosen = [
            grid
            for number, grid in enumerate(grids, start=1)
            if str(number) == choice or grid.where == f"sheet {choice!r}"
        ]
        if not chosen:
            raise SourceError(
                file,
                "whole file",
                f"the {what} {choice!r} chosen in sources.yml",
                f"{len(grids)} {what}s: {', '.join(grid.where for grid in grids) or 'none'}",
            )
        return _table(chosen[0], file)
    candidates = [grid for grid in grids if has_header(grid) and _names_budget_lines(grid)]
    if not candidates:
        candidates = [grid for grid in grids if has_header(grid)]
    if not candidates and len(grids) == 1:
        return _table(grids[0], file)  # says what the one grid holds instead of a header
    if not candidates:
        raise SourceError(
            file,
            "whole file",
            f"a {what} holding the budget table (a header of years, or account/year/amount)",
            f"no such table among {len(grids)} {what}(s): "
            + "; ".join(f"{grid.where} begins {_first_text(grid)!r}" for grid in grids[:10]),
            hint=_hint_for(grids),
        )
    if len(candidates) > 1:
        raise SourceError(
            file,
            ", ".join(grid.where for grid in candidates),
            f"exactly one budget table, or the one to read chosen in sources.yml "
            f"(`{'sheet: <name>' if what == 'sheet' else 'table: <number>'}` in its entry)",
            f"{len(candidates)} candidate tables",
        )
    return _table(candidates[0], file)


def _table(grid: Grid, file: str) -> BudgetTable:
    """``table_from_grid``, with a hint on the encoding added to its error when the labels look
    mis-decoded (or the encoding was guessed)."""
    try:
        return table_from_grid(grid, file)
    except SourceError as error:
        hint = _hint_for([grid])
        if hint is None or (error.hint and hint in error.hint):
            raise
        raise SourceError(
            error.file,
            error.place,
            error.expected,
            error.found,
            hint="\n".join(part for part in (hint, error.hint) if part),
        ) from None


def _first_text(grid: Grid) -> str:
    return next((row.joined[:60] for row in grid.rows if not row.is_blank), "")


def _hint_for(grids: list[Grid]) -> str | None:
    """A hint that the text is in another encoding than it was read in (text files only)."""
    texts = [cell.text for grid in grids for row in grid.rows[:50] for cell in row.cells]
    how = next((grid.encoding for grid in grids if grid.encoding), None)
    return encoding_hint(texts, how) if how else None


READERS: dict[str, tuple[Callable[[bytes, str, str | None], list[Grid]], str]] = {
    "csv": (lambda data, file, encoding: [csv_grid(data, file, encoding)], "table"),
    "xlsx": (xlsx_grids, "sheet"),
    "html": (html_grids, "table"),
}


def read_table_file(
    data: bytes,
    path: Path,
    file_format: str,
    choice: str | None,
    encoding: str | None = None,
) -> BudgetTable:
    """The budget table of a CSV, XLSX or HTML file's bytes (``encoding`` as registered)."""
    reader, what = READERS[file_format]
    return choose_table(reader(data, str(path), encoding), str(path), choice, what)
