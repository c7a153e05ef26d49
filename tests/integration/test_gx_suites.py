"""The committed GX suites, run for real on small audit frames made by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.checks.gx_audit import run_suites


def _reconciliation(difference_2018: int, tolerance_2018: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": ["a.txt", "a.txt"],
            "phase": ["enacted", "enacted"],
            "fiscal_year": [2017, 2018],
            "account_code": ["bnd_special_account", "bnd_special_account"],
            "total_kind": ["total", "total"],
            "source_locator": ["a.txt:1 [2017]", "a.txt:1 [2018]"],
            "expected_krw_million": [100, 200],
            "actual_krw_million": [100, 200 + difference_2018],
            "n_leaf_facts": [5, 5],
            "difference_krw_million": [0, difference_2018],
            "tolerance_krw_million": [0, tolerance_2018],
            "difference_beyond_tolerance_krw_million": [
                0,
                max(abs(difference_2018) - tolerance_2018, 0),
            ],
        }
    )


def test_reconciliation_passes_when_differences_are_zero(tmp_path: Path) -> None:
    (outcome,) = run_suites({"budget_reconciliation": _reconciliation(0)}, tmp_path / "gx")
    assert outcome.success and not outcome.failures


def test_reconciliation_passes_within_the_tolerance_of_a_coarse_table(tmp_path: Path) -> None:
    # A table in 억원 with 5 leaves: (5 + 1) x 50 KRW million of rounding is allowed, not more.
    (within,) = run_suites({"budget_reconciliation": _reconciliation(-300, 300)}, tmp_path / "a")
    (beyond,) = run_suites({"budget_reconciliation": _reconciliation(-301, 300)}, tmp_path / "b")
    assert within.success and not beyond.success


def test_reconciliation_failure_names_the_row_with_expected_and_actual(tmp_path: Path) -> None:
    (outcome,) = run_suites({"budget_reconciliation": _reconciliation(-7)}, tmp_path / "gx")
    assert not outcome.success
    (failure,) = outcome.failures
    assert failure.column == "difference_beyond_tolerance_krw_million"
    assert "sum of the leaf amounts" in failure.description
    (row,) = failure.offending_rows
    assert (row["fiscal_year"], row["account_code"]) == (2018, "bnd_special_account")
    assert (row["expected_krw_million"], row["actual_krw_million"]) == (200, 193)
    assert row["difference_krw_million"] == -7


def test_the_committed_project_is_not_written_to(tmp_path: Path) -> None:
    from pipelines.core.settings import EXPECTATIONS_DIR

    run_suites({"budget_reconciliation": _reconciliation(0)}, tmp_path / "gx")
    assert not (EXPECTATIONS_DIR / "gx" / "uncommitted" / "validations").exists()


def _plan_structure(consistent: bool) -> pd.DataFrame:
    codes = [
        "declared_count",
        "plan_component",
        "method_numbering",
        "method_account",
        "method_formulator",
        "budget_line_method",
        "note_account",
    ]
    return pd.DataFrame(
        {
            "check_code": codes,
            "source_file": ["a.txt"] * len(codes),
            "subject": ["project_areas", *[f"s{n}" for n in range(1, len(codes))]],
            "expected_count": [11, 1, 1, 1, 1, 1, 1],
            "actual_count": [11 if consistent else 10, 1, 1, 1, 1, 1, 1],
            "is_consistent": [consistent, True, True, True, True, True, True],
            "finding": ["expected 11 project areas, found 10", *["ok"] * (len(codes) - 1)],
        }
    )


def test_plan_structure_passes_when_every_rule_holds(tmp_path: Path) -> None:
    (outcome,) = run_suites({"plan_structure": _plan_structure(True)}, tmp_path / "gx")
    assert outcome.success


def test_plan_structure_names_the_rule_and_the_row_that_broke_it(tmp_path: Path) -> None:
    (outcome,) = run_suites({"plan_structure": _plan_structure(False)}, tmp_path / "gx")
    (failure,) = outcome.failures
    assert failure.description.startswith("Every list the registry declares a count for")
    (row,) = failure.offending_rows
    assert (row["subject"], row["finding"]) == (
        "project_areas",
        "expected 11 project areas, found 10",
    )


def test_plan_structure_fails_when_a_rule_has_no_rows(tmp_path: Path) -> None:
    frame = _plan_structure(True)
    (outcome,) = run_suites(
        {"plan_structure": frame[frame.check_code != "note_account"]}, tmp_path / "gx"
    )
    (failure,) = outcome.failures
    assert failure.expectation == "expect_column_distinct_values_to_contain_set"
