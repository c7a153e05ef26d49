"""The data-quality report of a build: ``dq.json`` (for machines), ``index.html`` (English) and
``index.ko.html`` (Korean), for people.

All are made from what the build left in its reports folder (``dbt_results.json``,
``gx_results.json``, ``rejected_files.json``) and from the build's database, for a published build
and for a failed one alike. The pages are self-contained: styles inline, charts as inline SVG, no
script, and every text that comes from an input file escaped (Jinja2 autoescape), so they render
the same on a network with no internet and can never run what a file smuggled in.

The pages lead with what matters: the verdict; on a failed build, each blocking failure naming
the cell of the source that differs (``changed_cell``); the figures; the warnings; the audit
detail last. Accounts, levels and the warehouse's codes appear by their names, in Korean and
English (``report_text``); ``dq.json`` carries both names beside each code.

``dq.json`` follows ``expectations/dq.schema.json``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from markupsafe import Markup

from pipelines.checks.check_list import build_checks, count_checks
from pipelines.checks.check_report import (
    format_amount,
    format_cell,
    reconciliation_status,
    row_decimals,
    with_verdict,
)
from pipelines.core.settings import PUBLISHED_NAME, Settings
from pipelines.core.sql import json_rows
from pipelines.landing.rejections import REJECTED_FILES
from pipelines.reports import changed_cell
from pipelines.reports.html_pages import korean, page_environment
from pipelines.reports.refresh_note import (
    NOTE_PAGES,
    published_note,
    refusal_note,
    write_note,
)
from pipelines.reports.regions import regions
from pipelines.reports.report_text import (
    ERA_SHORT,
    LANGUAGES,
    PAGES,
    text,
    vocabulary,
    word,
)
from pipelines.reports.svg_charts import (
    GROUP_COLOURS,
    Era,
    Figure,
    Group,
    MarkerStyle,
    Series,
    history_dots,
    stacked_bars,
)
from pipelines.reports.twenty_years import twenty_years

TRILLION = 1_000_000  # KRW million in a KRW trillion (조원)

SCHEMA_VERSION = "1.0"
REPORT_HTML = PAGES["en"]
REPORT_HTML_KO = PAGES["ko"]
DQ_JSON = "dq.json"
BUILD_FOLDER = ".build"  # the failed build's folder in the warehouse (Settings.build_dir)
# Rows of an audit table (offending rows, comparisons) as analysts read them: the figures that
# show what is wrong first (both alike, the ratio, the status), then where, both sides' files
# before the finer keys, under plain headers, at most ROW_COLUMNS_SHOWN of them. Every other
# column of the row goes into its last cell ("more"), so the table fits a 1,280 px window
# whatever the check's table holds. Amounts are in KRW million (said above each table).
ROW_HEADERS = {
    "difference_krw_million": "difference",
    "expected_krw_million": "expected (printed)",
    "actual_krw_million": "actual (sum of parts)",
    "amount_krw_million": "amount",
    "other_amount_krw_million": "other source's amount",
    "ratio": "ratio",
    "status": "status",
    "finding": "finding",
    "expected_count": "expected count",
    "actual_count": "actual count",
    "n_values": "values published (1 expected)",
    "n_null_amounts": "empty amounts",
    "fiscal_year": "year",
    "account_code": "account",
    "source_locator": "where",
    "line_files": "line files added up",
    "other_locator": "other source, where",
    "source_file": "file",
    "other_source": "other source",
    "level_code": "level",
    "line_code": "line",
    "organisation_code": "organisation",
    "total_kind": "total",
    "subject": "subject",
    "phase": "phase",
    "tolerance_krw_million": "tolerance",
}
ROW_HEADERS_KO = {
    "difference_krw_million": "차이",
    "expected_krw_million": "인쇄된 값",
    "actual_krw_million": "세부 항목의 합",
    "amount_krw_million": "금액",
    "other_amount_krw_million": "비교 출처의 금액",
    "ratio": "비율",
    "status": "결과",
    "finding": "내용",
    "expected_count": "기대 개수",
    "actual_count": "실제 개수",
    "n_values": "게시된 값 수 (1이어야 함)",
    "n_null_amounts": "빈 금액",
    "fiscal_year": "연도",
    "account_code": "계정",
    "source_locator": "위치",
    "line_files": "합산한 세부 내역 파일",
    "other_locator": "비교 출처 위치",
    "source_file": "파일",
    "other_source": "비교 출처",
    "level_code": "구분",
    "line_code": "항목",
    "organisation_code": "기관",
    "total_kind": "종류",
    "subject": "대상",
    "phase": "단계",
    "tolerance_krw_million": "허용오차",
    "comparison_kind": "비교 종류",
    "reason": "사유",
    "unit_factor": "단위 배수",
    "other_stated_by": "발표한 곳",
    "line_source": "세부 내역 형식",
    "n_leaf_facts": "세부 항목 수",
    "is_blocking": "차단 여부",
    "total_precision_krw_million": "합계의 정밀도",
    "leaves_precision_krw_million": "세부 항목의 정밀도",
    "difference_beyond_tolerance_krw_million": "허용오차를 넘는 차이",
}
ROW_COLUMNS_SHOWN = 9
# A file named by its locator ("file:line [column]") need not be shown again.
SHOWN_BY = {"source_file": "source_locator", "other_source": "other_locator"}
# Columns that name files: wide enough to read a path (it breaks anywhere, not at once).
PLACE_COLUMNS = ("source_locator", "line_files", "other_locator", "source_file", "other_source")
# Codes that have names: the column, the kind of name, and the prefix of its names in dq.json.
NAMED_CODES = {
    "account_code": ("account", "account_name"),
    "level_code": ("level", "level_name"),
    "formulated_by": ("formulated_by", "formulated_by_name"),
}
WORDED = {"total_kind": "total_kind", "phase": "phase", "comparison_kind": "comparison_kind"}
# At most this many offending rows of one check are traced to their cell.
FINDINGS_PER_CHECK = 5


@dataclass
class BuildFacts:
    """What is known about the build the report is about."""

    status: str  # "published" | "failed"
    run_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # the marts.meta_build row, if published
    step_failures: list[tuple[str, str]] = field(default_factory=list)
    # The warehouse folder of the published build a failed build's report links to and is
    # compared with; by default the one holding the failed build's folder (``.build``).
    warehouse_dir: Path | None = None


def _read_json(path: Path, default: Any) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else default


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    return json_rows(con.execute(sql))


def _names(con: duckdb.DuckDBPyConnection, tables: set[str]) -> dict[str, dict[str, Any]]:
    """Names of accounts and levels (English and Korean), from the marts or, when the build
    stopped before them, from the seeds."""
    names: dict[str, dict[str, Any]] = {"account": {}, "level": {}}
    for kind, mart, seed, extra in (
        ("account", "marts.dim_account", "reference.ref_accounts", "parent_account_code"),
        ("level", "marts.dim_level", "reference.ref_levels", "null"),
    ):
        table = mart if mart in tables else seed if seed in tables else None
        if table is None:
            continue
        for row in _rows(
            con,
            f"select {kind}_code as code, name_en, name_ko, {extra} as parent, "
            f"{kind}_order as sort_order from {table}",
        ):
            names[kind][row["code"]] = {
                "en": row["name_en"],
                "ko": row["name_ko"],
                "order": row["sort_order"],
            }
            if kind == "account":
                names[kind][row["code"]]["parent"] = row["parent"]
    return names


def read_database(db_path: Path) -> dict[str, Any]:
    """Raw files, comparisons, names and chart data from the build, as far as the build got."""
    found: dict[str, Any] = {
        "raw_files": [],
        "reconciliation": [],
        "comparisons": [],
        "by_account": [],
        "formulator": [],
        "plan_documents": [],
        "excluded_rows": [],
        "history": [],
        "twenty_years": [],
        "regions": [],
        "eras": [],
        "names": {"account": {}, "level": {}},
        "cells": [],
        "labels": {},
    }
    if not db_path.is_file():
        return found
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = _tables(con)
        found["names"] = _names(con, tables)
        if "raw.source_files" in tables:
            found["raw_files"] = _rows(
                con,
                "select source_file as file, source_sha256 as sha256, size_bytes, title, "
                "publisher, publication_date, source_url as url, licence "
                "from raw.source_files order by 1",
            )
        if "raw.excluded_line_rows" in tables:
            found["excluded_rows"] = _rows(
                con,
                "select source_file as file, fiscal_year, account_name_published as account, "
                "sum(row_count) as rows from raw.excluded_line_rows "
                "group by all order by file, fiscal_year, account",
            )
        if "marts.fct_special_account_history" in tables:
            # each figure against the year's value of record, where the build has the audit
            against = (
                "(select a.status from audit.audit_history_figures as a "
                "where a.fiscal_year = h.fiscal_year and a.account_code = h.account_code "
                "and a.source_name = h.source_name and a.source_kind = h.source_kind "
                "and a.source_locator = h.source_locator and a.phase = h.phase)"
                if "audit.audit_history_figures" in tables
                else "null"
            )
            found["history"] = _rows(
                con,
                "select fiscal_year, account_name_that_year, phase, source_name as source, "
                "source_kind, source_locator, amount_krw_million, precision_krw_million, "
                f"{against} as against_record "
                "from marts.fct_special_account_history as h "
                "where account_code = 'bnd_special_account' order by all",
            )
        found["eras"] = _eras(con, tables)
        found["twenty_years"] = twenty_years(con, tables)
        found["regions"] = regions(con, tables)
        found["changes"] = _changes(con, tables)
        if "raw.plan_declared_counts" in tables:
            found["plan_documents"] = [
                row["file"]
                for row in _rows(
                    con,
                    "select distinct source_file as file from raw.plan_declared_counts order by 1",
                )
            ]
        if "audit.audit_budget_reconciliation" in tables:
            found["reconciliation"] = [
                {**row, "status": row.get("status") or reconciliation_status(row)}
                for row in _rows(
                    con,
                    "select * from audit.audit_budget_reconciliation "
                    "order by fiscal_year, account_code, total_kind, source_file, phase",
                )
            ]
        if "audit.audit_source_comparison" in tables:
            found["comparisons"] = _rows(
                con, "select * from audit.audit_source_comparison order by all"
            )
        if "raw.budget_cells" in tables:
            found["labels"] = {
                row["source_locator"]: {"label": row["label"], "line": row["line"]}
                for row in _rows(
                    con,
                    "select source_locator, row_label as label, line_number as line "
                    "from raw.budget_cells where source_locator is not null",
                )
            }
        if "marts.fct_budget" in tables:
            found["cells"] = [
                {**row, **found["labels"].get(row["source_locator"], {})}
                for row in _rows(
                    con,
                    "select source_file, phase, fiscal_year, account_code, level_code, "
                    "source_locator, source_line_number as line, amount_krw_million as amount "
                    "from marts.fct_budget order by all",
                )
            ]
        # Charts show the current figure of each line (one source per year and line), so a
        # second source of the same year never doubles a bar.
        if {"marts.fct_budget_current", "marts.dim_account"} <= tables:
            found["by_account"] = _rows(
                con,
                """select f.fiscal_year, coalesce(p.name_en, a.name_en) as account,
                          coalesce(p.account_code, a.account_code) as account_code,
                          coalesce(p.name_ko, a.name_ko) as account_name_ko,
                          min(coalesce(p.account_order, a.account_order)) as account_order,
                          sum(f.amount_krw_million) as amount
                   from marts.fct_budget_current as f
                   inner join marts.dim_account as a on f.account_code = a.account_code
                   left join marts.dim_account as p
                       on a.parent_account_code = p.account_code and p.account_depth > 0
                   group by all order by 1, 5""",
            )
        if {"marts.fct_budget_current", "marts.fct_budget_formulation"} <= tables:
            found["formulator"] = _rows(
                con,
                """with amounts as (
                       select c.fiscal_year, f.formulated_by,
                              sum(c.amount_krw_million) as amount
                       from marts.fct_budget_current as c
                       inner join marts.fct_budget_formulation as f
                           using (fiscal_year, account_code, level_code, phase, source_file)
                       group by c.fiscal_year, f.formulated_by
                   )
                   select fiscal_year, formulated_by,
                          100.0 * amount / sum(amount) over (partition by fiscal_year) as share
                   from amounts order by all""",
            )
    return found


CHANGE_TABLES = {
    "marts.fct_budget_change",
    "marts.bridge_budget_change_note",
    "marts.dim_budget_change_note",
}


def _changes(con: duckdb.DuckDBPyConnection, tables: set[str]) -> dict[str, Any] | None:
    """The change of each account (and level) from one year to the next, the page's notes on
    why the budget changed, and which years and accounts each note may explain (and on what
    basis): ``marts.fct_budget_change``, ``marts.dim_budget_change_note`` and
    ``marts.bridge_budget_change_note``. None for a build without them."""
    if not CHANGE_TABLES.issubset(tables):
        return None
    try:
        return {
            "rows": _rows(
                con,
                "select fiscal_year, account_code, level_code, is_account_total, "
                "previous_fiscal_year, previous_amount_krw_million, current_amount_krw_million, "
                "change_krw_million, change_pct, direction, current_source_locators "
                "from marts.fct_budget_change order by all",
            ),
            "notes": _rows(
                con,
                "select note_number, direction, account_code, subject_label, note_text_en, "
                "stated_amount_krw_million, source_locator "
                "from marts.dim_budget_change_note order by note_number",
            ),
            "links": _rows(
                con,
                "select note_number, fiscal_year, account_code, level_code, link_basis, "
                "candidate_rank, n_candidates, link_note "
                "from marts.bridge_budget_change_note order by note_number, candidate_rank",
            ),
        }
    except duckdb.Error:  # a mart of another shape: the report goes without the view
        return None


def _eras(con: duckdb.DuckDBPyConnection, tables: set[str]) -> list[dict[str, Any]]:
    """The names of the special account as a whole, era by era (the crosswalk of
    ``ref_account_history``): first and last budget year, Korean and English name."""
    if "marts.dim_account_era" in tables:
        sql = (
            "select first_year, last_year, account_name_ko as name_ko, name_en "
            "from marts.dim_account_era where sub_account_name_ko is null "
            "and account_code = 'bnd_special_account' order by first_year, last_year"
        )
    elif "reference.ref_account_history" in tables:
        sql = (
            "select first_year, last_year, account_name_ko as name_ko, name_en "
            "from reference.ref_account_history where sub_account_name_ko is null "
            "and today_account_code = 'bnd_special_account' order by first_year, last_year"
        )
    else:
        return []
    try:
        return _rows(con, sql)
    except duckdb.Error:  # a crosswalk of another shape: no bands, the chart stays
        return []


def read_previous(published_db: Path | None, build_db: Path) -> changed_cell.Previous | None:
    """The published build's figures, to tell which figure a failed build changed (None when
    nothing is published, or the published file is the build itself)."""
    if published_db is None or not published_db.is_file():
        return None
    if build_db.is_file() and published_db.resolve() == build_db.resolve():
        return None
    try:
        with duckdb.connect(str(published_db), read_only=True) as con:
            tables = _tables(con)
            leaves, totals = {}, {}
            if "marts.fct_budget" in tables:
                for row in _rows(
                    con,
                    "select source_file, phase, fiscal_year, account_code, level_code, "
                    "amount_krw_million as amount from marts.fct_budget",
                ):
                    leaves[changed_cell.leaf_key(row)] = row["amount"]
            if "audit.audit_budget_reconciliation" in tables:
                for row in _rows(con, "select * from audit.audit_budget_reconciliation"):
                    totals[changed_cell.total_key(row)] = row["expected_krw_million"]
    except duckdb.Error:  # being replaced, or of another version: compare with nothing
        return None
    return changed_cell.Previous(leaves, totals)


def warehouse_of(reports_dir: Path, build: BuildFacts) -> Path | None:
    """The warehouse a failed build's report belongs to: given, or the folder holding the build's
    own folder (``warehouse/.build/reports``)."""
    if build.warehouse_dir is not None:
        return build.warehouse_dir
    if reports_dir.parent.name == BUILD_FOLDER:
        return reports_dir.parent.parent
    return None


def page_links(reports_dir: Path, build: BuildFacts) -> dict[str, Any]:
    """Links of the report, relative to its folder, each only where its file is (a failed
    build's report links the published build's dbt docs and report, or says there are none)."""
    links: dict[str, Any] = {
        "report_en": REPORT_HTML,
        "report_ko": REPORT_HTML_KO,
        "dq_json": DQ_JSON,
        "gx_data_docs": "gx/index.html" if (reports_dir / "gx" / "index.html").is_file() else None,
        "dbt_docs": None,
        "dbt_docs_of": None,
        "published_report": None,
    }
    if build.status == "published":
        # Written beside the report by `make run` after it publishes (or by `make docs`).
        links.update(dbt_docs="dbt_docs/index.html", dbt_docs_of="this build")
        return links
    warehouse = warehouse_of(reports_dir, build)
    if warehouse is None:
        return links
    published = warehouse / "reports"
    if (published / "dbt_docs" / "index.html").is_file():
        links["dbt_docs"] = os.path.relpath(published / "dbt_docs" / "index.html", reports_dir)
        links["dbt_docs_of"] = "published build"
    if (published / REPORT_HTML).is_file():
        links["published_report"] = {
            lang: os.path.relpath(
                published / (page if (published / page).is_file() else REPORT_HTML), reports_dir
            )
            for lang, page in PAGES.items()
        }
    return links


def named(row: Mapping[str, Any], names: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``row`` with both names (``…_name_en``, ``…_name_ko``) beside each code that has them."""
    result = dict(row)
    for column, (kind, prefix) in NAMED_CODES.items():
        code = row.get(column)
        if code is None:
            continue
        english, korean_name = _both_names(kind, code, names)
        result.setdefault(f"{prefix}_en", english)
        result.setdefault(f"{prefix}_ko", korean_name)
    return result


