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
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "—" if value is None else str(value)


def describe_row(row: Mapping[str, Any]) -> str:
    """One offending row in a line: ``2018 bnd_special_account total …: expected 9,890,905, …``."""
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
