"""Read budget tables out of CSV, XLSX and HTML files with maintained readers.

- CSV: Python's ``csv`` module; the encoding is detected, not assumed (a UTF-8 byte-order mark,
  then strict UTF-8, then ``charset-normalizer``, which recognises CP949/EUC-KR).
- XLSX: ``openpyxl`` (cached values, merged cells filled from their top-left cell, every sheet).
- HTML: ``lxml.html`` (every ``<table>``; ``<caption>`` and ``summary`` carry title and unit;
  ``colspan``/``rowspan`` expanded; each row keeps its line in the file).

Each reader turns the file into grids (``lib.budget_grid``) and picks the one budget table: the
only grid with a header of years whose labels name budget lines, or the one the registry entry
chooses (``sheet:`` or ``table:``) when a file holds more.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from pipelines.lib import limits
from pipelines.lib.budget_grid import Grid, GridCell, GridRow, has_header, table_from_grid
from pipelines.lib.errors import SourceError
from pipelines.lib.page_table import BudgetTable
from pipelines.lib.reference import label_key, line_aliases

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """The text of a file and the encoding it was read in: UTF-8 (with or without BOM) or CP949."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SourceError(file, f"line {line}", "text", "a NUL byte (binary data?)")
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", data[len(codecs.BOM_UTF8) :]
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        if encoding == "utf-8-sig":
            line = body[: error.start].count(b"\n") + 1
            raise SourceError(
                file, f"line {line}", "UTF-8 text after the UTF-8 byte-order mark", str(error)
            ) from None
        text, encoding = _detected(body, file)
    control = next(
        (
            i
            for i, ch in enumerate(text)
            if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f"
        ),
        None,
    )
    if control is not None:
        line = text[:control].count("\n") + 1
        raise SourceError(
            file,
            f"line {line}",
            "text",
            f"a control character {text[control]!r} (binary data, or a file of another kind?)",
        )
    return text, encoding


def _detected(body: bytes, file: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None:
        raise SourceError(
            file,
            "whole file",
            "text in UTF-8 or a Korean encoding (CP949, EUC-KR)",
            "bytes that no encoding reads (binary data?)",
        )
    return str(best), best.encoding


# --- CSV ---------------------------------------------------------------------------------------


def csv_grid(data: bytes, file: str) -> Grid:
    limits.check_csv(data, file)
    text, _ = decode_text(data, file)
    if not text.strip():
        raise SourceError(file, "whole file", "content", "an empty or blank file")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
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
    return Grid(rows=tuple(rows), where="")


# --- XLSX --------------------------------------------------------------------------------------


def xlsx_grids(data: bytes, file: str) -> list[Grid]:
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
                cells.append(
                    GridCell(
                        _cell_text(value),
                        f"sheet {sheet.title!r}, cell {cell.coordinate}",
                        cell.row,
                        position=f"{sheet.title}!{cell.coordinate}",
                    )
                )
            if cells:
                number = cells[0].line
                rows.append(GridRow(tuple(cells), f"sheet {sheet.title!r}, row {number}", number))
        grids.append(Grid(rows=tuple(rows), where=f"sheet {sheet.title!r}"))
    return grids


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


def html_grids(data: bytes, file: str) -> list[Grid]:
    limits.check_html(data, file)
    import lxml.html
    from lxml import etree

    text, _ = decode_text(data, file)
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
            Grid(rows=_html_rows(table, where), where=where, context=tuple(context), title=title)
        )
    return grids


def _html_rows(table, where: str) -> tuple[GridRow, ...]:
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


def _owner_table(element):
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
        return table_from_grid(chosen[0], file)
    candidates = [grid for grid in grids if has_header(grid) and _names_budget_lines(grid)]
    if not candidates:
        candidates = [grid for grid in grids if has_header(grid)]
    if not candidates:
        raise SourceError(
            file,
            "whole file",
            f"a {what} holding the budget table (a header of years, or account/year/amount)",
            f"no such table among {len(grids)} {what}(s)",
        )
    if len(candidates) > 1:
        raise SourceError(
            file,
            ", ".join(grid.where for grid in candidates),
            f"exactly one budget table, or the one to read chosen in sources.yml "
            f"(`{'sheet: <name>' if what == 'sheet' else 'table: <number>'}` in its entry)",
            f"{len(candidates)} candidate tables",
        )
    return table_from_grid(candidates[0], file)


READERS: dict[str, tuple[Callable[[bytes, str], list[Grid]], str]] = {
    "csv": (lambda data, file: [csv_grid(data, file)], "table"),
    "xlsx": (xlsx_grids, "sheet"),
    "html": (html_grids, "table"),
}


def read_table_file(data: bytes, path: Path, file_format: str, choice: str | None) -> BudgetTable:
    """The budget table of a CSV, XLSX or HTML file's bytes."""
    reader, what = READERS[file_format]
    return choose_table(reader(data, str(path)), str(path), choice, what)
