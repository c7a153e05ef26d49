"""Twenty years of the account from its publishers' statements, in the published warehouse.

The oracle is the documents as they print the figures (typed here by hand, with the document
named), and the page (``tests.source_figures``): never the warehouse's own output."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.browser import browser
from tests.integration.conftest import Build, dbt_on_copy
from tests.source_figures import TOTALS, YEARS


def _query(build: Build, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(build.settings.published_db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_the_2005_revenue_is_held_as_stated_with_what_it_does_not_itemise(
    published_build: Build,
) -> None:
    """매일신문 (연합), 2004-12-06: 세입예산 "주세 2조9천억원과 타회계 전입금 8천500억원, … 각종
    부담금 2천600억원 등을 포함해 5조5천억원"."""
    rows = _query(
        published_build,
        "select revenue_source_code, amount_krw_million, is_computed, "
        "statement_total_krw_million from marts.fct_special_account_revenue "
        "where fiscal_year = 2005 order by revenue_source_order",
    )
    assert rows == [
        ("liquor_tax", 2_900_000, False, 5_500_000),
        ("other_account_transfers", 850_000, False, 5_500_000),
        ("charges", 260_000, False, 5_500_000),
        # "among others": the rest is one explicit remainder, never spread over the sources
        ("not_itemised", 1_490_000, True, 5_500_000),
    ]
    # The same announcement gives the spending as 5조5천억원: the budget balances.
    (balance,) = _query(
        published_build,
        "select distinct status from audit.audit_revenue_balance where fiscal_year = 2005",
    )
    assert balance == ("MATCH",)


def test_shares_are_shown_beside_the_share_computed_from_the_same_document(
    published_build: Build,
) -> None:
    rows = dict(
        (row[0], row[1:])
        for row in _query(
            published_build,
            "select fiscal_year, share_percent::double, computed_percent::double, basis_code "
            "from marts.fct_special_account_share where share_code = 'capital_region'",
        )
    )
    # 부산일보, 2022-05-17: 수도권 1조5233억 of 9조649억 = 16.8%; 2008: 8221억 = 9.3% beside
    # 비수도권 8조131억. Computed: 15233 / 90649 and 8221 / (8221 + 80131).
    assert rows[2022] == (pytest.approx(16.8), pytest.approx(16.80), "local_subsidies")
    assert rows[2008] == (pytest.approx(9.3), pytest.approx(9.30), "local_subsidies")
    national = _query(
        published_build,
        "select fiscal_year, share_percent, computed_percent from marts.fct_special_account_share "
        "where share_code = 'national_budget' order by 1",
    )
    # 동아일보, 2025-07-01: 3.8% (2009) and 1.9% (2023) of 국가 재정; no denominator is held.
    assert [(year, float(pct), computed) for year, pct, computed in national] == [
        (2009, 3.8, None),
        (2023, 1.9, None),
    ]


def test_every_year_since_2005_says_whether_a_total_was_found(published_build: Build) -> None:
    rows = _query(
        published_build,
        "select fiscal_year, max(whole_account_figures), max(coverage_note) "
        "from marts.fct_year_coverage where fiscal_year <= 2025 group by 1 order by 1",
    )
    assert [row[0] for row in rows] == list(range(2005, 2026))
    none = [year for year, figures, _ in rows if figures == 0]
    assert none == [2013, 2014, 2021, 2024, 2025]
    assert all(
        "docs/research/cited_account_figures.md" in note for year, _, note in rows if year in none
    )
    assert all(note is None for year, _, note in rows if year not in none)


def test_the_value_of_record_of_each_year_says_why(published_build: Build) -> None:
    records = {
        row[0]: row[1:]
        for row in _query(
            published_build,
            "select fiscal_year, amount_krw_million, phase, chosen_because "
            "from marts.fct_special_account_history_current where is_whole_account",
        )
    }
    # The page's exact figures win on precision wherever the page has a year.
    for year, total in zip(YEARS, TOTALS["bnd_special_account"], strict=True):
        assert records[year][0] == total
        assert records[year][2].startswith(("most precise", "only figure"))
    # 2022: 10.9 조원 twice; the ministries' explanation states it enacted, the memo does not.
    assert records[2022] == (10_900_000, "enacted", "phase enacted outranks not stated")
    # Each statement of 2015 against the page's 10,338,940: 10.3 agrees within ±0.05 조원 (and
    # the page's ±0.5), 10.4 does not; the proposal (10.1) is of another phase.
    statuses = {
        (amount, phase): status
        for amount, phase, status in _query(
            published_build,
            "select amount_krw_million, phase, status from audit.audit_history_figures "
            "where fiscal_year = 2015 and is_whole_account",
        )
    }
    assert statuses[(10_300_000, "not stated")] == "MATCH"
    assert statuses[(10_400_000, "not stated")] == "MISMATCH"
    assert statuses[(10_100_000, "proposed")] == "NOT_COMPARED"
    assert statuses[(TOTALS["bnd_special_account"][0], "enacted")] == "RECORD"


