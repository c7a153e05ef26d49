"""How an offending audit row reads in the run summary, the Dagster UI and the reports: both
sides named, both figures printed alike, the ratio and the status.

Figures come from the page (``tests.source_figures``); what the code should print is spelled
here with Python's own number formatting, never taken from the code under test.
"""

from __future__ import annotations

from decimal import Decimal

from pipelines.checks.check_report import (
    decimals_needed,
    describe_row,
    format_amount,
    format_cell,
    format_ratio,
    markdown_table,
    row_decimals,
    with_verdict,
)
from tests.source_figures import PAGE_FILE, ROWS, YEARS

LOCAL_SUPPORT_LINE, LOCAL_SUPPORT = ROWS["Local Support Account"]
LOCAL_SUPPORT_2020 = LOCAL_SUPPORT[YEARS.index(2020)]
TOTAL_LINE, TOTALS = ROWS["Total"]
LINE_FILE = "budget_lines/2020/detail.json"
PROFILE = "open_fiscal_data_detail_budget"


def _line_reconciliation(expected: int, actual: float, status: str, **more) -> dict:
    """A row of audit.audit_budget_line_reconciliation as GX hands it over (through pandas)."""
    return {
        "fiscal_year": 2020,
        "phase": "enacted",
        "account_code": "local_support",
        "level_code": "account_whole",
        "source_file": PAGE_FILE,
        "source_locator": f"{PAGE_FILE}:{LOCAL_SUPPORT_LINE} [2020]",
        "line_source": PROFILE,
        "line_files": LINE_FILE,
        "grain": "account × level",
        "expected_krw_million": expected,
        "tolerance_krw_million": 0.5,
        "actual_krw_million": actual,
        "line_count": 2,
        "difference_krw_million": actual - expected,
        "ratio": round(actual / expected, 6),
        "status": status,
        **more,
    }


def test_an_amount_gets_the_decimals_it_needs_up_to_the_krw_thousand() -> None:
    assert [decimals_needed(value) for value in (5, 5.0, 0.5, 66131.32, 1.2345)] == [0, 0, 1, 2, 3]
    assert decimals_needed(Decimal("6679263.320")) == 2
    assert format_amount(LOCAL_SUPPORT_2020) == f"{LOCAL_SUPPORT_2020:,}"
    assert format_amount(LOCAL_SUPPORT_2020, 2) == f"{LOCAL_SUPPORT_2020:,}.00"
    assert format_amount(-0.0001, 2) == "0.00"  # never "-0.00"
    big = 10**20 + 1  # an integer prints exactly, however large
    assert format_amount(big) == f"{big:,}"
    assert format_amount(None) == "—"


def test_a_ratio_is_printed_as_a_ratio() -> None:
    assert format_ratio(1000.0) == "1,000"
    assert format_ratio(0.001) == "0.001"
    assert format_ratio(1.01) == "1.01"
    assert format_ratio(None) == "—"


def test_lines_one_percent_over_the_page_name_both_files_and_print_both_figures_alike() -> None:
    expected = LOCAL_SUPPORT_2020
    actual = float(Decimal(expected) * Decimal("1.01"))
    row = _line_reconciliation(expected, actual, "MISMATCH")

    line = describe_row(row)

    assert row_decimals(row) == 2
    assert line == (
        f"MISMATCH 2020 local_support account_whole enacted: "
        f"expected {expected:,.2f} ({PAGE_FILE}:{LOCAL_SUPPORT_LINE} [2020]) vs "
        f"actual {actual:,.2f} (sum of 2 lines of {LINE_FILE}, {PROFILE}) KRW million, "
        f"ratio 1.01 (actual ÷ expected), difference {actual - expected:,.2f} (tolerance 0.5)"
    )
    table = markdown_table([row])
    assert f"| {expected:,.2f} | {actual:,.2f} |" in table
    assert table.splitlines()[0].startswith("| status | ratio |")


def test_a_unit_declared_wrongly_says_unit_mismatch_and_why() -> None:
    expected = LOCAL_SUPPORT[YEARS.index(2016)]
    reason = "the lines add up to the table's figure × 1,000 within precision: unit?"
    row = _line_reconciliation(
        expected, float(expected * 1000), "UNIT_MISMATCH", unit_factor=1000.0, reason=reason
    )

    line = describe_row(row)

    assert line.startswith("UNIT_MISMATCH 2020 local_support")
    assert f"expected {expected:,} (" in line and f"actual {expected * 1000:,} (" in line
    assert "ratio 1,000 (actual ÷ expected)" in line and line.endswith(f"; {reason}")


def test_lines_of_several_files_and_a_figure_of_several_levels_are_all_named() -> None:
    places = f"{PAGE_FILE}:57 [2016], {PAGE_FILE}:58 [2016]"
    files = "budget_lines/2016/a.csv, budget_lines/2016/b.csv"
    row = {
        **_line_reconciliation(100, 100.0, "EXACT"),
        "level_code": None,
        "source_locator": places,
        "line_files": files,
    }
    line = describe_row(row)
    assert f"({places})" in line and f"of {files}, {PROFILE})" in line
    assert " None " not in line


