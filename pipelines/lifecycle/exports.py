"""Exports of an audited build: every mart as Parquet, a Fiscal Data Package of the budget, and
the marts for spreadsheets (CSV for Excel and one workbook, ``excel_export``).

Written by the publish step from the build file, after all checks passed and before it is
published, into the build's own ``export`` folder; publishing swaps that folder in as
``warehouse/export``. So exports only ever come from an audited build, and always from the same
build as the published database. One read-only connection writes them all.

Text that reaches ``budget.csv``, the spreadsheet downloads or the package's titles comes from
registry entries and file names, which anyone who adds a file writes: text a spreadsheet would run
as a formula gets a leading ``'`` (``spreadsheet_safety``). The Parquet files hold the values
unchanged: their readers do not evaluate them.

The Fiscal Data Package follows the Open Knowledge Foundation's Fiscal Data Package specification
(v1.0): a Tabular Data Package whose ``model`` maps the CSV's columns to a measure (amount,
currency KRW, factor 1,000,000) and dimensions (account, level, fiscal period, phase, source).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.core.sql import json_rows, one_row, quote_identifier
from pipelines.lifecycle.excel_export import download_tables, write_spreadsheet_downloads
from pipelines.lifecycle.fiscal_year_files import LINES_TABLE, write_by_fiscal_year
from pipelines.lifecycle.spreadsheet_safety import (
    FORMULA_STARTS,
    spreadsheet_safe,
    spreadsheet_safe_query,
)

PACKAGE_FILE = "datapackage.json"
BUDGET_CSV = "budget.csv"
REVENUE_CSV = "revenue.csv"

# The budget facts with their dimensions: one row per year × account × level × phase × source.
BUDGET_QUERY = """
select
    f.fiscal_year,
    f.account_code,
    a.name_en as account_name_en,
    a.name_ko as account_name_ko,
    a.parent_account_code,
    f.level_code,
    l.name_en as level_name_en,
    l.name_ko as level_name_ko,
    f.phase,
    f.source_file,
    s.source_title,
    f.amount_krw_million
from marts.fct_budget as f
inner join marts.dim_account as a on f.account_code = a.account_code
inner join marts.dim_level as l on f.level_code = l.level_code
inner join marts.dim_source as s on f.source_file = s.source_file
order by f.fiscal_year, a.account_order, l.level_order, f.phase, f.source_file
"""

# (name, Table Schema type, description) for every column of budget.csv.
BUDGET_FIELDS = [
    ("fiscal_year", "integer", "Fiscal year (the Korean fiscal year is the calendar year)."),
    ("account_code", "string", "Account of the Special Accounts (see dim_account)."),
    ("account_name_en", "string", "Account name in English, as the source page prints it."),
    ("account_name_ko", "string", "Account name in Korean."),
    ("parent_account_code", "string", "The account this one is part of."),
    ("level_code", "string", "Level of government that formulates the budget line."),
    ("level_name_en", "string", "Level name in English."),
    ("level_name_ko", "string", "Level name in Korean."),
    ("phase", "string", "Budget phase: proposed, enacted, supplementary_<n> or settled."),
    ("source_file", "string", "Raw file in data_raw/ the amount comes from."),
    ("source_title", "string", "Title of that source as published."),
    ("amount_krw_million", "integer", "Amount in millions of Korean won (KRW 1 million)."),
]
PRIMARY_KEY = ["fiscal_year", "account_code", "level_code", "phase", "source_file"]

# Where the account's money comes from, as public documents state it (one row per statement and
# revenue source; `not_itemised` is the part a statement's total does not name).
REVENUE_QUERY = """
select
    fiscal_year,
    revenue_source_code,
    revenue_source_name_en,
    revenue_source_name_ko,
    phase,
    stated_by,
    strftime(publication_date, '%Y-%m-%d') as publication_date,
    url,
    is_computed,
    amount_krw_million
