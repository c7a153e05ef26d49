"""The report shows what the build left, escapes all text from input files, fetches nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from pipelines.core.settings import EXPECTATIONS_DIR
from pipelines.reports.dq_report import BuildFacts, write_report
from pipelines.reports.svg_charts import Series, nice_ceiling, stacked_bars

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