def test_a_budget_row_gets_its_ratio_and_status_from_its_figures() -> None:
    printed, summed = TOTALS[YEARS.index(2018)] + 1000, TOTALS[YEARS.index(2018)]
    row = {
        "fiscal_year": 2018,
        "account_code": "bnd_special_account",
        "total_kind": "total",
        "phase": "enacted",
        "source_file": PAGE_FILE,
        "source_locator": f"{PAGE_FILE}:{TOTAL_LINE} [2018]",
        "expected_krw_million": printed,
        "actual_krw_million": summed,
        "n_leaf_facts": 5,
        "tolerance_krw_million": 0,
    }
    assert with_verdict(row)["status"] == "MISMATCH"
    assert describe_row(row) == (
        f"MISMATCH 2018 bnd_special_account total enacted: expected {printed:,} "
        f"({PAGE_FILE}:{TOTAL_LINE} [2018]) vs actual {summed:,} (sum of 5 figures of "
        f"{PAGE_FILE}) KRW million, ratio {summed / printed:.6g} (actual ÷ expected), "
        f"difference {summed - printed:,} (tolerance 0)"
    )
    within = with_verdict({**row, "tolerance_krw_million": 1000})
    assert within["status"] == "WITHIN_TOLERANCE"


def test_a_subtotal_row_names_its_file_on_both_sides() -> None:
    row = {
        "fiscal_year": 2026,
        "source_file": "budget_lines/2026/lines.csv",
        "organisation_code": "6110000",
        "account_code": "local_autonomous",
        "level_code": "city_province",
        "phase": "enacted",
        "expected_krw_million": 1000.5,
        "actual_krw_million": 1000,
        "subtotal_rows": 1,
        "detail_lines": 3,
        "difference_krw_million": -0.5,
        "status": "MISMATCH",
    }
    assert describe_row(row) == (
        "MISMATCH 2026 local_autonomous city_province 6110000 enacted: expected 1,000.5 "
        "(subtotal row of budget_lines/2026/lines.csv) vs actual 1,000.0 (sum of 3 detail lines "
        f"of budget_lines/2026/lines.csv) KRW million, ratio {1000 / 1000.5:.6g} (actual ÷ "
        "expected), difference -0.5"
    )


def test_a_plan_structure_row_says_its_finding() -> None:
    row = {
        "check_code": "declared_count",
        "subject": "project_areas",
        "source_file": "p.txt",
        "expected_count": 11,
        "actual_count": 10,
        "is_consistent": False,
        "finding": "expected 11 project areas, found 10 in marts.dim_project_area",
    }
    assert describe_row(row) == (
        "declared_count project_areas p.txt: "
        "expected 11 project areas, found 10 in marts.dim_project_area"
    )
    assert markdown_table([row]).splitlines()[0].endswith("| finding |")


def test_a_failed_comparison_names_both_files_figures_and_the_ratio() -> None:
    total_2015 = TOTALS[YEARS.index(2015)]
    row = {
        "status": "UNIT_MISMATCH",
        "comparison_kind": "cross_source",
        "fiscal_year": 2015,
        "account_code": "bnd_special_account",
        "level_code": None,
        "line_code": "total",
        "phase": "enacted",
        "source_file": "a.txt",
        "source_locator": "a.txt:54 [2015]",
        "other_source": "b.csv",
        "other_locator": "b.csv:3 [2015년]",
        "amount_krw_million": total_2015,
        "other_amount_krw_million": total_2015 * 100,
        "difference_krw_million": total_2015 * 99,
        "tolerance_krw_million": 50.0,
        "ratio": 100.0,
        "unit_factor": 100.0,
        "reason": "a unit slip?",
    }
    assert describe_row(row) == (
        f"UNIT_MISMATCH 2015 bnd_special_account total enacted: a.txt:54 [2015] {total_2015:,} "
        f"vs b.csv:3 [2015년] {total_2015 * 100:,} KRW million, ratio 100, difference "
        f"{total_2015 * 99:,} (tolerance 50); a unit slip?"
    )
    assert "ratio 0.01," in describe_row({**row, "ratio": 0.01})


def test_the_sum_of_lines_against_a_control_total_names_the_line_files() -> None:
    # audit_source_comparison's detail_lines: the fact side is the layout's lines, its place the
    # files added up; a sum to the KRW thousand makes the control total print with decimals too.
    row = {
        "status": "MISMATCH",
        "comparison_kind": "detail_lines",
        "fiscal_year": 2020,
        "account_code": "bnd_special_account",
        "line_code": "total",
        "phase": "enacted",
        "source_file": f"budget lines: {PROFILE}",
        "source_locator": LINE_FILE,
        "other_source": "totals.csv",
        "other_locator": "totals.csv:15",
        "amount_krw_million": 9298942.32,
        "other_amount_krw_million": 9232800,
        "difference_krw_million": 9232800 - 9298942.32,
        "tolerance_krw_million": 50,
        "ratio": 0.992887,
    }
    line = describe_row(row)
    assert f"{LINE_FILE} (budget lines: {PROFILE}) 9,298,942.32 vs totals.csv:15" in line
    assert " 9,232,800.00 KRW million" in line and "difference -66,142.32" in line


def test_a_cell_prints_paired_amounts_with_the_row_s_decimals() -> None:
    assert format_cell(6613132, "expected_krw_million", 2) == "6,613,132.00"
    assert format_cell(0.5, "tolerance_krw_million", 2) == "0.5"
    assert format_cell(1.01, "ratio") == "1.01"
    assert format_cell(2.0, "line_count") == "2"
    assert format_cell(2020, "fiscal_year") == "2020"
