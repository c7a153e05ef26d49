"""One count of checks: every dbt test, every GX expectation, every step that failed outright."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.checks.check_list import build_checks, count_checks, counts_by_source


def _dbt(status: str, number: int) -> dict:
    return {"check_id": f"test.bnd.t{number}", "source": "dbt", "status": status}


def test_a_gx_suite_counts_each_expectation_and_a_failed_step_counts_once(tmp_path: Path) -> None:
    dbt = [_dbt("pass", 1), _dbt("warn", 2), _dbt("not_run", 3), _dbt("error", 4)]
    (tmp_path / "dbt_results.json").write_text(json.dumps(dbt))
    suite = {
        "suite": "budget_reconciliation",
        "expectations": [
            {"expectation": "expect_a", "description": "a", "success": True},
            {"expectation": "expect_b", "description": "b", "success": False},
            {"expectation": "expect_c", "description": "c", "success": True},
        ],
    }
    (tmp_path / "gx_results.json").write_text(json.dumps([suite]))

    checks = build_checks(tmp_path, [("ingest", "a.csv, row 3: expected a number")])

    assert [check["source"] for check in checks] == ["pipeline", *["dbt"] * 4, *["gx"] * 3]
    count = count_checks(checks)
    assert (count.checks, count.passed, count.warned, count.failed, count.not_run) == (
        8,
        3,
        1,
        3,
        1,
    )
    assert count.sentence() == "8 checks: 3 passed, 1 warnings, 3 failed, 1 not run"
    assert counts_by_source(checks) == {
        "pipeline": {"checks": 1, "passed": 0, "warned": 0, "failed": 1, "not_run": 0},
        "dbt": {"checks": 4, "passed": 1, "warned": 1, "failed": 1, "not_run": 1},
        "gx": {"checks": 3, "passed": 2, "warned": 0, "failed": 1, "not_run": 0},
    }


def test_a_build_that_stopped_before_its_checks_has_none(tmp_path: Path) -> None:
    count = count_checks(build_checks(tmp_path))
    assert count.sentence() == "0 checks: 0 passed, 0 warnings, 0 failed"
