"""How an offending audit row reads in the run summary."""

from __future__ import annotations

from pipelines.checks.check_report import describe_row, markdown_table


def test_a_budget_row_names_its_figures() -> None:
    row = {
        "fiscal_year": 2018,
        "account_code": "bnd_special_account",
        "total_kind": "total",
        "expected_krw_million": 9890905,
        "actual_krw_million": 9889905,
    }
    assert describe_row(row) == (
        "2018 bnd_special_account total: expected 9,890,905, actual 9,889,905"
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
        "amount_krw_million": 10338940,
        "other_amount_krw_million": 1033894000,
        "difference_krw_million": 1023555060,
        "tolerance_krw_million": 50.0,
        "ratio": 100.0,
        "unit_factor": 100.0,
        "reason": "a unit slip?",
    }
    assert describe_row(row) == (
        "UNIT_MISMATCH 2015 bnd_special_account total enacted: a.txt:54 [2015] 10,338,940 vs "
        "b.csv:3 [2015년] 1,033,894,000 KRW million, ratio 100, difference 1,023,555,060 "
        "(tolerance 50); a unit slip?"
    )
    assert "ratio 0.01," in describe_row({**row, "ratio": 0.01})