def _both_names(
    kind: str, code: Any, names: Mapping[str, Mapping[str, Any]]
) -> tuple[str | None, str | None]:
    found = names.get(kind, {}).get(code)
    if found:
        return found.get("en"), found.get("ko")
    english, korean_name = word(kind, code, "en"), word(kind, code, "ko")
    if english == str(code) and korean_name == str(code):
        return None, None  # a code with no name known
    return english, korean_name


def own_failures(checks: Iterable[Mapping[str, Any]]) -> dict[tuple, list[str]]:
    """Leaf figures (a year, account and level of a source) that some check finds wrong on
    their own (a comparison with another source, a reconciliation with their lines)."""
    failures: dict[tuple, list[str]] = {}
    for check in checks:
        if check["status"] not in ("fail", "error", "warn"):
            continue
        for row in check.get("offending_rows") or []:
            if row.get("level_code") is None or row.get("total_kind"):
                continue
            key = changed_cell.leaf_key(row)
            if None in key:
                continue
            failures.setdefault(key, []).append(check["description"])
    return failures


def findings_of(
    check: Mapping[str, Any],
    database: Mapping[str, Any],
    previous: changed_cell.Previous | None,
    failures: Mapping[tuple, list[str]],
) -> list[dict[str, Any]]:
    """The cells of the source behind a failed check's rows (at most ``FINDINGS_PER_CHECK``),
    one finding per cell."""
    names = database["names"]
    parents = {code: name.get("parent") for code, name in names.get("account", {}).items()}
    findings, seen = [], set()
    for row in (check.get("offending_rows") or [])[:FINDINGS_PER_CHECK]:
        if (
            row.get("total_kind")
            and row.get("account_code") in parents
            and all(
                row.get(key) is not None for key in ("expected_krw_million", "actual_krw_million")
            )
        ):
            found: dict[str, Any] | None = changed_cell.locate(
                row,
                database["cells"],
                parents,
                database["reconciliation"],
                failures,
                previous,
                database["labels"].get(str(row.get("source_locator"))),
            )
        else:
            found = changed_cell.row_cell(row, database["labels"])
        if found is None:
            continue
        cell = found.get("cell") or {}
        key = cell.get("source_locator") or (found.get("total") or {}).get("source_locator")
        if key in seen:
            continue
        seen.add(key)
        for part in ("cell", "total"):
            if found.get(part):
                found[part] = named(found[part], names)
        found["candidates"] = [named(part, names) for part in found.get("candidates", [])]
        findings.append(found)
    return findings


