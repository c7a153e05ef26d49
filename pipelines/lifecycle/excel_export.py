"""Downloads for spreadsheets: every fact and dimension mart as CSV that Excel opens as UTF-8,
and one workbook of them with Korean and English headers.

**CSV.** Excel opens a CSV file in the system's code page unless the file starts with a UTF-8
byte order mark: on Korean Windows, Hangul without it shows garbled. So ``csv/<mart>.csv`` starts
with one (the budget lines: ``csv/fct_budget_line/fiscal_year=<year>/``, a file per year as the
Parquet export). ``budget.csv`` of the Fiscal Data Package stays without: the package is read by
data-package tools (``frictionless``), to which a Tabular Data Resource in ``utf-8`` is plain
UTF-8, so a BOM would become part of its first column's name. DuckDB writes the BOM with the
header as the COPY's ``prefix``, so each file is written once, straight from the build.

**Workbook.** ``bnd_marts.xlsx`` (openpyxl, write-only: rows stream to disk) has a sheet per mart,
headed ``회계연도 / Fiscal year`` (``column_names``), after two sheets describing it: ``표
tables`` (each mart, its sheet, rows, description and its other downloads) and ``열 columns``
(table, column, Korean and English name, type, description: the marts' comments). openpyxl
writes some 50,000–100,000 cells a second here, so the workbook keeps at most ``WORKBOOK_CELLS``
cells (seconds of a publish) and no sheet more rows than Excel holds; a mart beyond either is left
out, and the ``tables`` sheet says so and names its CSV and Parquet files instead. The row counts
are ``meta_build``'s, counted already: a mart left out is never read for the workbook.

Text cells are neutralised as in every download (``spreadsheet_safety``); characters XML cannot
hold become U+FFFD, and text beyond Excel's 32,767 characters a cell is cut (the ``tables``
sheet counts the cells cut).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pipelines.core.sql import one_row, quote_identifier
from pipelines.lifecycle.column_names import column_name, header
from pipelines.lifecycle.fiscal_year_files import LINES_TABLE, write_by_fiscal_year
from pipelines.lifecycle.spreadsheet_safety import (
    FORMULA_STARTS,
    spreadsheet_safe,
    spreadsheet_safe_select,
)

CSV_DIR = "csv"
WORKBOOK = "bnd_marts.xlsx"
BOM = "\ufeff"
# The marts offered for spreadsheets: facts, dimensions and bridges (meta_build is in Parquet).
DOWNLOAD_KINDS = ("fct_", "dim_", "bridge_")
# Excel holds 1,048,576 rows a sheet; the header takes one.
SHEET_ROWS = 1_048_576 - 1
# At 50,000-100,000 cells a second, a few seconds of the publish at most.
WORKBOOK_CELLS = 500_000
TEXT_CELL_CHARS = 32_767  # Excel's limit for one cell
SHEET_NAME_CHARS = 31  # Excel's limit for a sheet's name
TABLES_SHEET, COLUMNS_SHEET = "표 tables", "열 columns"
BATCH_ROWS = 2_048
WIDTH_SAMPLE_ROWS = 200
BOLD = Font(bold=True)
# table → its columns: name, DuckDB type, description (the column's comment)
Columns = dict[str, list[tuple[str, str, str]]]


def download_tables(tables: list[str]) -> list[str]:
    """The marts of ``tables`` offered for spreadsheets: facts, then dimensions, then bridges."""
    return [table for kind in DOWNLOAD_KINDS for table in sorted(tables) if table.startswith(kind)]


def csv_download(table: str) -> str:
    """Where a mart's CSV download is, relative to the export folder."""
    return f"{CSV_DIR}/{table}/" if table == LINES_TABLE else f"{CSV_DIR}/{table}.csv"


def parquet_download(table: str) -> str:
    return f"{table}/" if table == LINES_TABLE else f"{table}.parquet"


def write_spreadsheet_downloads(
    con: duckdb.DuckDBPyConnection,
    export_dir: Path,
    tables: list[str],
    meta: dict[str, Any],
    reprocessed_years: list[int] | None = None,
    published_export_dir: Path | None = None,
) -> dict[str, int]:
    """The CSV files and the workbook of ``tables`` (``download_tables``); rows per file."""
    columns = mart_columns(con)
    rows = write_csv_downloads(
        con, export_dir, tables, columns, reprocessed_years, published_export_dir
    )
    rows[WORKBOOK] = write_workbook(con, export_dir / WORKBOOK, tables, meta, columns=columns)
    return rows


