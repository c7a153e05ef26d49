"""The special account's history in the published warehouse: every source's figures by year,
under the account's name that year, compared with the page's table where a year has one.

The oracle is the page (``tests.source_figures``) and the published figures as the registry's
control-totals file states them (amount and unit as printed, typed here again by hand)."""

from __future__ import annotations

import duckdb
import pytest

from tests.browser import browser
from tests.integration.conftest import Build
from tests.source_figures import PAGE_FILE, TOTALS, YEARS

HISTORY = "account_history_control_totals.csv"


@pytest.fixture(scope="module")
def history(published_build: Build) -> list[tuple]:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        return con.execute(
            "select fiscal_year, account_name_that_year, phase, source_kind, source_name, "
            "amount_krw_million, precision_krw_million from marts.fct_special_account_history "
            "where account_code = 'bnd_special_account' order by all"
        ).fetchall()


def test_the_history_holds_the_page_and_every_stated_total_under_its_name(
    history: list[tuple],
) -> None:
    page = {row[0]: row[5] for row in history if row[3] == "summary table"}
    assert page == dict(zip(YEARS, TOTALS["bnd_special_account"], strict=True))
    stated = {(row[0], row[5]) for row in history if row[3] == "control total"}
    # 5.5 조원 (2005), 6.8 조원 and 6조 7,928억 (2007), 10.3 and 10.4 조원 (2015), in KRW million
    assert {(2005, 5_500_000), (2007, 6_800_000), (2015, 10_300_000), (2015, 10_400_000),
            (2007, 6_792_800)} <= stated  # fmt: skip
    names = {row[0]: row[1] for row in history}
    assert (names[2005], names[2012], names[2016], names[2020]) == (
        "국가균형발전특별회계",
        "광역·지역발전특별회계",
        "지역발전특별회계",
        "국가균형발전특별회계",
    )
    # Precision as printed: half of 0.1 조원 is 50,000 KRW million; the page's Total is printed
    # to the KRW million, so 0.5 (as in fct_budget_reported_total), not its five leaves' 2.5.
    precisions = {(row[3], row[5]): row[6] for row in history}
    assert precisions[("control total", 10_300_000)] == 50_000
    assert precisions[("summary table", TOTALS["bnd_special_account"][0])] == 0.5
    # A figure whose source states no phase says so.
    assert {row[2] for row in history if row[4].startswith("KRIHS")} == {"not stated"}


def test_sources_agree_within_precision_or_are_shown_apart(published_build: Build) -> None:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        compared = con.execute(
            "select fiscal_year, other_amount_krw_million, status "
            "from audit.audit_source_comparison where other_source = ? "
            "and status <> 'NOT_COMPARED' order by all",
            [HISTORY],
        ).fetchall()
    # The page prints 10,338,940 for 2015: 10.3 조원 agrees within ± 0.05, 10.4 does not (a
    # difference reviewed and accepted in data_raw/acknowledged_differences.csv).
    assert (2015, 10_300_000, "WITHIN_TOLERANCE") in compared
    assert (2015, 10_400_000, "ACKNOWLEDGED") in compared
    # 9,232,811 for 2020: 9.2 조원 and 9조 2,328억 both agree.
    assert (2020, 9_200_000, "WITHIN_TOLERANCE") in compared
    assert (2020, 9_232_800, "WITHIN_TOLERANCE") in compared


def test_the_report_charts_every_figure_of_every_source(
    published_build: Build, history: list[tuple]
) -> None:
    with browser() as opened:
        page = opened.page
        page.goto((published_build.settings.reports_dir / "index.html").as_uri())
        chart = page.locator("#chart-history")
        assert chart.is_visible()
        assert chart.locator("circle.point").count() == len(history)
        legend = chart.text_content() or ""
        assert f"summary table: {PAGE_FILE} (enacted)" in legend
        assert "control total: KRIHS 국토정책Brief, 2017-06-12 (not stated)" in legend
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert opened.external_requests() == []


def test_every_year_says_which_grains_and_sources_it_holds(published_build: Build) -> None:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        coverage = con.execute(
            "select fiscal_year, list(distinct grain order by grain) from marts.fct_year_coverage "
            "group by 1 order by 1"
        ).fetchall()
    grains = dict(coverage)
    assert sorted(grains) == list(range(2005, 2027))
    assert grains[2005] == ["control total"]
    assert grains[2006] == ["none"]  # no loaded source gives a figure for 2006
    assert grains[2016] == ["summary table"]
    assert grains[2015] == ["control total", "summary table"]
