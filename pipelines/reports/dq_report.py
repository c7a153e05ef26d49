"""The data-quality report of a build: ``dq.json`` (for machines) and ``index.html`` (for people).

Both are made from what the build left in its reports folder (``dbt_results.json``,
``gx_results.json``, ``rejected_files.json``) and from the build's database, for a published build
and for a failed one alike. ``index.html`` is self-contained: styles inline, charts as inline SVG,
no script, and every text that comes from an input file escaped (Jinja2 autoescape), so it renders
the same on a network with no internet and can never run what a file smuggled in.

``dq.json`` follows ``expectations/dq.schema.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.checks.check_list import build_checks, count_checks
from pipelines.checks.check_report import (
    format_cell,
    reconciliation_status,
    row_decimals,
    with_verdict,
)
from pipelines.core.sql import json_rows
from pipelines.landing.rejections import REJECTED_FILES
from pipelines.reports.html_pages import page_environment
from pipelines.reports.svg_charts import Points, Series, source_lines, stacked_bars

TRILLION = 1_000_000  # KRW million in a KRW trillion (조원)

SCHEMA_VERSION = "1.0"
REPORT_HTML = "index.html"
DQ_JSON = "dq.json"
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
ROW_COLUMNS_SHOWN = 9
# A file named by its locator ("file:line [column]") need not be shown again.
SHOWN_BY = {"source_file": "source_locator", "other_source": "other_locator"}
# Columns that name files: wide enough to read a path (it breaks anywhere, not at once).
PLACE_COLUMNS = ("source_locator", "line_files", "other_locator", "source_file", "other_source")


@dataclass
class BuildFacts:
    """What is known about the build the report is about."""

    status: str  # "published" | "failed"
    run_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # the marts.meta_build row, if published
    step_failures: list[tuple[str, str]] = field(default_factory=list)


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


def read_database(db_path: Path) -> dict[str, Any]:
    """Raw files, comparisons and chart data from the build, as far as the build got."""
    found: dict[str, Any] = {
        "raw_files": [],
        "reconciliation": [],
        "comparisons": [],
        "by_account": [],
        "formulator": [],
        "plan_documents": [],
        "excluded_rows": [],
        "history": [],
    }
    if not db_path.is_file():
        return found
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = _tables(con)
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
            found["history"] = _rows(
                con,
                "select fiscal_year, account_name_that_year, phase, source_name as source, "
                "source_kind, source_locator, amount_krw_million, precision_krw_million "
                "from marts.fct_special_account_history "
                "where account_code = 'bnd_special_account' order by all",
            )
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
        # Charts show the current figure of each line (one source per year and line), so a
        # second source of the same year never doubles a bar.
        if {"marts.fct_budget_current", "marts.dim_account"} <= tables:
            found["by_account"] = _rows(
                con,
                """select f.fiscal_year, coalesce(p.name_en, a.name_en) as account,
                          min(coalesce(p.account_order, a.account_order)) as account_order,
                          sum(f.amount_krw_million) as amount
                   from marts.fct_budget_current as f
                   inner join marts.dim_account as a on f.account_code = a.account_code
                   left join marts.dim_account as p
                       on a.parent_account_code = p.account_code and p.account_depth > 0
                   group by all order by 1, 3""",
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


def collect(reports_dir: Path, db_path: Path, build: BuildFacts) -> dict[str, Any]:
    """Everything the report says, as the ``dq.json`` document."""
    checks = build_checks(reports_dir, build.step_failures)
    database = read_database(db_path)
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
        "reconciliation": database["reconciliation"],
        "comparisons": database["comparisons"],
        "links": {"gx_data_docs": "gx/index.html", "dbt_docs": "dbt_docs/index.html"},
        "charts": {
            "by_account": database["by_account"],
            "formulator": database["formulator"],
            # Every figure of every source for the special account as a whole, by year.
            "history": database["history"],
        },
    }


def _text(value: Any) -> str | None:
    """A time as ``YYYY-MM-DD HH:MM:SS`` (UTC), whether it came as a datetime or ISO text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value


def series_by(rows: list[dict[str, Any]], key: str, value: str) -> tuple[list[int], list[Series]]:
    """Years, and one chart series per distinct ``key`` (in order of appearance) of ``value``."""
    years = sorted({row["fiscal_year"] for row in rows})
    labels = list(dict.fromkeys(row[key] for row in rows))
    series = [
        Series(
            str(label).replace("_", " "),
            {row["fiscal_year"]: float(row[value]) for row in rows if row[key] == label},
        )
        for label in labels
    ]
    return years, series