def collect(reports_dir: Path, db_path: Path, build: BuildFacts) -> dict[str, Any]:
    """Everything the report says, as the ``dq.json`` document."""
    database = read_database(db_path)
    names = database["names"]
    checks = [
        {**check, "offending_rows": [named(row, names) for row in check["offending_rows"]]}
        for check in build_checks(reports_dir, build.step_failures)
    ]
    if build.status != "published":
        warehouse = warehouse_of(reports_dir, build)
        previous = read_previous(warehouse / PUBLISHED_NAME if warehouse else None, db_path)
        failures = own_failures(checks)
        for check in checks:
            if check["status"] in ("fail", "error") and check["severity"] == "error":
                check["findings"] = findings_of(check, database, previous, failures)
    meta = build.meta
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "status": build.status,
        "build": {
            "build_id": meta.get("build_id"),
            "run_id": build.run_id or meta.get("run_id"),
            "started_at_utc": _text(meta.get("started_at_utc")),
            "finished_at_utc": _text(meta.get("finished_at_utc")),
            "code_version": meta.get("code_version"),
            "raw_files": database["raw_files"],
            # The files the plan documents came from; empty for a warehouse of budget tables alone.
            "plan_documents": database["plan_documents"],
        },
        "summary": count_checks(checks).as_dict(),
        "checks": checks,
        "rejected_files": _read_json(reports_dir / REJECTED_FILES, []),
        # Rows of publishers' files that belong to another 회계 than the special account.
        "excluded_rows": database["excluded_rows"],
        "reconciliation": [named(row, names) for row in database["reconciliation"]],
        "comparisons": [named(row, names) for row in database["comparisons"]],
        # Differences people reviewed and accepted (data_raw/acknowledged_differences.csv).
        "acknowledged": acknowledged_count(database["comparisons"]),
        "links": page_links(reports_dir, build),
        # Every code the report names, with its English and Korean names.
        "names": {
            **{
                kind: {
                    code: {key: name.get(key) for key in ("en", "ko", "order")}
                    for code, name in names.get(kind, {}).items()
                }
                for kind in ("account", "level")
            },
            **vocabulary(),
        },
        # Change by year and account, with the page's notes on why (None: not in this build).
        "changes": _named_changes(database.get("changes"), names),
        "charts": {
            "by_account": database["by_account"],
            "formulator": [named(row, names) for row in database["formulator"]],
            # Every figure of every source for the special account as a whole, by year.
            "history": database["history"],
            # The account's names era by era, drawn as bands on the history chart.
            "eras": database["eras"],
            # Year by year since 2005: the value of record, revenue and shares (twenty_years).
            "twenty_years": database["twenty_years"],
            # The account by region: local budget books by year, phase and 시·도 (regions).
            "regions": database["regions"],
        },
    }


