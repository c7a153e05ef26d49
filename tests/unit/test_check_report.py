"""How an offending audit row reads in the run summary."""

from __future__ import annotations

from pipelines.lib.check_report import describe_row, markdown_table


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
