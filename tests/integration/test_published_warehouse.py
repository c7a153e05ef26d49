"""The published warehouse against the figures of the source document (tests/source_figures.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import duckdb
import pytest

from tests.integration.conftest import Build
from tests.source_figures import (
    BUDGET_CHANGE_NOTES,
    FUNDING_SOURCES,
    INCLUDED_PROJECT_KINDS,
    LEAVES,
    LEGAL_BASIS,
    METHODS,
    PAGE_FILE,
    PAGE_SHA256,
    PROJECT_AREAS,
    TOTALS,
    YEARS,
)


@pytest.fixture
def con(published_build: Build) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as connection:
        yield connection


def test_facts_sum_per_year_to_the_published_total(con: duckdb.DuckDBPyConnection) -> None:
    sums = con.execute(
        "select fiscal_year, sum(amount_krw_million) from marts.fct_budget group by 1 order by 1"
    ).fetchall()
    assert sums == list(zip(YEARS, TOTALS["bnd_special_account"], strict=True))


def test_local_autonomous_by_level_equals_its_rows_and_subtotal(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = con.execute(
        """select level_code, fiscal_year, amount_krw_million from marts.fct_budget
           where account_code = 'local_autonomous' order by level_code, fiscal_year"""
    ).fetchall()
    expected = [
        (level, year, amount)
        for level in ("city_province", "si_gun_gu")
        for year, amount in zip(YEARS, LEAVES[("local_autonomous", level)], strict=True)
    ]
    assert rows == expected
    by_year = [
        a + b
        for a, b in zip(
            LEAVES[("local_autonomous", "city_province")],
            LEAVES[("local_autonomous", "si_gun_gu")],
            strict=True,
        )
    ]
    assert tuple(by_year) == TOTALS["local_autonomous"]


def test_every_leaf_cell_is_the_printed_figure(con: duckdb.DuckDBPyConnection) -> None:
    facts = {
        (account, level, year): amount
        for account, level, year, amount in con.execute(
            "select account_code, level_code, fiscal_year, amount_krw_million from marts.fct_budget"
        ).fetchall()
    }
    expected = {
        (account, level, year): amount
        for (account, level), amounts in LEAVES.items()
        for year, amount in zip(YEARS, amounts, strict=True)
    }
    assert facts == expected


def test_published_totals_are_kept_as_control_totals(con: duckdb.DuckDBPyConnection) -> None:
    totals = con.execute(
        """select account_code, total_kind, fiscal_year, amount_krw_million
           from marts.fct_budget_reported_total order by account_code, fiscal_year"""
    ).fetchall()
    expected = [
        (account, "total" if account == "bnd_special_account" else "subtotal", year, amount)
        for account in sorted(TOTALS)
        for year, amount in zip(YEARS, TOTALS[account], strict=True)
    ]
    assert totals == expected


def test_facts_carry_their_provenance_and_phase(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        """select source_file, source_sha256, source_locator, source_amount_text, phase
           from marts.fct_budget where account_code = 'jeju' and fiscal_year = 2017"""
    ).fetchone()
    assert row == (PAGE_FILE, PAGE_SHA256, f"{PAGE_FILE}:60 [2017]", "325,981", "enacted")
    source = con.execute(
        """select source_sha256, phase, is_phase_default, unit_label, reference_text
           from marts.dim_source where source_file = ?""",
        [PAGE_FILE],
    ).fetchall()
    assert source == [
        (PAGE_SHA256, "enacted", True, "KRW 1 million", "The Ministry of Economy and Finance")
    ]


def test_dimensions(con: duckdb.DuckDBPyConnection) -> None:
    accounts = con.execute(
        """select account_code, parent_account_code, name_ko, is_leaf_account
           from marts.dim_account order by account_order"""
    ).fetchall()
    assert accounts == [
        ("bnd_special_account", None, "국가균형발전특별회계", False),
        ("local_support", "bnd_special_account", "지역지원계정", True),
        ("local_autonomous", "bnd_special_account", "지역자율계정", True),
        ("sejong", "bnd_special_account", "세종특별자치시계정", True),
        ("jeju", "bnd_special_account", "제주특별자치도계정", True),
    ]
    levels = con.execute("select level_code, name_ko from marts.dim_level order by level_order")
    assert levels.fetchall() == [
        ("city_province", "시·도"),
        ("si_gun_gu", "시·군·구"),
        ("account_whole", "계정 전체 (구분 없음)"),
        ("all_levels", "전체 (구분 합계)"),  # fct_budget_change's account totals only
    ]
    (in_facts,) = con.execute(
        "select count(*) from marts.fct_budget where level_code = 'all_levels'"
    ).fetchone()
    assert in_facts == 0
    years = con.execute("select fiscal_year from marts.dim_year order by 1").fetchall()
    assert [year for (year,) in years] == list(YEARS)


def test_the_run_printed_its_summary(published_build: Build) -> None:
    out = published_build.stdout
    assert "0 failed" in out
    assert (
        "marts.fct_budget " in out and f"published: {published_build.settings.published_db}" in out
    )


def test_reports_and_validation_results_are_published(published_build: Build) -> None:
    reports = published_build.settings.reports_dir
    assert (reports / "gx" / "index.html").is_file()
    results = json.loads((reports / "gx_results.json").read_text(encoding="utf-8"))
    assert {suite["suite"]: suite["success"] for suite in results} == {
        "budget_reconciliation": True,
        "budget_coverage": True,
        "plan_structure": True,
        # data_raw/ has no budget lines yet: their suites pass on empty audit tables
        "budget_line_subtotals": True,
        "budget_line_reconciliation": True,
    }


# The command rewrites the shared build's reports/dbt_docs: never beside the tests reading it.
@pytest.mark.xdist_group("published_docs")
@pytest.mark.usefixtures("published_docs_alone")
def test_dbt_docs_generate_against_the_published_warehouse(published_build: Build) -> None:
    from tests.integration.conftest import run_cli

    completed = run_cli("docs", published_build.settings)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    catalog = json.loads(
        (published_build.settings.reports_dir / "dbt_docs" / "catalog.json").read_text()
    )
    assert "model.bnd.fct_budget" in catalog["nodes"]
    assert "model.bnd.fct_special_account_by_formulator" in catalog["nodes"]


def test_the_plan_with_its_period_legal_basis_and_declared_counts(
    con: duckdb.DuckDBPyConnection,
) -> None:
    plans = con.execute(
        """select plan_code, parent_plan_code, period_start_year, period_end_year, legal_basis_en,
                  formulated_by, n_strategies, n_key_tasks, n_action_tasks, n_target_tasks
           from marts.dim_plan order by plan_order"""
    ).fetchall()
    five_year, implementation = "five_year_plan_2018_2022", "implementation_plan_2018_2022"
    assert plans == [
        (five_year, None, 2018, 2022, LEGAL_BASIS, None, 3, 9, 37, None),
        (implementation, five_year, None, None, None, None, None, None, None, 334),
        (
            "sectoral_action_plans_2018_2022",
            implementation,
            *[None] * 3,
            "central_agency",
            *[None] * 4,
        ),
        (
            "regional_action_plans_2018_2022",
            implementation,
            *[None] * 3,
            "local_government",
            *[None] * 4,
        ),
    ]
    components = con.execute(
        """select component_code, declared_count
           from marts.dim_plan_component order by component_order"""
    ).fetchall()
    assert components == [
        ("strategy", 3),
        ("key_task", 9),
        ("action_task", 37),
        ("target_task", 334),
    ]


def test_years_say_which_plan_period_they_belong_to(con: duckdb.DuckDBPyConnection) -> None:
    years = con.execute(
        """select fiscal_year, five_year_plan_code, plan_year_number, plan_period_note is not null
           from marts.dim_year order by 1"""
    ).fetchall()
    assert years == [
        (
            year,
            "five_year_plan_2018_2022" if year >= 2018 else None,
            year - 2017 if year >= 2018 else None,
            True,
        )
        for year in YEARS
    ]


def test_project_areas_are_the_pages_eleven(con: duckdb.DuckDBPyConnection) -> None:
    areas = con.execute(
        "select area_order, name_en, project_area_code from marts.dim_project_area order by 1"
    ).fetchall()
    assert [(order, name) for order, name, _ in areas] == list(enumerate(PROJECT_AREAS, start=1))
    assert len({code for _, _, code in areas}) == 11


def test_funding_scope_links_the_special_account(con: duckdb.DuckDBPyConnection) -> None:
    scope = con.execute(
        "select name_en, scope_kind, account_code from marts.dim_funding_scope order by scope_order"
    ).fetchall()
    assert [name for name, _, _ in scope] == [*FUNDING_SOURCES, *INCLUDED_PROJECT_KINDS]
    assert [name for name, _, account in scope if account] == [FUNDING_SOURCES[1]]


def test_formulation_methods_are_the_matrix(con: duckdb.DuckDBPyConnection) -> None:
    methods = con.execute(
        """select method_number, account_code, formulator_code, description_en, starred_note_en,
                  source_locator
           from marts.dim_formulation_method order by 1"""
    ).fetchall()
    assert {
        number: (account, formulator, text, note)
        for number, account, formulator, text, note, _ in methods
    } == {number: figures[:4] for number, figures in METHODS.items()}
    assert methods[0][-1] == f"{PAGE_FILE}:80"


def test_budget_change_notes_link_to_accounts(con: duckdb.DuckDBPyConnection) -> None:
    notes = con.execute(
        """select note_number, direction_label, subject_label, account_code,
                  stated_amount_krw_million
           from marts.dim_budget_change_note order by 1"""
    ).fetchall()
    assert notes == [
        (number, direction, subject, account, amount)
        for number, (direction, subject, account, amount, _) in BUDGET_CHANGE_NOTES.items()
    ]


def test_every_fact_says_who_formulates_it(con: duckdb.DuckDBPyConnection) -> None:
    formulated = con.execute(
        """select account_code, level_code, formulated_by, method_markers, count(*)
           from marts.fct_budget_formulation group by all order by 1, 2"""
    ).fetchall()
    assert formulated == [
        ("jeju", "account_whole", "mixed", "④, ⑤, ⑧", 6),
        ("local_autonomous", "city_province", "local_government", "①", 6),
        ("local_autonomous", "si_gun_gu", "local_government", "②", 6),
        ("local_support", "account_whole", "central_agency", "⑥", 6),
        ("sejong", "account_whole", "mixed", "③, ⑦", 6),
    ]


def test_the_special_account_by_formulator_per_year(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """select fiscal_year, formulated_by, amount_krw_million, year_total_krw_million,
                  is_split_by_source
           from marts.fct_special_account_by_formulator order by 1, 2"""
    ).fetchall()
    expected = []
    for index, year in enumerate(YEARS):
        local = LEAVES[("local_autonomous", "city_province")][index]
        local += LEAVES[("local_autonomous", "si_gun_gu")][index]
        central = LEAVES[("local_support", "account_whole")][index]
        mixed = (
            LEAVES[("sejong", "account_whole")][index] + LEAVES[("jeju", "account_whole")][index]
        )
        total = TOTALS["bnd_special_account"][index]
        expected += [
            (year, "central_agency", central, total, True),
            (year, "local_government", local, total, True),
            (year, "mixed", mixed, total, False),
        ]
    assert rows == expected
    (note,) = con.execute(
        """select distinct note from marts.fct_special_account_by_formulator
           where formulated_by = 'mixed'"""
    ).fetchone()
    assert "Cannot be split" in note


def test_the_plan_structure_audit_is_published_and_consistent(
    con: duckdb.DuckDBPyConnection,
) -> None:
    checks = con.execute(
        """select check_code, count(*), bool_and(is_consistent)
           from audit.audit_plan_structure group by 1 order by 1"""
    ).fetchall()
    assert checks == [
        ("budget_line_method", 5, True),
        ("declared_count", 4, True),
        ("method_account", 8, True),
        ("method_formulator", 8, True),
        ("method_numbering", 8, True),
        ("note_account", 4, True),
        ("plan_component", 4, True),
    ]