def _named_changes(
    changes: Mapping[str, Any] | None, names: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any] | None:
    if not changes:
        return None
    return {key: [named(row, names) for row in rows] for key, rows in changes.items()}


def _text(value: Any) -> str | None:
    """A time as ``YYYY-MM-DD HH:MM:SS`` (UTC), whether it came as a datetime or ISO text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value


def bilingual(english: Any, korean_name: Any, lang: str) -> str:
    """A name in both languages, the page's first: ``Local Support Account 지역지원계정``."""
    first, second = (korean_name, english) if lang == "ko" else (english, korean_name)
    return " ".join(str(name) for name in (first, second) if name)


def series_by(
    rows: list[dict[str, Any]],
    key: str,
    value: str,
    label: Callable[[dict[str, Any]], str] | None = None,
) -> tuple[list[int], list[Series]]:
    """Years, and one chart series per distinct ``key`` (in order of appearance) of ``value``,
    labelled ``label(row)`` (the key, by default)."""
    years = sorted({row["fiscal_year"] for row in rows})
    keys = list(dict.fromkeys(row[key] for row in rows))
    first = {row[key]: row for row in reversed(rows)}
    series = [
        Series(
            label(first[code]) if label else str(code).replace("_", " "),
            {row["fiscal_year"]: float(row[value]) for row in rows if row[key] == code},
        )
        for code in keys
    ]
    return years, series