def test_the_report_shows_twenty_years_by_era_in_both_languages(published_build: Build) -> None:
    reports = published_build.settings.reports_dir
    with browser() as opened:
        page = opened.page
        for name, none_text, revenue_word, first_era in (
            ("index.html", "no figure of the whole account found", "Liquor tax", "Special Acc"),
            ("index.ko.html", "회계 전체의 수치를 찾지 못함", "주세", "국가균형발전특별회계"),
        ):
            page.goto((reports / name).as_uri())
            table = page.locator("#twenty-years-table")
            assert table.is_visible()
            years = table.locator("tr[id^=year-]")
            assert years.count() == 21  # 2005 … 2025
            assert none_text in (page.locator("#year-2013").text_content() or "")
            assert revenue_word in (page.locator("#year-2005").text_content() or "")
            eras = table.locator("tr.era").all_text_contents()
            # the page's language first, the other beside it, one header per name of the account
            assert eras[0].startswith(first_era) and "국가균형발전특별회계" in eras[0]
            assert [era for era in eras if "광역·지역발전특별회계" in era] == [eras[1]]
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert opened.external_requests() == []


def test_a_revenue_that_does_not_balance_is_reported_not_blocking(
    published_build: Build, tmp_path: Path
) -> None:
    """A difference between two statements is reported like any other: the audit shows the
    MISMATCH with both figures, and its dbt test warns (a warning never blocks publishing)."""
    dbt = dbt_on_copy(published_build.settings.published_db, tmp_path)
    with duckdb.connect(str(dbt.build_db)) as con:  # the 2005 revenue total as 6.0 조원
        con.execute(
            "update raw.cited_figures set amount = 6.0, amount_text = '6.0' "
            "where measure = 'revenue' and item_code = 'total'"
        )
    completed = dbt.run("build", "--select", "audit_revenue_balance")
    assert completed.returncode == 0, completed.stdout
    results = {key: result["status"] for key, result in dbt.results().items()}
    run_results = json.loads((dbt.target / "run_results.json").read_text(encoding="utf-8"))
    statuses = {
        result["unique_id"].split(".")[2]: result["status"] for result in run_results["results"]
    }
    assert statuses["audit_revenue_balance"] == "success"
    assert statuses["revenue_balances_spending"] == "warn"
    assert "error" not in results.values()
    with duckdb.connect(str(dbt.build_db), read_only=True) as con:
        rows = con.execute(
            "select distinct status, revenue_krw_million, spending_krw_million, "
            "difference_krw_million, tolerance_krw_million from audit.audit_revenue_balance"
        ).fetchall()
    # 6.0 against 5.5 조원, each ± half of 0.1 조원
    assert rows == [("MISMATCH", 6_000_000, 5_500_000, 500_000, 100_000)]


def test_the_report_says_how_each_figure_stands_against_the_year_s_record(
    published_build: Build,
) -> None:
    reports = published_build.settings.reports_dir
    dq = json.loads((reports / "dq.json").read_text(encoding="utf-8"))
    against = {
        (row["fiscal_year"], row["source"], row["phase"]): row["against_record"]
        for row in dq["charts"]["history"]
    }
    # 2015: the page's exact figure is the record; 10.3 조원 agrees with it, 10.4 does not, and
    # the committee's proposal (10.1) is of another phase
    kiet = "산업연구원 (KIET) researcher's overview, 국토연구원 (KRIHS) notice"
    assert against[(2015, "000_cad87574ba41ba74.txt", "enacted")] == "RECORD"
    assert against[(2015, kiet, "not stated")] == "MATCH"
    assert against[(2015, "국토연구원 (KRIHS) 국토정책Brief", "not stated")] == "MISMATCH"
    committee = "지역발전위원회 (Regional Development Committee), as reported by 중도일보"
    assert against[(2015, committee, "proposed")] == "NOT_COMPARED"
    assert set(against.values()) == {"RECORD", "MATCH", "MISMATCH", "NOT_COMPARED"}
    korean = (reports / "index.ko.html").read_text(encoding="utf-8")
    assert "그해 기준값과 비교" in korean and "정밀도를 넘어 다름" in korean
    english = (reports / "index.html").read_text(encoding="utf-8")
    assert "against the year's record" in english and "differs beyond precision" in english
