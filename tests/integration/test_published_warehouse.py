"""The published warehouse against the figures of the source document (tests/source_figures.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import duckdb
import pytest

from tests.integration.conftest import Build
from tests.source_figures import LEAVES, PAGE_FILE, PAGE_SHA256, TOTALS, YEARS


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
           from marts.dim_source"""
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
    ]
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
    }


def test_dbt_docs_generate_against_the_published_warehouse(published_build: Build) -> None:
    from tests.integration.conftest import run_cli

    completed = run_cli("docs", published_build.settings)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    catalog = json.loads(
        (published_build.settings.reports_dir / "dbt_docs" / "catalog.json").read_text()
    )
    assert "model.bnd.fct_budget" in catalog["nodes"]