def charts(dq: dict[str, Any], lang: str = "en") -> list[dict[str, Any]]:
    """The report's charts in ``lang``: each an inline SVG and the caption under it."""
    found = dq.get("charts") or {}  # a report of an older build may have none
    shown = []
    if by_account := found.get("by_account"):
        key = "account_code" if "account_code" in by_account[0] else "account"
        years, series = series_by(
            by_account,
            key,
            "amount",
            lambda row: bilingual(row["account"], row.get("account_name_ko"), lang),
        )
        shown.append(
            {
                "svg": stacked_bars(
                    chart_id="chart-by-account",
                    title=str(text("chart_by_account", lang)),
                    years=years,
                    series=series,
                    value_label=str(text("axis_krw_million", lang)),
                ),
                "caption": None,
            }
        )
    if history := found.get("history"):
        svg, caption = history_chart(history, found.get("eras") or [], lang)
        shown.append({"svg": svg, "caption": caption})
    # Without plan documents no figure is attributed to a formulator: no chart of shares.
    if (formulator := found.get("formulator")) and dq["build"].get("plan_documents", True):
        years, series = series_by(
            formulator,
            "formulated_by",
            "share",
            lambda row: bilingual(
                word("formulated_by", row["formulated_by"], "en"),
                word("formulated_by", row["formulated_by"], "ko"),
                lang,
            ),
        )
        shown.append(
            {
                "svg": stacked_bars(
                    chart_id="chart-formulator",
                    title=str(text("chart_formulator", lang)),
                    years=years,
                    series=series,
                    value_label="%",
                    percent=True,
                    axis_label=str(text("axis_share", lang)),
                ),
                "caption": None,
            }
        )
    return shown


@dataclass(frozen=True)
class RowLayout:
    """How a table of audit rows is shown: ``columns`` (name, header) and the ``more`` columns
    listed in each row's last cell."""

    columns: list[tuple[str, str]]
    more: list[str]


SOURCE_KINDS = ("summary table", "detail lines", "control total")
KIND_LABELS = {
    "summary table": ("Summary table (a budget table of a source)", "요약표 (원자료의 예산표)"),
    "detail lines": ("Sum of detail lines", "세부 사업 내역의 합"),
    "control total": (
        "Control totals stated elsewhere (press, memos, plans)",
        "외부 발표 총액 (언론·내부 문서·계획)",
    ),
}
PHASE_STYLES = {"enacted": "filled", "proposed": "hollow"}  # any other phase: "dotted"


def history_label(row: dict[str, Any]) -> str:
    return f"{row['source_kind']}: {row['source']} ({row['phase']})"


def history_eras(eras: list[dict[str, Any]], last_year: int, lang: str) -> list[Era]:
    """The bands of the history chart: each era of the account's name, in order; an era that
    starts inside the one before it (a name whose first budget year is not verified) is left
    to the caption."""
    bands: list[Era] = []
    for era in sorted(eras, key=lambda row: (row["first_year"], row["last_year"] or 9999)):
        if bands and bands[-1].last is not None and era["first_year"] <= bands[-1].last:
            continue
        if bands and bands[-1].last is None:
            continue
        short = ERA_SHORT.get(era["name_ko"], era["name_ko"])
        last = era["last_year"]
        years = (
            f"{era['first_year']}–"
            if last is None or last >= last_year
            else (f"{era['first_year']}–{last}")
        )
        bands.append(
            Era(
                first=era["first_year"],
                last=last,
                label=f"{short} {years}",
                name=era["name_ko"],
                tooltip=f"{era['name_ko']} ({era['name_en']}), {years}",
            )
        )
    return bands


def _eras_caption(eras: list[dict[str, Any]], bands: list[Era], lang: str) -> str:
    drawn = {(band.first, band.name) for band in bands}
    parts = []
    for era in sorted(eras, key=lambda row: (row["first_year"], row["last_year"] or 9999)):
        short = ERA_SHORT.get(era["name_ko"], era["name_ko"])
        years = f"{era['first_year']}–{era['last_year'] or ''}"
        name = era["name_ko"] if lang == "ko" else f"{era['name_ko']}, {era['name_en']}"
        note = ""
        if (era["first_year"], era["name_ko"]) not in drawn:
            note = (
                " — 앞 시기와 겹쳐 띠로 표시하지 않음 (첫 예산 연도 미확인)"
                if lang == "ko"
                else " — overlaps the era before it, not drawn (its first budget year is not "
                "verified)"
            )
        parts.append(f"{short} {name} ({years}){note}")
    return "; ".join(parts)