def mart_columns(con: duckdb.DuckDBPyConnection) -> Columns:
    """Every mart's columns, in order: name, DuckDB type and comment (one catalog query)."""
    columns: Columns = {}
    for table, name, kind, comment in con.execute(
        "select table_name, column_name, data_type, coalesce(comment, '') from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'marts' "
        "order by table_name, column_index"
    ).fetchall():
        columns.setdefault(table, []).append((name, kind, comment))
    return columns


def write_csv_downloads(
    con: duckdb.DuckDBPyConnection,
    export_dir: Path,
    tables: list[str],
    columns: Columns,
    reprocessed_years: list[int] | None = None,
    published_export_dir: Path | None = None,
) -> dict[str, int]:
    """Write ``csv/<mart>.csv`` (UTF-8 with a BOM) for every mart of ``tables``; rows per file.

    The budget lines go one file per fiscal year, the years a refresh did not reprocess taken
    from ``published_export_dir`` as the Parquet export does."""
    folder = export_dir / CSV_DIR
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for table in tables:
        select, parameters = _csv_select(
            [(name, kind) for name, kind, _ in columns[table]], f"marts.{quote_identifier(table)}"
        )
        if table == LINES_TABLE:
            published = published_export_dir / CSV_DIR / table if published_export_dir else None
            rows[csv_download(table)] = write_by_fiscal_year(
                con,
                select,
                parameters,
                folder / LINES_TABLE,
                CSV_OPTIONS,
                "csv",
                reprocessed_years,
                published,
                partial(_no_lines_csv, parameters["prefix"]),
            )
            continue
        rows[csv_download(table)] = _write_csv(con, select, parameters, folder / f"{table}.csv")
    return rows


def write_csv_from_parquet(
    export_dir: Path, config: dict[str, Any] | None = None
) -> dict[str, int]:
    """Write the CSV downloads (``csv/``) of an export folder from its Parquet files; rows per
    file. The downloads are the Parquet exports in spreadsheet form, so a history entry keeps
    only the Parquet (at 10 M lines the CSV files are 40 times their size) and a rollback writes
    the CSV again here (``history.restore``): the same rows, in the same columns and text."""
    folder = export_dir / CSV_DIR
    rows = {}
    with duckdb.connect(config=config or {}) as con:
        for parquet in sorted(export_dir.glob("*.parquet")):
            if download_tables([parquet.stem]):
                target = folder / f"{parquet.stem}.csv"
                rows[csv_download(parquet.stem)] = _csv_from_parquet(con, parquet, target)
        lines = export_dir / LINES_TABLE
        if lines.is_dir():
            rows[csv_download(LINES_TABLE)] = sum(
                _csv_from_parquet(con, parquet, folder / LINES_TABLE / relative.with_suffix(".csv"))
                for parquet, relative in _parquet_files(lines)
            )
    return rows


def _parquet_files(folder: Path) -> list[tuple[Path, Path]]:
    """The Parquet files under ``folder`` (symbolic links not followed), each with its path
    relative to ``folder``."""
    found = []
    for root, _, names in os.walk(folder):
        for name in sorted(names):
            path = Path(root) / name
            if path.suffix == ".parquet" and not path.is_symlink():
                found.append((path, path.relative_to(folder)))
    return sorted(found)


def _csv_from_parquet(con: duckdb.DuckDBPyConnection, parquet: Path, target: Path) -> int:
    source = "read_parquet($parquet, hive_partitioning = false)"
    described = con.execute(f"describe select * from {source}", {"parquet": str(parquet)})
    select, parameters = _csv_select([(row[0], row[1]) for row in described.fetchall()], source)
    target.parent.mkdir(parents=True, exist_ok=True)
    return _write_csv(con, select, {**parameters, "parquet": str(parquet)}, target)


# With a prefix DuckDB ends the last row with the suffix instead of a line break.
CSV_OPTIONS = "format csv, header false, prefix $prefix, suffix $suffix"


def _csv_select(columns: list[tuple[str, str]], source: str) -> tuple[str, dict[str, Any]]:
    """The select of a CSV download of ``columns`` (name, DuckDB type) from ``source``, its text
    made safe for spreadsheets, and the parameters of its COPY (``CSV_OPTIONS``): the file starts
    with a byte order mark and the header."""
    select = spreadsheet_safe_select(columns, source)
    names = [name for name, _ in columns]
    parameters: dict[str, Any] = {"prefix": BOM + csv_line(names), "suffix": "\n"}
    if "$formula_starts" in select:  # DuckDB refuses a parameter the statement lacks
        parameters["formula_starts"] = list(FORMULA_STARTS)
    return select, parameters


