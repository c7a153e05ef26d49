"""The report shows what the build left, escapes all text from input files, fetches nothing."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import jsonschema

from pipelines.core.settings import EXPECTATIONS_DIR
from pipelines.reports.dq_report import BuildFacts, write_report
from pipelines.reports.svg_charts import Series, nice_ceiling, stacked_bars
from tests.source_figures import PAGE_FILE, ROWS, YEARS

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>'; drop table marts.fct_budget;--"


def test_a_failed_build_report_lists_failures_and_rejected_files_escaped(tmp_path: Path) -> None:
    gx = [
        {
            "suite": "budget_reconciliation",
            "success": False,
            "expectations": [
                {
                    "expectation": "expect_column_values_to_be_between",
                    "description": "Every published total equals the sum of its parts.",
                    "column": "difference_krw_million",
                    "success": False,
                    "observed": 1,
                    "expected": {"column": "difference_krw_million", "min_value": 0},
                    "offending_rows": [
                        {
                            "fiscal_year": 2018,
                            "account_code": HOSTILE,
                            "expected_krw_million": 9890905,
                            "actual_krw_million": 9889905,
                            "difference_krw_million": -1000,
                        }
                    ],
                }
            ],
        }
    ]
    (tmp_path / "gx_results.json").write_text(json.dumps(gx))
    rejected = [{"file": HOSTILE, "place": "row 3", "expected": "a number", "found": HOSTILE,
                 "message": f"{HOSTILE}, row 3: expected a number"}]  # fmt: skip
    (tmp_path / "rejected_files.json").write_text(json.dumps(rejected))

    html_path = write_report(
        tmp_path,
        tmp_path / "missing.duckdb",
        BuildFacts("failed", "run-1", step_failures=[("ingest", HOSTILE)]),
    )

    html = html_path.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html  # nothing from input runs or loads
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Not published." in html
    assert "9,890,905" in html and "9,889,905" in html and "-1,000" in html
    dq = json.loads((tmp_path / "dq.json").read_text(encoding="utf-8"))
    schema = json.loads((EXPECTATIONS_DIR / "dq.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(dq, schema)
    assert dq["status"] == "failed"
    assert dq["summary"] == {"checks": 2, "passed": 0, "warned": 0, "failed": 2, "not_run": 0}
    assert dq["rejected_files"][0]["file"] == HOSTILE  # kept verbatim in the data


def test_the_page_loads_nothing_from_elsewhere(tmp_path: Path) -> None:
    html = write_report(tmp_path, tmp_path / "none.duckdb", BuildFacts("failed")).read_text()
    resources = re.findall(r"<(?:link|script|img|iframe)\b[^>]*>", html, re.IGNORECASE)
    assert resources == []
    assert "default-src 'none'" in html  # and the browser is told so


def test_chart_labels_are_escaped_and_bars_scale_to_a_round_axis() -> None:
    svg = stacked_bars(
        chart_id="c",
        title="t & <b>",
        years=[2015, 2016],
        series=[Series(HOSTILE, {2015: 6_000_000, 2016: 3_000_000})],
        value_label="KRW million",
    )
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert nice_ceiling(10_748_531) == 12_000_000
    assert nice_ceiling(100) == 100


def test_a_line_reconciliation_failure_names_both_files_and_prints_both_figures_alike(
    tmp_path: Path,
) -> None:
    # Lines 1 % over the page's 2020 Local Support figure, as GX hands the audit row over.
    line, amounts = ROWS["Local Support Account"]
    expected = amounts[YEARS.index(2020)]
    actual = float(Decimal(expected) * Decimal("1.01"))
    row = {
        "fiscal_year": 2020,
        "phase": "enacted",
        "account_code": "local_support",
        "level_code": "account_whole",
        "source_file": PAGE_FILE,
        "source_locator": f"{PAGE_FILE}:{line} [2020]",
        "line_source": "open_fiscal_data_detail_budget",
        "line_files": "budget_lines/2020/detail.json",
        "grain": "account × level",
        "expected_krw_million": expected,
        "tolerance_krw_million": 0.5,
        "actual_krw_million": actual,
        "line_count": 2,
        "difference_krw_million": actual - expected,
        "ratio": 1.01,
        "status": "MISMATCH",
    }
    gx = [
        {
            "suite": "budget_line_reconciliation",
            "success": False,
            "expectations": [
                {
                    "expectation": "expect_column_values_to_be_in_set",
                    "description": "Each leaf amount equals the sum of its lines.",
                    "column": "status",
                    "success": False,
                    "observed": 1,
                    "expected": {"column": "status", "value_set": ["EXACT"]},
                    "offending_rows": [row],
                }
            ],
        }
    ]
    (tmp_path / "gx_results.json").write_text(json.dumps(gx))

    html = write_report(tmp_path, tmp_path / "none.duckdb", BuildFacts("failed")).read_text()

    failure = html[html.index('id="failures"') : html.index('id="reconciliation"')]
    (shown,) = [tr for tr in re.findall(r"<tr>.*?</tr>", failure, re.S) if "<td" in tr]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", shown, re.S)
    for text in (
        f"{expected:,.2f}",
        f"{actual:,.2f}",
        f"{actual - expected:,.2f}",
        "1.01",
        "MISMATCH",
        f"{PAGE_FILE}:{line} [2020]",
        "budget_lines/2020/detail.json",
    ):
        assert text in cells, text
    dq = json.loads((tmp_path / "dq.json").read_text(encoding="utf-8"))
    schema = json.loads((EXPECTATIONS_DIR / "dq.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(dq, schema)
    (check,) = dq["checks"]
    (described,) = check["offending_rows_text"]
    assert described.startswith("MISMATCH 2020 local_support")
    assert f"expected {expected:,.2f} ({PAGE_FILE}:{line} [2020])" in described
    assert "budget_lines/2020/detail.json" in described and "ratio 1.01" in described
