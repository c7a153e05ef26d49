"""The benchmark's baseline: the pipeline's work on budget lines as one plain DuckDB script.

    python bench/baseline.py --raw bench/data/1m/csv --db /tmp/baseline.duckdb --export /tmp/out

reads every ``budget_lines/<year>/*.csv`` (or ``*.parquet`` with ``--format parquet``) of the raw
folder in one typed read, builds the typed lines, the dimensions of organisations and programmes,
the line-level fact (detail lines, not the published subtotals) and a mart (sum by fiscal year ×
account × level × phase), reconciles it (every published subtotal equals its detail lines; the
mart's enacted 2015–2020 rows equal the page's figures), checks the fact's grain, exports Parquet,
and prints a one-line JSON summary. No Dagster, dbt or Great Expectations: what the pipeline's
overhead is measured against. Exits non-zero naming the first mismatch or the bad input line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import duckdb

from pipelines.core.settings import DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_ENV
from pipelines.landing.line_rules import COLUMNS as LINE_COLUMNS
from tests.source_figures import LEAVES, YEARS

LINES_GLOB = "budget_lines/*/*"
# The line files' columns as the pipeline reads them, and the generator's two of its own.
COLUMNS = {**LINE_COLUMNS, "is_subtotal": "BOOLEAN", "is_synthetic": "BOOLEAN"}
FACT_GRAIN = (
    "fiscal_year",
    "account_code",
    "level_code",
    "organisation_code",
    "programme_code",
    "phase",
)
TABLES = (
    "staging.budget_lines",
    "marts.dim_organisation",
    "marts.dim_programme",
    "marts.fct_budget_line",
    "marts.mart_budget_by_account_level",
)


class Mismatch(Exception):
    """A reconciliation or grain check failed."""


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    """A fresh database file, with memory and spilling set as the pipeline sets them."""
    db.unlink(missing_ok=True)
    temp_dir = db.parent / "duckdb_tmp"
    shutil.rmtree(temp_dir, ignore_errors=True)
    con = duckdb.connect(str(db))
    con.execute("set preserve_insertion_order = false")
    memory_limit = os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
    con.execute("set memory_limit = $value", {"value": memory_limit})
    con.execute("set temp_directory = $value", {"value": str(temp_dir)})
    con.execute("create schema staging; create schema marts")
    return con


def read_source(raw: Path, file_format: str) -> str:
    """The typed read of every year's file, as a table function call (files: ``$pattern``)."""
    if file_format == "parquet":
        return "read_parquet($pattern, filename = true)"
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in COLUMNS.items())
    return (
        f"read_csv($pattern, header = true, delim = ',', quote = '\"', thousands = ',', "
        f"auto_detect = false, columns = {{{columns}}}, filename = true)"
    )


def load_lines(con: duckdb.DuckDBPyConnection, raw: Path, file_format: str) -> None:
    casts = ", ".join(f"{name}::{kind} as {name}" for name, kind in COLUMNS.items())
    prefix = len(raw.as_posix()) + 2  # the file's path inside the raw folder
    con.execute(
        f"""
        create table staging.budget_lines as
        select {casts}, filename[{prefix}:] as source_file
        from {read_source(raw, file_format)}
        """,
        {"pattern": (raw / f"{LINES_GLOB}.{file_format}").as_posix()},
    )


def build_models(con: duckdb.DuckDBPyConnection) -> None:
    details = "from staging.budget_lines where not is_subtotal"
    grain = ", ".join(FACT_GRAIN)
    con.execute(
        f"""
        create table marts.dim_organisation as
        select organisation_code, organisation_kind,
               min(fiscal_year) as first_fiscal_year, max(fiscal_year) as last_fiscal_year
        {details}
        group by organisation_code, organisation_kind;

        create table marts.dim_programme as
        select programme_code,
               min(fiscal_year) as first_fiscal_year, max(fiscal_year) as last_fiscal_year
        {details}
        group by programme_code;

        create table marts.fct_budget_line as
        select {grain}, source_file, amount_krw_million
        {details};

        create table marts.mart_budget_by_account_level as
        select fiscal_year, account_code, level_code, phase,
               sum(amount_krw_million)::bigint as amount_krw_million
        from marts.fct_budget_line
        group by fiscal_year, account_code, level_code, phase;
        """
    )


def check_subtotals(con: duckdb.DuckDBPyConnection) -> None:
    """Every published subtotal equals the sum of its organisation's detail lines."""
    row = con.execute(
        """
        with parts as (
            select fiscal_year, organisation_code, account_code, phase,
                   sum(amount_krw_million) filter (where not is_subtotal) as detail_sum,
                   sum(amount_krw_million) filter (where is_subtotal) as subtotal
            from staging.budget_lines
            group by fiscal_year, organisation_code, account_code, phase
        )
        select * from parts
        where subtotal is not null and subtotal is distinct from detail_sum
        order by fiscal_year, organisation_code, account_code, phase
        limit 1
        """
    ).fetchone()
    if row is not None:
        year, organisation, account, phase, detail_sum, subtotal = row
        raise Mismatch(
            f"subtotal of {organisation} {account} {phase} {year}: published {subtotal}, "
            f"detail lines add up to {detail_sum}"
        )