def charts(dq: dict[str, Any]) -> list[str]:
    svgs = []
    found = dq.get("charts") or {}  # a report of an older build may have none
    if by_account := found.get("by_account"):
        years, series = series_by(by_account, "account", "amount")
        svgs.append(
            stacked_bars(
                chart_id="chart-by-account",
                title="Special Accounts for Balanced National Development by account",
                years=years,
                series=series,
                value_label="KRW million",
            )
        )
    if history := found.get("history"):
        svgs.append(history_chart(history))
    # Without plan documents no figure is attributed to a formulator: no chart of shares.
    if (formulator := found.get("formulator")) and dq["build"].get("plan_documents", True):
        years, series = series_by(formulator, "formulated_by", "share")
        svgs.append(
            stacked_bars(
                chart_id="chart-formulator",
                title="Who formulates it: local governments, central agencies, or mixed",
                years=years,
                series=series,
                value_label="%",
                percent=True,
            )
        )
    return svgs


@dataclass(frozen=True)
class RowLayout:
    """How a table of audit rows is shown: ``columns`` (name, header) and the ``more`` columns
    listed in each row's last cell."""

    columns: list[tuple[str, str]]
    more: list[str]


# The account's history is charted from its creation to at least this year.
HISTORY_FIRST_YEAR, HISTORY_LAST_YEAR = 2005, 2026


def history_label(row: dict[str, Any]) -> str:
    return f"{row['source_kind']}: {row['source']} ({row['phase']})"


def history_chart(history: list[dict[str, Any]]) -> str:
    """One line per source and phase of the special account's total, 2005 to today, in 조원."""
    last = max([HISTORY_LAST_YEAR, *(row["fiscal_year"] for row in history)])
    # The tables first, then the lines, then the stated totals in the order of their years.
    kinds = {"summary table": 0, "detail lines": 1, "control total": 2}
    ordered = sorted(
        history, key=lambda row: (kinds.get(row["source_kind"], 3), row["fiscal_year"])
    )
    labels = list(dict.fromkeys(history_label(row) for row in ordered))
    series = [
        Points(
            label,
            {
                row["fiscal_year"]: (
                    float(row["amount_krw_million"]) / TRILLION,
                    float(row["precision_krw_million"]) / TRILLION,
                )
                for row in history
                if history_label(row) == label
            },
        )
        for label in labels
    ]
    return source_lines(
        chart_id="chart-history",
        title="The special account as a whole since its creation, by source (조원, KRW trillion)",
        years=list(range(HISTORY_FIRST_YEAR, last + 1)),
        series=series,
        value_label="KRW trillion (조원)",
    )


def row_layout(rows: list[dict[str, Any]]) -> RowLayout:
    rows = [with_verdict(row) for row in rows]
    present = [
        name
        for name in dict.fromkeys(key for row in rows for key in row)
        if not (name in SHOWN_BY and SHOWN_BY[name] in rows[0])
    ]
    known = [name for name in ROW_HEADERS if name in present][:ROW_COLUMNS_SHOWN]
    return RowLayout(
        columns=[(name, ROW_HEADERS[name]) for name in known],
        more=[name for name in present if name not in known],
    )


def plain_name(column: str) -> str:
    """``total_precision_krw_million`` → ``total precision``: a column's name in words."""
    return column.removesuffix("_krw_million").replace("_", " ")


def render_html(dq: dict[str, Any]) -> str:
    environment = page_environment()
    environment.filters["number"] = _number
    environment.filters["cell"] = cell
    environment.globals["row_layout"] = row_layout
    environment.globals["row_decimals"] = row_decimals
    environment.globals["with_verdict"] = with_verdict
    environment.globals["place_columns"] = PLACE_COLUMNS
    environment.filters["plain_name"] = plain_name
    template = environment.get_template("report.html.j2")
    failures = [check for check in dq["checks"] if check["status"] in ("fail", "error", "warn")]
    return template.render(dq=dq, failures=failures, charts=charts(dq))


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
    """Write ``dq.json`` and ``index.html`` into ``reports_dir``; returns the HTML path."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    dq = collect(reports_dir, db_path, build)
    (reports_dir / DQ_JSON).write_text(
        json.dumps(dq, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    html = reports_dir / REPORT_HTML
    html.write_text(render_html(dq), encoding="utf-8")
    return html
