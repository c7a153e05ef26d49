"""Words and tables for check results, shared by the asset checks and the command line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Columns that identify an offending row, in the order a reader scans them.
IDENTIFYING = (
    "check_code",
    "subject",
    "fiscal_year",
    "account_code",
    "level_code",
    "line_code",
    "total_kind",
    "phase",
    "source_file",
)
# Figures of an audit row → how a reader should see them named.
FIGURES = {
    "expected_krw_million": "expected",
    "actual_krw_million": "actual",
    "difference_krw_million": "difference",
    "n_values": "values published (expected 1)",
    "n_null_amounts": "null amounts",
    "min_amount_krw_million": "smallest amount",
}
# An audit row may say what is wrong in a sentence of its own (audit.audit_plan_structure).
FINDING = "finding"


def _figure(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "—" if value is None else str(value)


def _ratio(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.6g}"


def describe_comparison(row: Mapping[str, Any]) -> str:
    """A failed comparison between two sources (``audit.audit_source_comparison``) in a line:
    ``UNIT_MISMATCH 2015 bnd_special_account total enacted: a.txt:54 [2015] 10,338,940 vs
    b.csv:3 [2015] 1,033,894,000 KRW million, ratio 100 (…)``: status, where, both files with
    their places and figures, and the ratio other ÷ fact."""
    keys = ("status", "fiscal_year", "account_code", "level_code", "line_code", "phase")
    where = " ".join(str(row[key]) for key in keys if row.get(key) not in (None, ""))
    this = row.get("source_locator") or row.get("source_file") or "—"
    other = row.get("other_locator") or row.get("other_source") or "—"
    line = (
        f"{where}: {this} {_figure(row.get('amount_krw_million'))} vs {other} "
        f"{_figure(row.get('other_amount_krw_million'))} KRW million, "
        f"ratio {_ratio(row.get('ratio'))}"
    )
    if row.get("difference_krw_million") is not None:
        line += (
            f", difference {_figure(row['difference_krw_million'])}"
            f" (tolerance {_figure(row.get('tolerance_krw_million'))})"
        )
    return f"{line}; {row['reason']}" if row.get("reason") else line


def describe_row(row: Mapping[str, Any]) -> str:
    """One offending row in a line: ``2018 bnd_special_account total …: expected 9,890,905, …``."""
    if "other_amount_krw_million" in row:
        return describe_comparison(row)
    where = " ".join(str(row[key]) for key in IDENTIFYING if row.get(key) not in (None, ""))
    figures = ", ".join(
        f"{name} {_figure(row[key])}" for key, name in FIGURES.items() if key in row
    )
    if row.get(FINDING):
        figures = f"{figures}; {row[FINDING]}" if figures else str(row[FINDING])
    return f"{where}: {figures}" if figures else where


def markdown_table(rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows as a Markdown table (the Dagster UI renders it on the check)."""
    rows = list(rows)
    if not rows:
        return "_no offending rows_"
    columns = [key for key in (*IDENTIFYING, *FIGURES, FINDING) if key in rows[0]]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_figure(row.get(key)) for key in columns) + " |" for row in rows]
    return "\n".join(lines)


def root_cause(error) -> str:
    """The innermost error's message of a Dagster error: it names the file and place; Dagster's
    wrappers around it do not."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()
