"""The spreadsheet downloads (``lifecycle.excel_export``) on a small warehouse written by real
DuckDB: CSV that Excel opens as UTF-8, and a workbook with Korean and English headers, the sheets
describing it, formulas neutralised and its size bounded."""

from __future__ import annotations

import csv
import gc
import math
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.lifecycle.excel_export import (
    BOM,
    COLUMNS_SHEET,
    TABLES_SHEET,
    TEXT_CELL_CHARS,
    _cell,
    _sheet_name,
    download_tables,
    mart_columns,
    write_csv_downloads,
    write_csv_from_parquet,
    write_workbook,
)
from pipelines.lifecycle.fiscal_year_files import write_by_fiscal_year
from tests.conftest import files_under

META = {"finished_at_utc": datetime(2026, 1, 1, 12, 0), "build_id": "20260101T120000Z-abcdef12"}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "bnd.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            create schema marts;
            create table marts.dim_level (level_code varchar, name_ko varchar, level_order int);
            insert into marts.dim_level values ('city_province', '시·도', 1),
                ('=HYPERLINK("http://x")', '-1+2', 2), ('si_gun_gu', '시·군·구', 3);
            create table marts.fct_budget (fiscal_year int, level_code varchar,
                amount_krw_million decimal(18, 3), read_at timestamptz);
            insert into marts.fct_budget values
                (2019, 'city_province', -12.5, '2026-01-01 09:00:00+09'),
                (2020, 'si_gun_gu', 7, null);
            create table marts.dim_programme (programme_code varchar);
            create table marts.fct_budget_line (fiscal_year int, programme_code varchar,
                amount_krw_million decimal(18, 3));
            insert into marts.fct_budget_line values (2019, 'P-1', 1), (2019, '@P-2', 2),
                (2020, 'P-3', 3);
            create table marts.meta_build (build_id varchar);
            comment on table marts.dim_level is 'Levels of government.';
            comment on column marts.dim_level.name_ko is 'Korean name.';
            """
        )
    return path


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def test_the_downloads_are_the_facts_dimensions_and_bridges() -> None:
    tables = ["meta_build", "dim_level", "bridge_x", "fct_budget", "audit_y", "dim_account"]
    assert download_tables(tables) == ["fct_budget", "dim_account", "dim_level", "bridge_x"]


def test_each_csv_starts_with_a_byte_order_mark_and_neutralises_formulas(
    warehouse: Path, tmp_path: Path
) -> None:
    with _connect(warehouse) as con:
        tables = ["fct_budget", "dim_level", "dim_programme"]
        rows = write_csv_downloads(con, tmp_path / "export", tables, mart_columns(con))
    assert rows == {"csv/fct_budget.csv": 2, "csv/dim_level.csv": 3, "csv/dim_programme.csv": 0}
    level = (tmp_path / "export" / "csv" / "dim_level.csv").read_bytes()
    assert level.startswith(BOM.encode())
    assert level.endswith(b"\n") and not level.endswith(b"\n\n")
    with (tmp_path / "export" / "csv" / "dim_level.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.reader(handle))
    assert table == [
        ["level_code", "name_ko", "level_order"],
        ["city_province", "시·도", "1"],
        ['\'=HYPERLINK("http://x")', "'-1+2", "2"],
        ["si_gun_gu", "시·군·구", "3"],
    ]
    budget = (tmp_path / "export" / "csv" / "fct_budget.csv").read_text(encoding="utf-8-sig")
    assert budget.splitlines()[1].startswith("2019,city_province,-12.500,")  # numbers stay
    # a mart with no rows: its header alone, no blank line
    empty = (tmp_path / "export" / "csv" / "dim_programme.csv").read_bytes()
    assert empty == BOM.encode() + b"programme_code\n"


def test_the_budget_lines_csv_is_one_file_per_fiscal_year_and_a_refresh_reuses_the_others(
    warehouse: Path, tmp_path: Path
) -> None:
    with _connect(warehouse) as con:
        columns = mart_columns(con)
        rows = write_csv_downloads(con, tmp_path / "first", ["fct_budget_line"], columns)
        assert rows == {"csv/fct_budget_line/": 3}
        folder = tmp_path / "first" / "csv" / "fct_budget_line"
        files = sorted(folder.rglob("*.csv"))
        assert [file.parent.name for file in files] == ["fiscal_year=2019", "fiscal_year=2020"]
        for file in files:
            text = file.read_text(encoding="utf-8")
            assert text.startswith(BOM + "fiscal_year,programme_code,amount_krw_million\n")
        assert "'@P-2" in files[0].read_text(encoding="utf-8")
        # a refresh of 2020 writes 2020 and copies 2019 as published
        (files[0]).write_text(BOM + "kept as published\n", encoding="utf-8")
        write_csv_downloads(
            con, tmp_path / "second", ["fct_budget_line"], columns, [2020], tmp_path / "first"
        )
    second = tmp_path / "second" / "csv" / "fct_budget_line"
    assert (second / "fiscal_year=2019" / files[0].name).read_text(encoding="utf-8") == (
        BOM + "kept as published\n"
    )
    assert "P-3" in (second / "fiscal_year=2020" / "lines_0.csv").read_text(encoding="utf-8")


def _parquet_exports(con: duckdb.DuckDBPyConnection, tables: list[str], folder: Path) -> None:
    """Parquet files of ``tables`` as the exports write them (the lines by fiscal year)."""
    folder.mkdir()
    for table in tables:
        if table == "fct_budget_line":
            write_by_fiscal_year(
                con,
                "select * from marts.fct_budget_line",
                {},
                folder / table,
                "format parquet",
                "parquet",
                None,
                None,
                lambda target: con.execute(
                    "copy (select * from marts.fct_budget_line limit 0) to $target "
                    "(format parquet)",
                    {"target": str(target / "lines_none.parquet")},
                ),
            )
        else:
            con.execute(
                f"copy marts.{table} to $target (format parquet)",
                {"target": str(folder / f"{table}.parquet")},
            )


@pytest.mark.parametrize("lines", ["some", "none"])
def test_csv_downloads_written_again_from_the_parquet_are_those_of_the_build(
    warehouse: Path, tmp_path: Path, lines: str
) -> None:
    """A rollback writes the CSV downloads from the kept Parquet files (``history.NOT_KEPT``):
    byte for byte the files the build wrote from the database, formulas neutralised, a time
    with its zone, a mart of no rows, the budget lines by fiscal year or none at all."""
    tables = ["fct_budget", "fct_budget_line", "dim_level", "dim_programme", "meta_build"]
    with duckdb.connect(str(warehouse)) as con:
        if lines == "none":
            con.execute("delete from marts.fct_budget_line")
        downloads = download_tables(tables)
        rows = write_csv_downloads(con, tmp_path / "built", downloads, mart_columns(con))
        _parquet_exports(con, tables, tmp_path / "kept")

    assert write_csv_from_parquet(tmp_path / "kept") == rows
    built, written = files_under(tmp_path / "built" / "csv"), files_under(tmp_path / "kept" / "csv")
    assert written == built
    assert "fct_budget_line/fiscal_year=2019/lines_0.csv" in built or lines == "none"
    assert "meta_build.csv" not in written  # not a download: Parquet only


def test_no_lines_leave_one_csv_of_the_header(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts; create table marts.fct_budget_line (fiscal_year int)")
        write_csv_downloads(con, tmp_path, ["fct_budget_line"], mart_columns(con))
    (file,) = (tmp_path / "csv" / "fct_budget_line").rglob("*.csv")
    assert file.read_bytes() == BOM.encode() + b"fiscal_year\n"


def test_the_workbook_has_bilingual_headers_describing_sheets_and_no_formula(
    warehouse: Path, tmp_path: Path
) -> None:
    target = tmp_path / "bnd_marts.xlsx"
    with _connect(warehouse) as con:
        written = write_workbook(con, target, ["fct_budget", "dim_level"], META)
    assert written == 5
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [TABLES_SHEET, COLUMNS_SHEET, "fct_budget", "dim_level"]
    level = [list(row) for row in book["dim_level"].iter_rows(values_only=True)]
    assert level[0] == [
        "편성 수준 코드 / Level code",
        "한글 이름 / Name (Korean)",
        "편성 수준 순서 / Level order",
    ]
    assert level[2] == ['\'=HYPERLINK("http://x")', "'-1+2", 2]
    assert not [
        cell.coordinate
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    budget = list(book["fct_budget"].iter_rows(values_only=True))
    assert budget[1][:3] == (2019, "city_province", -12.5)
    assert budget[1][3] == datetime(2026, 1, 1, 0, 0)  # in UTC: Excel has no time zones
    columns = list(book[COLUMNS_SHEET].iter_rows(values_only=True))
    assert columns[0] == (
        "표 / Table",
        "열 / Column",
        "한국어 이름 / Korean name",
        "영어 이름 / English name",
        "자료형 / Type",
        "설명 / Description",
        "시트 / Sheet",
    )
    assert (next(row for row in columns if row[:2] == ("dim_level", "name_ko"))[:6]) == (
        "dim_level",
        "name_ko",
        "한글 이름",
        "Name (Korean)",
        "VARCHAR",
        "Korean name.",
    )
    assert len(columns) == 1 + 4 + 3
    tables = list(book[TABLES_SHEET].iter_rows(values_only=True))
    assert any(META["build_id"] in str(row[0]) for row in tables)
    level_row = next(row for row in tables if row[0] == "dim_level")
    assert level_row == (
        "dim_level",
        "dim_level",
        3,
        "Levels of government.",
        "csv/dim_level.csv",
        "dim_level.parquet",
    )


@pytest.mark.parametrize(("max_rows", "kept"), [(3, True), (2, False)])
def test_a_mart_beyond_a_sheets_rows_is_left_out_and_said_so(
    warehouse: Path, tmp_path: Path, max_rows: int, kept: bool
) -> None:
    target = tmp_path / "bnd_marts.xlsx"
    with _connect(warehouse) as con:
        written = write_workbook(con, target, ["fct_budget", "dim_level"], META, max_rows=max_rows)
    book = openpyxl.load_workbook(target)
    assert ("dim_level" in book.sheetnames) is kept
    assert written == (5 if kept else 2)
    (level,) = [
        row for row in book[TABLES_SHEET].iter_rows(values_only=True) if row[0] == "dim_level"
    ]
    if kept:
        assert level[1] == "dim_level"
    else:
        assert level[1] == (
            "이 통합 문서에 없음 / not in this workbook: 3 rows, more than a sheet holds (2)"
        )
        assert level[4:] == ("csv/dim_level.csv", "dim_level.parquet")
    # its columns are described all the same
    columns = list(book[COLUMNS_SHEET].iter_rows(values_only=True))
    assert [row[1] for row in columns if row[0] == "dim_level"] == [
        "level_code",
        "name_ko",
        "level_order",
    ]


@pytest.mark.parametrize(("max_cells", "kept"), [(8 + 9, True), (8 + 8, False)])
def test_the_workbook_keeps_to_its_cells(
    warehouse: Path, tmp_path: Path, max_cells: int, kept: bool
) -> None:
    target = tmp_path / "bnd_marts.xlsx"
    with _connect(warehouse) as con:  # fct_budget: 2 rows × 4 columns; dim_level: 3 × 3
        write_workbook(con, target, ["fct_budget", "dim_level"], META, max_cells=max_cells)
    book = openpyxl.load_workbook(target)
    assert "fct_budget" in book.sheetnames
    assert ("dim_level" in book.sheetnames) is kept


def test_row_counts_come_from_meta_build_when_it_has_them(warehouse: Path, tmp_path: Path) -> None:
    meta = {**META, "mart_row_counts": '{"marts.dim_level": 5000000}'}
    with _connect(warehouse) as con:
        write_workbook(con, tmp_path / "w.xlsx", ["dim_level"], meta)
    assert openpyxl.load_workbook(tmp_path / "w.xlsx").sheetnames == [TABLES_SHEET, COLUMNS_SHEET]


def test_sheet_names_fit_excels_31_characters_and_stay_unique() -> None:
    taken: set[str] = set()
    first = _sheet_name("fct_special_account_by_formulator", taken)
    second = _sheet_name("fct_special_account_by_formulator_2", taken)
    assert first == "fct_special_account_by_formulat"
    assert second == "fct_special_account_by_formul~2"
    assert len(first) == len(second) == 31


def test_cells_hold_what_excel_can() -> None:
    assert _cell(Decimal("-1.5")) == Decimal("-1.5")
    assert _cell(date(2020, 1, 1)) == date(2020, 1, 1)
    assert _cell(timedelta(days=1)) == timedelta(days=1)
    seoul = timezone(timedelta(hours=9))
    assert _cell(datetime(2026, 1, 1, 9, tzinfo=seoul)) == datetime(2026, 1, 1, 0)
    assert _cell(datetime(2026, 1, 1, tzinfo=UTC)).tzinfo is None
    assert _cell(math.nan) == "nan"
    assert _cell(["a", 1]) == '["a", 1]'
    assert _cell("bell\x07 here") == "bell\ufffd here"
    assert _cell("+1 234") == "'+1 234"
    long = _cell("x" * (TEXT_CELL_CHARS + 10))
    assert len(long) == TEXT_CELL_CHARS and long.endswith("…")


def test_a_workbook_the_disk_has_no_room_for_fails_once_and_leaves_nothing_open(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl stopped half-way by a full disk left its archive and sheets open, and each
    failed again with a traceback whenever it was collected ("Exception ignored in ...")."""
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with _connect(warehouse) as con, pytest.raises(OSError, match="No space left on device"):
        write_workbook(con, Path("/dev/full"), ["fct_budget", "dim_level"], META)
    gc.collect()
    assert unraisable == []


@pytest.mark.parametrize("order", [True, False])
def test_the_lines_are_copied_in_any_row_order_and_the_setting_is_put_back(
    warehouse: Path, tmp_path: Path, order: bool
) -> None:
    """The per-year copies run with DuckDB's ``preserve_insertion_order`` off (each file says
    what it was while it was written); the exports after them (``budget.csv``, ordered) run with
    the setting as it was."""
    setting = "current_setting('preserve_insertion_order')"
    with duckdb.connect(str(warehouse), config={"preserve_insertion_order": order}) as con:
        rows = write_by_fiscal_year(
            con,
            f"select fiscal_year, {setting} as row_order_kept from marts.fct_budget_line",
            {},
            tmp_path / "lines",
            "format parquet",
            "parquet",
            None,
            None,
            lambda target: None,
        )
        assert con.execute(f"select {setting}").fetchone() == (order,)
        written = con.execute(
            "select fiscal_year, row_order_kept from read_parquet($files) order by all",
            {"files": str(tmp_path / "lines" / "*" / "*.parquet")},
        ).fetchall()
    assert rows == 3
    assert written == [(2019, False), (2019, False), (2020, False)]