def page_figures_sql() -> str:
    rows = [
        f"({year}, '{account}', '{level}', {amounts[index]})"
        for (account, level), amounts in LEAVES.items()
        for index, year in enumerate(YEARS)
    ]
    return ", ".join(rows)


def check_page_figures(con: duckdb.DuckDBPyConnection) -> None:
    """The mart's enacted rows of the page's years equal the page's figures."""
    row = con.execute(
        f"""
        with page(fiscal_year, account_code, level_code, amount_krw_million) as (
            values {page_figures_sql()}
        ),
        mart as (
            select fiscal_year, account_code, level_code, amount_krw_million
            from marts.mart_budget_by_account_level
            where phase = 'enacted' and fiscal_year between {YEARS[0]} and {YEARS[-1]}
        )
        select fiscal_year, account_code, level_code,
               page.amount_krw_million, mart.amount_krw_million
        from page full outer join mart using (fiscal_year, account_code, level_code)
        where page.amount_krw_million is distinct from mart.amount_krw_million
        order by fiscal_year, account_code, level_code
        limit 1
        """
    ).fetchone()
    if row is not None:
        year, account, level, page, mart = row
        raise Mismatch(
            f"enacted {account}/{level} {year}: the page says {page}, the lines add up to {mart}"
        )


def check_grain(con: duckdb.DuckDBPyConnection) -> None:
    """No two fact rows share fiscal year × account × level × organisation × programme × phase.

    As the pipeline's grain test does: rows are grouped by one hash of the grain first, and only
    rows whose hash repeats are grouped again by the columns themselves."""
    grain = ", ".join(FACT_GRAIN)
    row = con.execute(
        f"""
        with repeated as (
            select hash({grain}) as grain_hash from marts.fct_budget_line
            group by grain_hash having count(*) > 1
        )
        select {grain}, count(*) as lines from marts.fct_budget_line
        where hash({grain}) in (select grain_hash from repeated)
        group by {grain} having count(*) > 1
        order by {grain}
        limit 1
        """
    ).fetchone()
    if row is not None:
        key = dict(zip(FACT_GRAIN, row[:-1], strict=True))
        raise Mismatch(f"{row[-1]} fact rows share the grain {key}")


def export(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    con.execute(
        """
        copy marts.fct_budget_line to $target
        (format parquet, compression zstd, partition_by (fiscal_year))
        """,
        {"target": str(out / "fct_budget_line")},
    )
    for table in ("dim_organisation", "dim_programme", "mart_budget_by_account_level"):
        con.execute(
            f"copy marts.{table} to $target (format parquet, compression zstd)",
            {"target": str(out / f"{table}.parquet")},
        )


def summary(con: duckdb.DuckDBPyConnection, seconds: float) -> dict[str, object]:
    rows = {table: con.execute(f"select count(*) from {table}").fetchone()[0] for table in TABLES}
    total = con.execute("select sum(amount_krw_million) from marts.fct_budget_line").fetchone()[0]
    return {"rows": rows, "total_amount_krw_million": int(total or 0), "seconds": round(seconds, 2)}


def run(raw: Path, db: Path, out: Path, file_format: str) -> dict[str, object]:
    started = time.perf_counter()
    with connect(db) as con:
        load_lines(con, raw, file_format)
        build_models(con)
        check_subtotals(con)
        check_page_figures(con)
        check_grain(con)
        export(con, out)
        con.execute("checkpoint")
        return summary(con, time.perf_counter() - started)


def describe_read_error(error: duckdb.Error) -> str:
    """DuckDB's reader error cut to what names the problem: file, line and what is wrong there."""
    text = str(error)
    file = re.search(r"^\s*file = (.+)$", text, re.MULTILINE)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    if not (file and line):
        return text.strip().splitlines()[0]
    problem = re.search(r"^Error when converting column .+$", text, re.MULTILINE)
    what = problem[0] if problem else text.strip().splitlines()[0]
    return f"{file[1].strip()}, line {line[1]}: {what}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", type=Path, required=True, help="a raw folder with budget_lines/")
    parser.add_argument("--db", type=Path, required=True, help="the DuckDB file to (re)create")
    parser.add_argument("--export", type=Path, required=True, help="folder for the Parquet files")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    args = parser.parse_args(argv)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = run(args.raw.resolve(), args.db, args.export, args.format)
    except Mismatch as mismatch:
        print(f"MISMATCH: {mismatch}", file=sys.stderr)
        return 1
    except duckdb.Error as error:
        print(f"error: {describe_read_error(error)}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
