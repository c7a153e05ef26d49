"""The offending rows of the GX Data Docs read like the run's output: both sides' files, both
figures in one format, the ratio and the status (derived where the audit table gives none).

The validation results are GX's JSON, written here by hand in the shape GX writes them; the
figures come from the page (``tests.source_figures``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pipelines.reports.gx_docs import render_site
from tests.source_figures import PAGE_FILE, ROWS, YEARS

LINE_FILE = "budget_lines/2020/detail.json"


def _result(suite: str, column: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A failed validation of one expectation on ``column``, with its unexpected rows."""
    return {
        "suite_name": suite,
        "success": False,
        "statistics": {"evaluated_expectations": 1, "successful_expectations": 0},
        "results": [
            {
                "success": False,
                "expectation_config": {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": column},
                    "description": "the figures reconcile",
                },
                "result": {"unexpected_count": len(rows), "unexpected_index_list": rows},
            }
        ],
    }


def _cells(html: str) -> list[str]:
    table = html[html.index('<table class="rows">') :]
    return re.findall(r"<td[^>]*>(.*?)</td>", table[: table.index("</table>")], re.S)


def test_a_line_reconciliation_row_names_both_files_and_prints_both_figures_alike() -> None:
    line, amounts = ROWS["Local Support Account"]
    expected = amounts[YEARS.index(2020)]
    actual = float(Decimal(expected) * Decimal("1.01"))
    # The columns the checkpoint keeps of the row (``unexpected_index_column_names``).
    row = {
        "status": "MISMATCH",
        "fiscal_year": 2020,
        "phase": "enacted",
        "account_code": "local_support",
        "level_code": "account_whole",
        "expected_krw_million": float(expected),
        "actual_krw_million": actual,
        "difference_krw_million": actual - expected,
        "ratio": 1.01,
        "source_locator": f"{PAGE_FILE}:{line} [2020]",
        "line_files": LINE_FILE,
    }
    pages = render_site([_result("budget_line_reconciliation", "status", [row])], [])

    cells = _cells(pages["validations/budget_line_reconciliation.html"])

    assert cells[:5] == ["MISMATCH", "2020", "enacted", "local_support", "account_whole"]
    assert cells[5:9] == [f"{expected:,.2f}", f"{actual:,.2f}", f"{actual - expected:,.2f}", "1.01"]
    assert cells[9:] == [f"{PAGE_FILE}:{line} [2020]", LINE_FILE]


def test_a_total_s_row_gets_the_ratio_and_status_its_figures_imply() -> None:
    line, amounts = ROWS["Total"]
    summed = amounts[YEARS.index(2018)]
    printed = summed + 1000
    row = {
        "source_file": PAGE_FILE,
        "fiscal_year": 2018,
        "account_code": "bnd_special_account",
        "expected_krw_million": printed,
        "actual_krw_million": summed,
        "difference_krw_million": summed - printed,
        "tolerance_krw_million": 0,
        "source_locator": f"{PAGE_FILE}:{line} [2018]",
        "difference_beyond_tolerance_krw_million": 1000,
    }
    pages = render_site([_result("budget_reconciliation", "difference", [row])], [])

    cells = _cells(pages["validations/budget_reconciliation.html"])

    assert cells[-2:] == [f"{summed / printed:.6g}", "MISMATCH"]
    assert f"{printed:,}" in cells and f"{summed - printed:,}" in cells