from marts.fct_special_account_revenue
order by fiscal_year, revenue_source_order, stated_by, url
"""
REVENUE_FIELDS = [
    ("fiscal_year", "integer", "Fiscal year."),
    ("revenue_source_code", "string", "Revenue source (ref_cited_items), or not_itemised."),
    ("revenue_source_name_en", "string", "Revenue source in English."),
    ("revenue_source_name_ko", "string", "Revenue source in Korean."),
    ("phase", "string", "Budget phase as the statement gives it, or 'not stated'."),
    ("stated_by", "string", "Who stated the figure."),
    ("publication_date", "date", "When the statement was published."),
    ("url", "string", "Where the statement is published."),
    ("is_computed", "boolean", "True for the part of a stated total the statement does not name."),
    ("amount_krw_million", "number", "Amount in millions of Korean won (KRW 1 million)."),
]
REVENUE_KEY = ["fiscal_year", "revenue_source_code", "phase", "stated_by", "url"]


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name"
        ).fetchall()
    ]


def write_exports(
    build_db: Path,
    export_dir: Path,
    meta: dict[str, Any],
    reprocessed_years: list[int] | None = None,
    published_export_dir: Path | None = None,
    config: dict | None = None,
) -> dict[str, int]:
    """Write Parquet files, ``budget.csv``, ``datapackage.json`` and the spreadsheet downloads
    (``csv/``, ``bnd_marts.xlsx``); return rows per file.

    The budget lines go to ``fct_budget_line/fiscal_year=<year>/`` (hive-style folders). A build
    that reprocessed only some fiscal years (``reprocessed_years``) writes those years and takes
    the others' files from the published exports (``fiscal_year_files``). ``config``: DuckDB
    settings (memory limit, temporary directory).
    """
    export_dir.mkdir(parents=True, exist_ok=True)
    rows = {}
    with duckdb.connect(str(build_db), read_only=True, config=export_config(config or {})) as con:
        tables = mart_tables(con)
        for table in tables:
            if table == LINES_TABLE:
                published = published_export_dir / LINES_TABLE if published_export_dir else None
                rows[f"{LINES_TABLE}/"] = write_by_fiscal_year(
                    con,
                    f"select * from marts.{LINES_TABLE}",
                    {},
                    export_dir / LINES_TABLE,
                    "format parquet, compression zstd",
                    "parquet",
                    reprocessed_years,
                    published,
                    lambda target: _write_no_lines(con, target),
                )
                continue
            target = export_dir / f"{table}.parquet"
            # COPY answers with the number of rows it wrote.
            (rows[target.name],) = one_row(
                con.execute(
                    f"copy (select * from marts.{quote_identifier(table)}) to $target "
                    "(format parquet, compression zstd)",
                    {"target": str(target)},
                )
            )
        budget = export_dir / BUDGET_CSV
        (rows[BUDGET_CSV],) = one_row(
            con.execute(
                f"copy ({spreadsheet_safe_query(con, BUDGET_QUERY)}) to $target "
                "(format csv, header true)",
                {"target": str(budget), "formula_starts": list(FORMULA_STARTS)},
            )
        )
        if "fct_special_account_revenue" in tables:
            (rows[REVENUE_CSV],) = one_row(
                con.execute(
                    f"copy ({spreadsheet_safe_query(con, REVENUE_QUERY)}) to $target "
                    "(format csv, header true)",
                    {"target": str(export_dir / REVENUE_CSV),
                     "formula_starts": list(FORMULA_STARTS)},
                )
            )  # fmt: skip
        years = con.execute("select min(fiscal_year), max(fiscal_year) from marts.fct_budget")
        first_year, last_year = one_row(years)
        sources = json_rows(
            con.execute(
                "select source_title, source_file, source_sha256, publisher, source_url, "
                "publication_date, licence from marts.dim_source order by source_file"
            )
        )
        rows |= write_spreadsheet_downloads(
            con,
            export_dir,
            download_tables(tables),
            meta,
            reprocessed_years,
            published_export_dir,
        )
    package = fiscal_data_package(meta, first_year, last_year, sources, revenue=REVENUE_CSV in rows)
    (export_dir / PACKAGE_FILE).write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return rows


def _write_no_lines(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"copy (select * from marts.{LINES_TABLE} limit 0) to $target "
        "(format parquet, compression zstd)",
        {"target": str(target / "lines_none.parquet")},
    )


def fiscal_data_package(
    meta: dict[str, Any],
    first_year: int,
    last_year: int,
    sources: list[dict[str, Any]],
    revenue: bool = False,
) -> dict[str, Any]:
    """The package of ``budget.csv`` and, with ``revenue``, of ``revenue.csv``: the account's
    revenue as public documents state it, a measure of direction ``revenue``."""
    package = _budget_package(meta, first_year, last_year, sources)
    if revenue:
        package["model"]["measures"]["revenue"] = {
            "source": "amount_krw_million",
            "resource": "revenue",
            "title": "Revenue as public documents state it",
            "currency": "KRW",
            "factor": 1_000_000,
            "direction": "revenue",
        }
        package["model"]["dimensions"]["revenue_source"] = {
            "dimensionType": "classification",
            "classificationType": "revenue",
            "primaryKey": ["revenue_source_code"],
            "attributes": {
                "revenue_source_code": {"source": "revenue_source_code", "resource": "revenue"},
                "revenue_source_name_en": {
                    **label("revenue_source_name_en", "revenue_source_code"),
                    "resource": "revenue",
                },
                "revenue_source_name_ko": {
                    **label("revenue_source_name_ko", "revenue_source_code"),
                    "resource": "revenue",
                },
            },
        }
        package["resources"].append(
            _csv_resource("revenue", REVENUE_CSV, REVENUE_FIELDS, REVENUE_KEY)
        )
    return package


def _csv_resource(
    name: str, path: str, fields: list[tuple[str, str, str]], key: list[str]
) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [
                {"name": field, "type": kind, "description": description}
                for field, kind, description in fields
            ],
            "primaryKey": key,
            "missingValues": [""],
        },
    }


def _budget_package(
    meta: dict[str, Any], first_year: int, last_year: int, sources: list[dict[str, Any]]
) -> dict[str, Any]:
    finished: datetime = meta["finished_at_utc"]
    return {
        "profile": "tabular-data-package",
        "name": "bnd-special-accounts-budget",
        "title": "Special Accounts for Balanced National Development: budget by account and level",
        "description": (
            "Budget of the Special Accounts for Balanced National Development by fiscal year, "
            "account and level of government, from the audited warehouse build "
            f"{meta['build_id']}. Amounts are in KRW million; the model's factor converts them "
            "to KRW."
        ),
        "created": finished.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "build_id": meta["build_id"],
        "code_version": meta["code_version"],
        # Each raw file with its provenance as registered (``url``, ``publication_date`` and
        # ``licence`` only where known).
        "sources": [_package_source(source) for source in sources],
        "fiscalPeriod": {"start": f"{first_year}-01-01", "end": f"{last_year}-12-31"},
        "model": {
            "measures": {
                "amount": {
                    "source": "amount_krw_million",
                    "title": "Budget amount",
                    "currency": "KRW",
                    "factor": 1_000_000,
                    "direction": "expenditure",
                }
            },
            "dimensions": {
                "account": {
                    "dimensionType": "classification",
                    "classificationType": "functional",
                    "primaryKey": ["account_code"],
                    "attributes": {
                        "account_code": {"source": "account_code"},
                        "account_name_en": {
                            "source": "account_name_en",
                            "labelfor": "account_code",
                        },
                        "account_name_ko": {
                            "source": "account_name_ko",
                            "labelfor": "account_code",
                        },
                        "parent_account_code": {
                            "source": "parent_account_code",
                            "parent": "account_code",
                        },
                    },
                },
                "level": {
                    "dimensionType": "classification",
                    "classificationType": "administrative",
                    "primaryKey": ["level_code"],
                    "attributes": {
                        "level_code": {"source": "level_code"},
                        "level_name_en": label("level_name_en", "level_code"),
                        "level_name_ko": label("level_name_ko", "level_code"),
                    },
                },
                "fiscal_period": {
                    "dimensionType": "datetime",
                    "primaryKey": ["fiscal_year"],
                    "attributes": {"fiscal_year": {"source": "fiscal_year"}},
                },
                "phase": {
                    "dimensionType": "other",
                    "primaryKey": ["phase"],
                    "attributes": {"phase": {"source": "phase"}},
                },
                "source": {
                    "dimensionType": "other",
                    "primaryKey": ["source_file"],
                    "attributes": {
                        "source_file": {"source": "source_file"},
                        "source_title": label("source_title", "source_file"),
                    },
                },
            },
        },
        "resources": [_csv_resource("budget", BUDGET_CSV, BUDGET_FIELDS, PRIMARY_KEY)],
    }


def _package_source(source: dict[str, Any]) -> dict[str, Any]:
    """A ``sources`` item of the package: the file and its provenance, text made safe to open
    in a spreadsheet; a date as ``YYYY-MM-DD``; what is not known left out."""
    item = {
        "title": spreadsheet_safe(source["source_title"]),
        "path": spreadsheet_safe(f"data_raw/{source['source_file']}"),
        "sha256": source["source_sha256"],
        "publisher": spreadsheet_safe(source["publisher"]),
    }
    for key, column in (("url", "source_url"), ("licence", "licence")):
        if source.get(column):
            item[key] = spreadsheet_safe(source[column])
    if source.get("publication_date"):
        item["publication_date"] = str(source["publication_date"])
    return item


# Writing Parquet and CSV streams row groups: a few hundred MB suffice. Given the build's limit,
# DuckDB keeps the fact's blocks in its buffer pool as it reads them, up to that limit: 3.9 GB of
# 4 GB at 10 M lines, the run's peak (bench/results.md). The exports get at most this much.
EXPORT_MEMORY_LIMIT = "1GB"
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(i?)b?\s*", re.IGNORECASE)


def export_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with its memory limit lowered to ``EXPORT_MEMORY_LIMIT`` (a lower one is kept)."""
    limit = config.get("memory_limit")
    if limit is not None and _bytes(str(limit)) <= _bytes(EXPORT_MEMORY_LIMIT):
        return config
    return {**config, "memory_limit": EXPORT_MEMORY_LIMIT}


def _bytes(size: str) -> float:
    """``4GB``, ``512MiB``, ``1.5 GB`` in bytes (DuckDB's units); what does not parse is taken as
    unlimited."""
    match = _SIZE.fullmatch(size)
    if match is None:
        return float("inf")
    number, prefix, binary = float(match[1]), match[2].lower(), match[3]
    base = 1024 if binary else 1000
    return number * base ** " kmgt".index(prefix or " ")


def label(column: str, of: str) -> dict[str, str]:
    """A Fiscal Data Package attribute that is the human-readable label of attribute ``of``."""
    return {"source": column, "labelfor": of}