def _write_csv(
    con: duckdb.DuckDBPyConnection, select: str, parameters: dict[str, Any], target: Path
) -> int:
    """COPY ``select`` to ``target`` as a CSV download; its rows."""
    (rows,) = one_row(
        con.execute(
            f"copy ({select}) to $target ({CSV_OPTIONS})", {**parameters, "target": str(target)}
        )
    )
    if rows == 0:  # prefix and suffix alone: a blank line
        _header_only(target, parameters["prefix"])
    return int(rows)


def csv_line(values: list[str]) -> str:
    """One CSV line of ``values``, quoted where needed, as DuckDB writes its rows."""
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(values)
    return line.getvalue()


def _header_only(target: Path, prefix: str) -> None:
    """A CSV download of no rows: its ``prefix`` (``_csv_select``: the byte order mark and the
    header) alone."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(prefix, encoding="utf-8")


def _no_lines_csv(prefix: str, folder: Path) -> None:
    _header_only(folder / "lines_none.csv", prefix)


@dataclass(frozen=True)
class Mart:
    table: str
    description: str
    rows: int
    columns: list[tuple[str, str, str]]  # name, DuckDB type, description
    sheet: str | None  # None: left out of the workbook
    left_out_because: str = ""


def write_workbook(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    tables: list[str],
    meta: dict[str, Any],
    max_rows: int = SHEET_ROWS,
    max_cells: int = WORKBOOK_CELLS,
    columns: Columns | None = None,
) -> int:
    """Write the workbook of ``tables`` (marts) to ``target``; returns the data rows it holds.

    A mart of more than ``max_rows`` rows, or one whose cells would take the workbook past
    ``max_cells``, is left out and listed as such."""
    marts = _plan(con, tables, meta, columns or mart_columns(con), max_rows, max_cells)
    book = Workbook(write_only=True)
    tables_sheet = book.create_sheet(TABLES_SHEET)
    columns_sheet = book.create_sheet(COLUMNS_SHEET)
    written, cut = 0, 0
    for mart in marts:
        if mart.sheet is not None:
            sheet_rows, sheet_cut = _write_mart(con, book.create_sheet(mart.sheet), mart)
            written, cut = written + sheet_rows, cut + sheet_cut
    _write_tables(tables_sheet, marts, meta, cut)
    _write_columns(columns_sheet, marts)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Zipped in memory (the workbook is bounded by ``max_cells``), then written in one go: a
    # full disk stops openpyxl half-way with its archive and sheets open, and they fail again,
    # printing tracebacks, whenever they are collected; our own write fails once, naming the file.
    buffer = io.BytesIO()
    book.save(buffer)
    target.write_bytes(buffer.getvalue())
    return written


def _plan(
    con: duckdb.DuckDBPyConnection,
    tables: list[str],
    meta: dict[str, Any],
    columns: Columns,
    max_rows: int,
    max_cells: int,
) -> list[Mart]:
    """Each mart with its description, columns and rows, and whether it has a sheet. The rows
    are ``meta_build``'s counts where it has them."""
    descriptions = dict(
        con.execute(
            "select table_name, coalesce(comment, '') from duckdb_tables() "
            "where database_name = current_database() and schema_name = 'marts'"
        ).fetchall()
    )
    counted = json.loads(meta.get("mart_row_counts") or "{}")
    marts: list[Mart] = []
    cells, names = 0, set[str]()
    for table in tables:
        rows = counted.get(f"marts.{table}")
        if rows is None:
            (rows,) = one_row(con.execute(f"select count(*) from marts.{quote_identifier(table)}"))
        size = rows * len(columns[table])
        sheet, because = None, ""
        if rows > max_rows:
            because = f"{rows:,} rows, more than a sheet holds ({max_rows:,})"
        elif cells + size > max_cells:
            because = (
                f"{rows:,} rows × {len(columns[table])} columns, more than this workbook keeps "
                f"({max_cells:,} cells, so that it opens quickly)"
            )
        else:
            cells += size
            sheet = _sheet_name(table, names)
        marts.append(Mart(table, descriptions.get(table, ""), rows, columns[table], sheet, because))
    return marts