def history_chart(
    history: list[dict[str, Any]], eras: list[dict[str, Any]] | None = None, lang: str = "en"
) -> tuple[str, str]:
    """Every stated figure of the special account's total since its creation, in 조원: one
    colour per kind of source, one fill per phase, the eras of its name as bands; and the
    chart's caption."""
    eras = eras or []
    ordered = sorted(
        history,
        key=lambda row: (
            SOURCE_KINDS.index(row["source_kind"]) if row["source_kind"] in SOURCE_KINDS else 9,
            row["fiscal_year"],
        ),
    )
    kinds = list(dict.fromkeys(row["source_kind"] for row in ordered))
    phases = list(dict.fromkeys(row["phase"] for row in ordered))
    figures = []
    for row in ordered:
        value = float(row["amount_krw_million"]) / TRILLION
        precision = float(row["precision_krw_million"]) / TRILLION
        tooltip = text(
            "history_tooltip",
            lang,
            year=row["fiscal_year"],
            kind=word("source_kind", row["source_kind"], lang)
            if lang == "ko"
            else row["source_kind"],
            source=row["source"],
            phase=word("phase", row["phase"], lang) if lang == "ko" else row["phase"],
            value=f"{value:,.3f}",
            precision=f"{precision:,.3f}",
        )
        figures.append(
            Figure(
                year=row["fiscal_year"],
                value=value,
                precision=precision,
                group=row["source_kind"],
                style=PHASE_STYLES.get(row["phase"], "dotted"),
                series=history_label(row),
                # plain text: the chart escapes it once, where it writes the SVG
                tooltip=tooltip.unescape(),
            )
        )
    groups = [
        Group(
            kind,
            KIND_LABELS.get(kind, (kind, kind))[1 if lang == "ko" else 0],
            GROUP_COLOURS[number % len(GROUP_COLOURS)],
        )
        for number, kind in enumerate(kinds)
    ]
    styles = [
        MarkerStyle(style, word("phase", phase, lang))
        for phase in phases
        for style in [PHASE_STYLES.get(phase, "dotted")]
    ]
    styles = list({style.key: style for style in styles}.values())
    last_year = max(row["fiscal_year"] for row in history)
    bands = history_eras(eras, last_year, lang)
    svg = history_dots(
        chart_id="chart-history",
        title=str(text("chart_history", lang)),
        figures=figures,
        eras=bands,
        groups=groups,
        styles=styles,
        axis_label=str(text("axis_trillion", lang)),
    )
    caption = text("history_caption", lang, eras=_eras_caption(eras, bands, lang))
    return svg, str(caption)


def row_layout(rows: list[dict[str, Any]], lang: str = "en") -> RowLayout:
    rows = [with_verdict(row) for row in rows]
    present = [
        name
        for name in dict.fromkeys(key for row in rows for key in row)
        if not (name in SHOWN_BY and SHOWN_BY[name] in rows[0])
        and not name.endswith(("_name_en", "_name_ko"))
    ]
    headers = ROW_HEADERS_KO if lang == "ko" else ROW_HEADERS
    known = [name for name in ROW_HEADERS if name in present][:ROW_COLUMNS_SHOWN]
    return RowLayout(
        columns=[(name, headers.get(name, ROW_HEADERS[name])) for name in known],
        more=[name for name in present if name not in known],
    )


def plain_name(column: str) -> str:
    """``total_precision_krw_million`` → ``total precision``: a column's name in words."""
    return column.removesuffix("_krw_million").replace("_", " ")


def refusal_reason(dq: Mapping[str, Any]) -> dict[str, str]:
    """Why a build was refused, in a sentence per language: the first blocking failure's cell
    where one is known, else the first failed check or step."""
    blocking = [
        check
        for check in dq["checks"]
        if check["status"] in ("fail", "error") and check["severity"] == "error"
    ]
    if not blocking:
        return {lang: "" for lang in LANGUAGES}
    reasons = {}
    for lang in LANGUAGES:
        cells = [
            f["cell"] for check in blocking for f in check.get("findings") or [] if f.get("cell")
        ]
        if cells:
            cell = cells[0]
            label = cell.get("label") or bilingual(
                cell.get("account_name_en"), cell.get("account_name_ko"), lang
            )
            where = text("cell_where", lang, file=cell["source_file"], line=cell["line"])
            figures = ""
            if cell.get("expected") is not None:
                figures = (
                    f": {text('printed', lang)} {format_amount(cell['printed'])}, "
                    f"{text('expected', lang)} {format_amount(cell['expected'])}, "
                    f"{text('difference', lang)} {signed(cell['difference'])} "
                    f"{text('in_unit', lang)}"
                )
            year = f"{cell['fiscal_year']}{'년' if lang == 'ko' else ''}"
            reasons[lang] = f"{year} “{label}” ({where}){figures}"
        else:
            first = blocking[0]
            count = len(blocking)
            what = first.get("message") or first["description"]
            reasons[lang] = (
                f"차단 검사 {count}건 실패 — {what}"
                if lang == "ko"
                else f"{count} blocking check(s) failed — {what}"
            )
    return reasons


def percent(value: Any) -> str:
    """A change in per cent, with its sign: ``+13.22 %``; "—" for none."""
    if value is None:
        return "—"
    number = float(value)
    return f"{'+' if number > 0 else ''}{number:,.2f} %"


def signed(value: Any) -> str:
    """An amount with its sign: ``+1,000``, ``-1,000``, ``0``."""
    shown = format_amount(value)
    if isinstance(value, int | float) and value > 0:
        return f"+{shown}"
    return shown


