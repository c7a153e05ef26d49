"""Words and tables for check results, shared by the asset checks, the command line, the report
and the Data Docs, so that a failure reads the same wherever it is read.

A reconciliation's row is printed with both sides named (the figure's file and place, and the
files whose figures or lines were added up), both figures in one number format, the difference,
the ratio actual ÷ expected and the status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

# Columns that identify an offending row, in the order a reader scans them.
IDENTIFYING = (
    "check_code",
    "subject",
    "fiscal_year",
    "account_code",
    "level_code",
    "organisation_code",
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
# An audit row may say what is wrong in a sentence of its own (audit.audit_plan_structure), or
# what a status suggests (a UNIT_MISMATCH's `reason`).
FINDING = "finding"
REASON = "reason"
# Where each side of a reconciliation is: the figure's place, and the files added up.
SIDES = ("source_locator", "line_files", "other_source", "other_locator", "line_source")
VERDICT = ("status", "ratio")
# Amounts of one row that are read against each other: printed with the same decimals, so that
# 6,613,132.00 stands beside 6,679,263.32 (not 6,613,132 beside 6679263.32).
PAIRED_AMOUNTS = (
    "expected_krw_million",
    "actual_krw_million",
    "difference_krw_million",
    "amount_krw_million",
    "other_amount_krw_million",
)
# Amounts are exact to the KRW thousand: never more decimals of a KRW million than that.
MAX_DECIMALS = 3
# How many summed items a count column counts, for "the sum of 2 lines of a.csv".
SUMMED = {"line_count": "lines", "detail_lines": "detail lines", "n_leaf_facts": "figures"}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def decimals_needed(value: Any) -> int:
    """Decimals an amount needs to be printed exactly (0 to ``MAX_DECIMALS``)."""
    if not is_number(value):
        return 0
    text = f"{abs(value):.{MAX_DECIMALS}f}".rstrip("0")
    return len(text.partition(".")[2])


def row_decimals(row: Mapping[str, Any]) -> int:
    """The decimals every paired amount of ``row`` is printed with: as many as the most precise
    of them needs."""
    return max((decimals_needed(row.get(column)) for column in PAIRED_AMOUNTS), default=0)


def format_amount(value: Any, decimals: int | None = None) -> str:
    """An amount with thousands separators and ``decimals`` decimals (by default as many as it
    needs); "—" when there is none."""
    if not is_number(value):
        return "—" if value is None else str(value)
    places = decimals_needed(value) if decimals is None else decimals
    if round(value, places) == 0:
        value = 0  # no "-0.00"
    if isinstance(value, int) and not places:
        return f"{value:,}"  # exact however large (a float would round it)
    return f"{value:,.{places}f}"


def format_ratio(value: Any) -> str:
    """A ratio of two figures: ``1,000``, ``1.01``, ``0.001``, ``1.21336`` (6 significant)."""
    if not is_number(value):
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):.6g}"


def reconciliation_status(row: Mapping[str, Any]) -> str:
    """EXACT, WITHIN_TOLERANCE (when the table's precision allows a difference) or MISMATCH, for
    a row that has no status of its own."""
    difference = row.get("difference_krw_million")
    if difference is None:
        return "MISMATCH"
    if difference == 0:
        return "EXACT"
    tolerance = row.get("tolerance_krw_million") or 0
    return "WITHIN_TOLERANCE" if abs(difference) <= tolerance else "MISMATCH"


def with_verdict(row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with its difference, ratio (actual ÷ expected) and status, where it has expected
    and actual figures but not those (an audit table without them, or the few columns GX keeps
    of a row)."""
    verdict = dict(row)
    expected: Any = row.get("expected_krw_million")
    actual: Any = row.get("actual_krw_million")
    if not (is_number(expected) and is_number(actual)):
        return verdict
    verdict.setdefault("difference_krw_million", actual - expected)
    if "ratio" not in verdict:
        verdict["ratio"] = round(float(actual) / float(expected), 6) if expected else None
    if "status" not in verdict:
        verdict["status"] = reconciliation_status(verdict)
    return verdict


def _where(row: Mapping[str, Any], keys: Iterable[str]) -> str:
    return " ".join(str(row[key]) for key in keys if row.get(key) not in (None, ""))


def _summed(row: Mapping[str, Any], files: Any) -> str:
    """The actual side: ``sum of 2 lines of budget_lines/2020/a.json, its profile``."""
    count = next((column for column in SUMMED if is_number(row.get(column))), None)
    what = f"sum of {format_amount(row[count])} {SUMMED[count]}" if count else "sum of parts"
    layout = f", {row['line_source']}" if row.get("line_source") else ""
    return f"{what} of {files}{layout}" if files else f"{what}{layout}"


def describe_reconciliation(row: Mapping[str, Any]) -> str:
    """A figure against the sum of its parts, in a line: ``MISMATCH 2020 local_support
    account_whole enacted: expected 6,613,132.00 (page.txt:55 [2020]) vs actual 6,679,263.32 (sum
    of 2 lines of budget_lines/2020/a.json, its profile) KRW million, ratio 1.01 (actual ÷
    expected), difference 66,131.32 (tolerance 0.5)``: status, where, both sides with their
    files, both figures alike, the ratio and the difference."""
    row = with_verdict(row)
    keys = [key for key in IDENTIFYING if key not in ("source_file", "check_code", "subject")]
    where = _where(row, ("status", *keys))
    file = row.get("source_file")
    printed = row.get("source_locator") or (
        f"subtotal row of {file}" if file and "detail_lines" in row else file
    )
    summed = _summed(row, row.get("line_files") or file)
    decimals = row_decimals(row)
    expected = format_amount(row["expected_krw_million"], decimals)
    line = (
        f"{where}: expected {expected}{f' ({printed})' if printed else ''} "
        f"vs actual {format_amount(row['actual_krw_million'], decimals)} ({summed}) KRW million, "
        f"ratio {format_ratio(row.get('ratio'))} (actual ÷ expected), "
        f"difference {format_amount(row.get('difference_krw_million'), decimals)}"
    )
    if is_number(row.get("tolerance_krw_million")):
        line += f" (tolerance {format_amount(row['tolerance_krw_million'])})"
    return f"{line}; {row[REASON]}" if row.get(REASON) else line


def _side(file: Any, locator: Any) -> str:
    """One side of a comparison: its place, and its file when the place does not start with it
    (the line files of ``budget lines: <layout>``)."""
    if locator and file and not str(locator).startswith(str(file)):
        return f"{locator} ({file})"
    return str(locator or file or "—")


def describe_comparison(row: Mapping[str, Any]) -> str:
    """A failed comparison between two sources (``audit.audit_source_comparison``) in a line:
    ``UNIT_MISMATCH 2015 bnd_special_account total enacted: a.txt:54 [2015] 10,338,940 vs
    b.csv:3 [2015] 1,033,894,000 KRW million, ratio 100 (…)``: status, where, both files with
    their places and figures (alike), and the ratio other ÷ fact."""
    keys = ("status", "fiscal_year", "account_code", "level_code", "line_code", "phase")
    decimals = row_decimals(row)
    this = _side(row.get("source_file"), row.get("source_locator"))
    other = _side(row.get("other_source"), row.get("other_locator"))
    line = (
        f"{_where(row, keys)}: {this} {format_amount(row.get('amount_krw_million'), decimals)} vs "
        f"{other} {format_amount(row.get('other_amount_krw_million'), decimals)} KRW million, "
        f"ratio {format_ratio(row.get('ratio'))}"
    )
    if row.get("difference_krw_million") is not None:
        line += (
            f", difference {format_amount(row['difference_krw_million'], decimals)}"
            f" (tolerance {format_amount(row.get('tolerance_krw_million'))})"
        )
    return f"{line}; {row[REASON]}" if row.get(REASON) else line


def describe_row(row: Mapping[str, Any]) -> str:
    """One offending row in a line: a comparison, a reconciliation (expected against actual), or
    the identifying columns with the row's figures and finding."""
    if "other_amount_krw_million" in row:
        return describe_comparison(row)
    if "expected_krw_million" in row and "actual_krw_million" in row:
        return describe_reconciliation(row)
    where = _where(row, IDENTIFYING)
    figures = ", ".join(
        f"{name} {format_amount(row[key])}" for key, name in FIGURES.items() if key in row
    )
    if row.get(FINDING):
        figures = f"{figures}; {row[FINDING]}" if figures else str(row[FINDING])
    return f"{where}: {figures}" if figures else where


def format_cell(value: Any, column: str, decimals: int | None = None) -> str:
    """A value of an audit row in a table: paired amounts with the row's ``decimals``, other
    amounts as they need, ratios as ratios; anything else as it is ("—" for nothing)."""
    if column in PAIRED_AMOUNTS:
        return format_amount(value, decimals)
    if column.endswith("_krw_million"):
        return format_amount(value)
    if column in ("ratio", "unit_factor"):
        return format_ratio(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a count that passed through pandas
    if isinstance(value, int) and not isinstance(value, bool) and column != "fiscal_year":
        return f"{value:,}"
    return "—" if value is None else str(value)


def markdown_table(rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows as a Markdown table (the Dagster UI renders it on the check)."""
    rows = [with_verdict(row) for row in rows]
    if not rows:
        return "_no offending rows_"
    order = (*VERDICT, *IDENTIFYING, *SIDES, *FIGURES, *PAIRED_AMOUNTS, FINDING, REASON)
    columns = [key for key in dict.fromkeys(order) if key in rows[0]]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        decimals = row_decimals(row)
        cells = (format_cell(row.get(key), key, decimals) for key in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def root_cause(error: Any) -> str:
    """The innermost error's message of a Dagster error: it names the file and place; Dagster's
    wrappers around it do not."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()