def _sheet_name(table: str, taken: set[str]) -> str:
    """``table`` cut to Excel's 31 characters, and made unique in the workbook."""
    name, number = table[:SHEET_NAME_CHARS], 1
    while name.lower() in taken:
        number += 1
        suffix = f"~{number}"
        name = table[: SHEET_NAME_CHARS - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _write_mart(con: duckdb.DuckDBPyConnection, sheet: Any, mart: Mart) -> tuple[int, int]:
    """Stream a mart into its sheet; returns its rows and the text cells cut to Excel's limit."""
    cursor = con.execute(f"select * from marts.{quote_identifier(mart.table)}")
    batch = cursor.fetchmany(BATCH_ROWS)
    headers = [header(name) for name, _, _ in mart.columns]
    for number, title in enumerate(headers, start=1):
        sample = [_width(row[number - 1]) for row in batch[:WIDTH_SAMPLE_ROWS]]
        sheet.column_dimensions[get_column_letter(number)].width = min(
            max([_width(title) * 0.9, *sample, 6]) + 2, 60
        )
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, title) for title in headers])
    rows, cut = 0, 0
    while batch:
        for row in batch:
            cells = [_cell(value) for value in row]
            cut += sum(1 for value in cells if isinstance(value, _Cut))
            sheet.append([str(value) if isinstance(value, _Cut) else value for value in cells])
        rows += len(batch)
        batch = cursor.fetchmany(BATCH_ROWS)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{rows + 1}"
    return rows, cut


class _Cut(str):
    """Text cut to Excel's limit of a cell (counted, then written as text)."""


def _cell(value: Any) -> Any:
    """A value as a workbook cell holds it: numbers, dates and truth values as they are; text
    neutralised, made XML-safe and cut to Excel's limit; anything else as its text."""
    if value is None or isinstance(value, bool | int | Decimal | date | timedelta):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if not isinstance(value, str):
        value = json.dumps(value, default=str, ensure_ascii=False)
    text = spreadsheet_safe(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    if len(text) > TEXT_CELL_CHARS:
        return _Cut(text[: TEXT_CELL_CHARS - 1] + "…")
    return text


def _width(value: Any) -> float:
    """About how many character widths ``value`` takes (Hangul and other wide letters: two)."""
    if value is None:
        return 0
    text = str(value)[:80]
    return sum(2 if ord(character) >= 0x1100 else 1 for character in text)


def _bold(sheet: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = BOLD
    return cell


def _write_tables(sheet: Any, marts: list[Mart], meta: dict[str, Any], cut: int) -> None:
    for column, width in zip("ABCDEF", (34, 34, 12, 80, 30, 30), strict=True):
        sheet.column_dimensions[column].width = width
    finished = meta.get("finished_at_utc")
    built = f"{finished:%Y-%m-%d %H:%M} UTC" if isinstance(finished, datetime) else ""
    sheet.append(
        [
            _bold(
                sheet,
                "국가균형발전특별회계 예산 웨어하우스 / Balanced National "
                "Development finance warehouse",
            )
        ]
    )
    sheet.append([f"빌드 / Build: {meta.get('build_id', '')}", built])
    sheet.append(
        [
            "금액 단위: 백만원. = + - @ 로 시작하는 글자에는 ' 를 붙였습니다. / Amounts in KRW "
            "million. Text that a spreadsheet would run as a formula (starting with =, +, -, @, a "
            "tab or a carriage return) starts with '; the database and the Parquet files hold it "
            "unchanged."
        ]
    )
    if cut:
        sheet.append(
            [
                f"{cut:,} text cells longer than Excel's {TEXT_CELL_CHARS:,} characters are cut "
                "here; the CSV and Parquet files hold them whole."
            ]
        )
    sheet.append([])
    titles = ["표 / Table", "시트 / Sheet", "행 / Rows", "설명 / Description", "CSV", "Parquet"]
    sheet.append([_bold(sheet, title) for title in titles])
    for mart in marts:
        where = mart.sheet or f"이 통합 문서에 없음 / not in this workbook: {mart.left_out_because}"
        sheet.append(
            [
                mart.table,
                where,
                mart.rows,
                _cell(mart.description),
                csv_download(mart.table),
                parquet_download(mart.table),
            ]
        )


def _write_columns(sheet: Any, marts: list[Mart]) -> None:
    for column, width in zip("ABCDEFG", (30, 30, 26, 32, 16, 90, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    titles = [
        "표 / Table",
        "열 / Column",
        "한국어 이름 / Korean name",
        "영어 이름 / English name",
        "자료형 / Type",
        "설명 / Description",
        "시트 / Sheet",
    ]
    sheet.append([_bold(sheet, title) for title in titles])
    rows = 0
    for mart in marts:
        for name, kind, description in mart.columns:
            words = column_name(name)
            sheet.append(
                [
                    mart.table,
                    name,
                    words.ko,
                    words.en,
                    kind,
                    _cell(description),
                    mart.sheet or "이 통합 문서에 없음 / not in this workbook",
                ]
            )
            rows += 1
    sheet.auto_filter.ref = f"A1:G{rows + 1}"