class Page:
    """What the template of one language calls: words, names and cells in that language."""

    def __init__(self, dq: Mapping[str, Any], lang: str) -> None:
        self.dq, self.lang = dq, lang
        self.names = dq.get("names") or {}

    def t(self, key: str, **values: Any) -> Markup:
        return text(key, self.lang, **values)

    def w(self, kind: str, code: Any) -> str:
        return word(kind, code, self.lang)

    def entity(self, kind: str, code: Any) -> Markup:
        """An account's or level's name in both languages (the page's first), its code as the
        tooltip; the code itself where no name is known."""
        if code is None:
            return Markup("")
        english, korean_name = _both_names(kind, code, self.names)
        if english is None and korean_name is None:
            return Markup("{}").format(code)
        if self.lang == "ko":
            return Markup('<span title="{}">{}{}</span>').format(
                code,
                korean_name or english,
                Markup(' <span class="alt" lang="en">{}</span>').format(english)
                if english and korean_name
                else "",
            )
        return Markup('<span title="{}">{}{}</span>').format(
            code,
            english or korean_name,
            Markup(' <span class="alt" lang="ko">{}</span>').format(korean_name)
            if english and korean_name
            else "",
        )

    def cell_names(self, cell: Mapping[str, Any]) -> Markup:
        """A figure's row as the source prints it, in quotes, then its account's (and level's)
        names in both languages, each name the label already says left out."""
        label = cell.get("label")
        parts = [Markup("“{}”").format(korean(label))] if label else []
        for kind, column in (("account", "account_code"), ("level", "level_code")):
            code = cell.get(column)
            if code is None or (kind == "level" and code == "account_whole"):
                continue
            english, korean_name = _both_names(kind, code, self.names)
            ordered = (korean_name, english) if self.lang == "ko" else (english, korean_name)
            said = str(label or "").strip().casefold()
            names = [name for name in ordered if name and name.strip().casefold() != said]
            if names:
                parts.append(
                    Markup('<span title="{}">{}</span>').format(
                        code, Markup(" ").join(korean(name) for name in names)
                    )
                )
        return Markup(" · ").join(parts)

    def shown(self, row: Mapping[str, Any], column: str, decimals: int | None = None) -> Any:
        """A cell of an audit row: names for codes, words for the warehouse's codes, figures
        in the row's number format."""
        value = row.get(column)
        if column in NAMED_CODES and value is not None:
            kind = NAMED_CODES[column][0]
            if kind == "formulated_by":
                return Markup('<span title="{}">{}</span>').format(
                    value, bilingual(word(kind, value, "en"), word(kind, value, "ko"), self.lang)
                )
            return self.entity(kind, value)
        if column in WORDED and value is not None:
            return Markup('<span title="{}">{}</span>').format(value, self.w(WORDED[column], value))
        if column == "status" and self.lang == "ko" and value is not None:
            return Markup('<span title="{}">{}</span>').format(value, self.w("status", value))
        return korean(cell(value, column, decimals))

    def more_name(self, column: str) -> str:
        if self.lang == "ko":
            return ROW_HEADERS_KO.get(column) or plain_name(column)
        return plain_name(column)

    def basis(self, found: Mapping[str, Any]) -> Markup:
        """How the report knows which cell differs, in a sentence."""
        basis = found.get("basis")
        if basis == "row":
            return self.t(
                "basis_row",
                other=format_amount(found.get("other")),
                other_where=found.get("other_where") or "",
            )
        if basis == "own_check":
            return self.t("basis_own_check", checks="; ".join(found.get("own_checks") or []))
        total = found.get("total") or {}
        values = {
            "total": self.w("total_kind", total.get("total_kind")),
            "year": total.get("fiscal_year"),
            "where": self.t("cell_where", file=total.get("source_file"), line=total.get("line")),
            "total_printed": format_amount(total.get("printed")),
            "total_sum": format_amount(total.get("sum")),
            "total_difference": format_amount(abs(total.get("difference") or 0)),
            "previous": format_amount(found.get("previous")),
            "change": signed(found.get("change")),
        }
        if basis == "undetermined":
            why = found.get("why")
            values["why"] = self.t(f"why_{why}") if why else ""
        return self.t(f"basis_{basis}", **values)


def circled(number: int) -> str:
    """①, ②, … ⑳ (the number in brackets beyond twenty)."""
    return chr(0x2460 + number - 1) if 1 <= number <= 20 else f"[{number}]"


WHOLE_LEVELS = ("all_levels", "account_whole")  # an account as a whole in fct_budget_change


def change_view(dq: Mapping[str, Any], page: Page) -> dict[str, Any] | None:
    """The table of changes by year and account (its levels indented under it), each cell with
    the marks of the notes that may explain it, and each account's notes beside its row."""
    changes = dq.get("changes")
    if not changes or not changes.get("rows"):
        return None
    names = page.names
    order = {code: name.get("order") or 99 for code, name in names.get("account", {}).items()}
    level_order = {code: name.get("order") or 99 for code, name in names.get("level", {}).items()}
    years = sorted({row["fiscal_year"] for row in changes["rows"]})
    cells: dict[tuple, dict[int, dict[str, Any]]] = {}
    previous_year: dict[int, Any] = {}
    for row in changes["rows"]:
        cells.setdefault((row["account_code"], row["level_code"]), {})[row["fiscal_year"]] = {
            **row,
            "marks": [],
        }
        previous_year[row["fiscal_year"]] = row["previous_fiscal_year"]
    notes = {note["note_number"]: {**note, "links": []} for note in changes.get("notes") or []}
    for link in changes.get("links") or []:
        cell = cells.get((link["account_code"], link["level_code"]), {}).get(link["fiscal_year"])
        if cell is not None:
            cell["marks"].append(link)
        if link["note_number"] in notes:
            notes[link["note_number"]]["links"].append(link)
    accounts = sorted(
        {account for account, _ in cells}, key=lambda code: (order.get(code, 99), code)
    )
    rows = []
    for account in accounts:
        whole = next((level for level in WHOLE_LEVELS if (account, level) in cells), None)
        levels = sorted(
            (level for acct, level in cells if acct == account and level not in WHOLE_LEVELS),
            key=lambda code: (level_order.get(code, 99), code),
        )
        for level in ([whole] if whole else []) + levels:
            rows.append(
                {
                    "account_code": account,
                    "level_code": level,
                    "is_level": level not in WHOLE_LEVELS,
                    "cells": cells[(account, level)],
                    "notes": [note for note in notes.values() if note["account_code"] == account]
                    if level == whole
                    else [],
                }
            )
    return {
        "years": [(year, previous_year.get(year)) for year in years],
        "rows": rows,
        "notes_without_account": [
            note for note in notes.values() if note["account_code"] not in set(accounts)
        ],
    }


