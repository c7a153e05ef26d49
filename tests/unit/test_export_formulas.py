"""Exported text that a spreadsheet would run as a formula gets a leading quote; numbers stay.

A small warehouse with the marts ``budget.csv`` is made from, written by real DuckDB, and the
real export code run over it.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lifecycle.exports import BUDGET_CSV, BUDGET_FIELDS, PACKAGE_FILE, write_exports

HOSTILE = {
    "=evil.csv": '=HYPERLINK("http://x","y")',
    "@SUM(A1).csv": "=1+2|cmd",
    "+plus.csv": "-minus title",
    "\tstarts with a tab.csv": "@at title",
    "plain.csv": "\rcarriage return title",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            create schema marts;
            create table marts.dim_account (account_code varchar, name_en varchar,
                name_ko varchar, parent_account_code varchar, account_order integer);
            insert into marts.dim_account values ('-acct', '=cmd|x', '+name', '@parent', 1);
            create table marts.dim_level (level_code varchar, name_en varchar, name_ko varchar,
                level_order integer);
            insert into marts.dim_level values ('account_whole', 'Whole', '계정', 1);
            create table marts.dim_source (source_file varchar, source_title varchar,
                source_sha256 varchar, publisher varchar, source_url varchar,
                publication_date date, licence varchar);
            create table marts.fct_budget (fiscal_year integer, account_code varchar,
                level_code varchar, phase varchar, source_file varchar, amount_krw_million bigint);
            """
        )
        for number, (file, title) in enumerate(HOSTILE.items()):
            con.execute(
                "insert into marts.dim_source values (?, ?, ?, ?, ?, '2020-12-02', ?)",
                [file, title, "0" * 64, title, f"https://example.org/{number}", title],
            )
            con.execute(
                "insert into marts.fct_budget values (2020, '-acct', 'account_whole', 'enacted', "
                "?, ?)",
                [file, -5 - number],
            )


def test_text_cells_that_are_formulas_are_neutralised_and_amounts_stay_numbers(
    tmp_path: Path,
) -> None:
    _warehouse(tmp_path / "bnd.duckdb")
    meta = {
        "finished_at_utc": datetime(2026, 1, 1, tzinfo=UTC),
        "build_id": "b",
        "code_version": "c",
    }
    rows = write_exports(tmp_path / "bnd.duckdb", tmp_path / "export", meta)
    assert rows[BUDGET_CSV] == len(HOSTILE)

    with (tmp_path / "export" / BUDGET_CSV).open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    text_columns = [name for name, kind, _ in BUDGET_FIELDS if kind == "string"]
    assert len(table) == len(HOSTILE)
    for row in table:
        for column in text_columns:
            assert not row[column].startswith(FORMULA_STARTS), (column, row[column])
    # The value is kept behind the quote, and negative amounts are still plain numbers.
    assert sorted(row["source_title"] for row in table) == sorted(f"'{t}" for t in HOSTILE.values())
    assert sorted(row["source_file"] for row in table) == sorted(
        ["'=evil.csv", "'@SUM(A1).csv", "'+plus.csv", "'\tstarts with a tab.csv", "plain.csv"]
    )
    assert {row["account_name_en"] for row in table} == {"'=cmd|x"}
    assert sorted(int(row["amount_krw_million"]) for row in table) == [-9, -8, -7, -6, -5]

    package = json.loads((tmp_path / "export" / PACKAGE_FILE).read_text(encoding="utf-8"))
    for source in package["sources"]:
        for key in ("title", "path", "publisher", "licence", "url"):
            assert not source[key].startswith(FORMULA_STARTS), source
        assert source["publication_date"] == "2020-12-02"
    titles = sorted(source["title"] for source in package["sources"])
    assert titles == sorted(f"'{title}" for title in HOSTILE.values())


def test_the_exports_read_with_a_memory_limit_of_their_own() -> None:
    from pipelines.lifecycle.exports import EXPORT_MEMORY_LIMIT, export_config

    assert export_config({"memory_limit": "4GB", "threads": 2}) == {
        "memory_limit": EXPORT_MEMORY_LIMIT,
        "threads": 2,
    }
    assert export_config({})["memory_limit"] == EXPORT_MEMORY_LIMIT
    for lower in ("512MB", "512MiB", "0.5GB", "900 MB"):
        assert export_config({"memory_limit": lower}) == {"memory_limit": lower}
    assert export_config({"memory_limit": "1.2GiB"})["memory_limit"] == EXPORT_MEMORY_LIMIT


def test_the_spreadsheet_downloads_neutralise_the_same_cells(tmp_path: Path) -> None:
    """``csv/`` (for Excel) and ``bnd_marts.xlsx`` take the same care as ``budget.csv``."""
    import openpyxl

    _warehouse(tmp_path / "bnd.duckdb")
    meta = {"finished_at_utc": datetime(2026, 1, 1), "build_id": "b", "code_version": "c"}
    rows = write_exports(tmp_path / "bnd.duckdb", tmp_path / "export", meta)
    assert rows["csv/dim_source.csv"] == len(HOSTILE)

    with (tmp_path / "export" / "csv" / "dim_source.csv").open(
        encoding="utf-8-sig", newline=""
    ) as handle:
        sources = list(csv.DictReader(handle))
    book = openpyxl.load_workbook(tmp_path / "export" / "bnd_marts.xlsx")
    sheet = [list(row) for row in book["dim_source"].iter_rows(min_row=2, values_only=True)]
    for table in (sources, [dict(zip(sources[0], row, strict=True)) for row in sheet]):
        assert sorted(row["source_title"] for row in table) == sorted(
            f"'{title}" for title in HOSTILE.values()
        )
        for row in table:
            for value in row.values():
                assert not str(value).startswith(FORMULA_STARTS), row
    assert all(cell.data_type != "f" for row in book["dim_source"].iter_rows() for cell in row)