def render_html(dq: dict[str, Any], lang: str = "en") -> str:
    """The report's page in ``lang`` (``en``: ``index.html``, ``ko``: ``index.ko.html``)."""
    page = Page(dq, lang)
    environment = page_environment()
    environment.filters["number"] = _number
    environment.filters["cell"] = cell
    environment.filters["amount"] = format_amount
    environment.filters["signed"] = signed
    environment.filters["pct"] = percent
    environment.globals.update(
        lang=lang,
        other_lang="en" if lang == "ko" else "ko",
        other_page=PAGES["en" if lang == "ko" else "ko"],
        t=page.t,
        w=page.w,
        entity=page.entity,
        cell_names=page.cell_names,
        shown=page.shown,
        more_name=page.more_name,
        basis=page.basis,
        row_layout=row_layout,
        circled=circled,
        place=changed_cell.place,
        row_decimals=row_decimals,
        with_verdict=with_verdict,
        place_columns=PLACE_COLUMNS,
        bilingual=lambda english, korean_name: bilingual(english, korean_name, lang),
    )
    template = environment.get_template("report.html.j2")
    links = {
        "gx_data_docs": None,
        "dbt_docs": None,
        "dbt_docs_of": None,
        "published_report": None,
        "latest_refresh": None,
        **(dq.get("links") or {}),
    }
    if isinstance(links.get("published_report"), dict):
        links["published_report"] = links["published_report"].get(lang)
    checks = dq["checks"]
    blocking = [check for check in checks if check["status"] in ("fail", "error")]
    warnings = [check for check in checks if check["status"] == "warn"]
    comparisons = dq.get("comparisons") or []
    return template.render(
        dq=dq,
        links=links,
        blocking=blocking,
        warnings=warnings,
        compared=[row for row in comparisons if row.get("status") != "NOT_COMPARED"],
        not_compared=[row for row in comparisons if row.get("status") == "NOT_COMPARED"],
        charts=charts(dq, lang),
        changes=change_view(dq, page),
    )


def render_pages(dq: dict[str, Any]) -> dict[str, str]:
    """Both pages of the report: file name → HTML."""
    return {PAGES[lang]: render_html(dq, lang) for lang in LANGUAGES}


def cell(value: Any, column: str, decimals: int | None = None) -> str:
    """A table cell: amounts with thousands separators, those read against each other with the
    row's ``decimals`` (``check_report.row_decimals``); years and line numbers as they are."""
    if column == "fiscal_year" or column.endswith(("_year", "_line_number", "_number", "_id")):
        return "" if value is None else str(value)
    if value is None:
        return ""
    if column.endswith("_krw_million") or column in ("ratio", "unit_factor"):
        return format_cell(value, column, decimals)
    return _number(value)


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def write_report(reports_dir: Path, db_path: Path, build: BuildFacts) -> Path:
    """Write ``dq.json``, ``index.html`` and ``index.ko.html`` into ``reports_dir`` (and, for a
    build being published, its note on the latest refresh); returns the English page's path."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    if build.status == "published":
        write_note(reports_dir, published_note(build.meta.get("build_id"), build.run_id))
    dq = collect(reports_dir, db_path, build)
    if build.status == "published":
        dq["links"]["latest_refresh"] = NOTE_PAGES
    (reports_dir / DQ_JSON).write_text(
        json.dumps(dq, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    for name, html in render_pages(dq).items():
        (reports_dir / name).write_text(html, encoding="utf-8")
    return reports_dir / REPORT_HTML


def record_refusal(
    settings: Settings, run_id: str, step_failures: Iterable[tuple[str, str]] = ()
) -> dict[str, Any]:
    """The note of refused run ``run_id``: when, why (its first blocking failure's cell, found as
    its own report finds it) and where its report is (``refresh_note``). Written into the
    published build's reports folder, alone, when a build is published (``note_path``; None
    when nothing is)."""
    published = settings.reports_dir
    published_dq = _read_json(published / DQ_JSON, None)
    failed = collect(
        settings.build_reports_dir,
        settings.build_db,
        BuildFacts(
            "failed",
            run_id,
            step_failures=list(step_failures),
            warehouse_dir=settings.warehouse_dir,
        ),
    )
    build_id = (published_dq.get("build") or {}).get("build_id") if published_dq else None
    note = refusal_note(
        published, build_id, run_id, refusal_reason(failed), settings.build_reports_dir
    )
    note_path = write_note(published, note) if isinstance(published_dq, dict) else None
    return {**note, "note_path": str(note_path) if note_path else None}


def acknowledged_count(comparisons: list[dict[str, Any]]) -> int:
    """How many comparisons are ACKNOWLEDGED: reviewed and accepted differences."""
    return sum(1 for row in comparisons if row.get("status") == "ACKNOWLEDGED")


def acknowledged_in(reports_dir: Path) -> int:
    """The acknowledged differences of the report in ``reports_dir`` (0 without a report)."""
    dq = _read_json(reports_dir / DQ_JSON, {})
    return dq.get("acknowledged", 0) if isinstance(dq, dict) else 0
