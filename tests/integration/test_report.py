"""The data-quality report of a real build, read the way analysts read it: in a browser."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from pipelines.core.settings import EXPECTATIONS_DIR
from tests.browser import LAPTOP, browser, korean_font_families
from tests.conftest import DATA_RAW
from tests.integration.conftest import Build
from tests.source_figures import (
    GURI_BOOK,
    HISTORY_FILE,
    PAGE_FILE,
    PAGE_SHA256,
    TOTALS,
    YEARS,
)


@pytest.fixture(scope="module")
def dq(published_build: Build) -> dict:
    return json.loads((published_build.settings.reports_dir / "dq.json").read_text("utf-8"))


def test_dq_json_follows_its_schema_and_holds_every_check(dq: dict) -> None:
    schema = json.loads((EXPECTATIONS_DIR / "dq.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(dq, schema)
    assert dq["status"] == "published"
    # Each raw file with its provenance as data_raw/sources.yml registers it (no address, no
    # date: the page's text states neither; the local book's address is the city's board, its
    # sha256 that of the copy the research note read, docs/research/local_budget_books.md).
    assert dq["build"]["raw_files"] == [
        {
            "file": PAGE_FILE,
            "sha256": PAGE_SHA256,
            "size_bytes": 5833,
            "title": "Balanced National Development, Projects and Budget",
            "publisher": "not stated on the page; the budget table cites the Ministry of "
            "Economy and Finance",
            "publication_date": None,
            "url": None,
            "licence": "not stated on the page",
        },
        {
            "file": HISTORY_FILE,
            "sha256": hashlib.sha256((DATA_RAW / HISTORY_FILE).read_bytes()).hexdigest(),
            "size_bytes": (DATA_RAW / HISTORY_FILE).stat().st_size,
            "title": "Figures public documents state about the special account, 2005-2025",
            "publisher": "several (each row names who stated it, when, where and at which place)",
            "publication_date": None,
            "url": None,
            "licence": None,
        },
        {
            "file": GURI_BOOK,
            "sha256": "21e98c6f80a3032ced332c3d94b273729f44258294772e114f19f64e3db96a70",
            "size_bytes": 171198,
            "title": "2025년도 제3회 일반 및 기타특별회계 추가경정 예산서 (경기도 구리시), "
            "세출 검색용 XLSX",
            "publisher": "경기도 구리시",
            "publication_date": None,
            "url": "https://www.guri.go.kr/www/selectBbsNttView.do?bbsNo=10&key=324&nttNo=130854",
            "licence": None,
        },
    ]
    sources = {check["source"] for check in dq["checks"]}
    assert sources == {"dbt", "gx"}
    assert dq["summary"]["failed"] == 0
    # No warning: the three published figures outside the page's ± their precision (10.4 조원
    # for 2015 twice, the Jeju account's 3395억 for 2019 on a revenue basis) are acknowledged
    # differences (data_raw/acknowledged_differences.csv).
    assert (dq["summary"]["passed"], dq["summary"]["warned"]) == (len(dq["checks"]), 0)
    assert dq["acknowledged"] == 3
    # The dbt tests in plain words, e.g. a grain test (the fact table's grain is its primary key,
    # enforced while dbt builds it: tests/integration/test_mart_constraints.py).
    descriptions = {check["description"] for check in dq["checks"]}
    assert (
        "fct_special_account_by_formulator has exactly one row per fiscal_year, formulated_by, "
        "phase, source_file"
    ) in descriptions
    assert (
        "every dim_account.parent_account_code exists in dim_account.account_code" in descriptions
    )


def test_the_reconciliation_in_the_report_is_the_page_s_totals(dq: dict) -> None:
    totals = {
        row["fiscal_year"]: row
        for row in dq["reconciliation"]
        if row["account_code"] == "bnd_special_account"
    }
    assert sorted(totals) == list(YEARS)
    for year, printed in zip(YEARS, TOTALS["bnd_special_account"], strict=True):
        row = totals[year]
        assert (row["expected_krw_million"], row["actual_krw_million"]) == (printed, printed)
        assert (row["difference_krw_million"], row["status"]) == (0, "EXACT")


def test_the_report_renders_in_a_browser_without_any_request(published_build: Build) -> None:
    reports = published_build.settings.reports_dir
    with browser() as opened:
        page = opened.page
        page.goto((reports / "index.html").as_uri())
        assert page.locator("#summary").is_visible()
        assert "Published." in page.locator("#summary").inner_text()
        table = page.locator("#reconciliation-table")
        assert table.is_visible()
        assert "10,338,940" in table.inner_text()  # the page's 2015 Total
        for chart in ("#chart-by-account", "#chart-formulator"):
            assert page.locator(chart).is_visible()
            box = page.locator(chart).bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 200
            assert page.locator(f"{chart} rect").count() > 10  # bars, not an empty frame
        # Nothing runs off a laptop's window.
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert opened.external_requests() == []
    assert opened.requests[0] == (reports / "index.html").as_uri()


def test_korean_text_in_the_report_is_drawn_with_a_korean_font(
    published_build: Build, tmp_path: Path
) -> None:
    html = (published_build.settings.reports_dir / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and 'content="en, ko"' in html
    assert '"Noto Sans CJK KR", "NanumGothic", "Apple SD Gothic Neo", "Malgun Gothic"' in html
    korean_fonts = korean_font_families()
    assert korean_fonts, "no font covering Korean is installed (make test installs fonts-nanum)"
    with browser() as opened:
        page = opened.page
        page.goto((published_build.settings.reports_dir / "index.html").as_uri())
        page.locator("#all-checks summary").click()
        # The description of the reconciliation check names the units 억원 and 조원.
        label = page.locator("#all-checks td", has_text="억원 or 조원").first
        label.evaluate("cell => cell.id = 'korean-label'")
        label.screenshot(path=tmp_path / "korean_label.png")
        drawn = opened.fonts_drawing("#korean-label")
    # Chromium's own account of the fonts it drew the cell with: the four Hangul syllables
    # (억원, 조원) came from a font that covers Korean, not from a box of a Latin font.
    assert sum(glyphs for family, glyphs in drawn.items() if family in korean_fonts) >= 4, drawn


def test_the_run_printed_one_line_per_step(published_build: Build) -> None:
    lines = published_build.stdout.splitlines()
    steps = [line.split()[0] for line in lines if line.startswith("  ") and line.endswith(" s")]
    assert steps == [
        *("startup", "inputs", "imports"),  # Python, inputs compared, Dagster's modules
        *("prepare", "load"),  # dbt's manifest, the definitions
        *("ingest", "ingest", "ingest"),  # budget tables, budget lines, plan documents
        *("transform", "audit", "audit"),  # dbt build, GX suites, the budget lines' GX suites
        *("publish", "exports", "report", "dagster", "docs"),  # ... Dagster's own work in the run
    ]
    assert any("full log:" in line for line in lines)
    report = f"report:    {published_build.settings.reports_dir / 'index.html'} (and dq.json)"
    assert report in lines
    assert "the lines above account for" in lines[-1]


# Every text of a chart inside its viewBox: Chromium's own box of each drawn text (rotated ones
# included) against the box the SVG's viewBox is drawn in.
TEXTS_OUTSIDE_VIEWBOX = """svg => {
    const frame = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].map(text => {
        const b = text.getBoundingClientRect();
        return {text: text.textContent, left: b.left - frame.left, top: b.top - frame.top,
                right: frame.right - b.right, bottom: frame.bottom - b.bottom};
    }).filter(b => Math.min(b.left, b.top, b.right, b.bottom) < -0.5);
}"""


def test_the_first_screen_shows_the_verdict_and_the_figures(published_build: Build,
                                                            tmp_path: Path) -> None:  # fmt: skip
    with browser() as opened:
        page = opened.page
        page.goto((published_build.settings.reports_dir / "index.html").as_uri())
        page.screenshot(path=tmp_path / "published_first_screen.png")
        verdict = page.locator(".verdict.published").bounding_box()
        figures = page.locator("#figures h2").bounding_box()
        chart = page.locator("#chart-by-account").bounding_box()
        assert verdict is not None and verdict["y"] + verdict["height"] < LAPTOP["height"] / 3
        assert figures is not None and chart is not None
        assert figures["y"] < chart["y"] < LAPTOP["height"] * 0.6  # the figures start on screen
        assert "Published." in page.locator(".verdict.published").inner_text()
        # The note on the latest refresh, under the verdict: nothing refused since.
        note = page.frame_locator("#latest-refresh").locator("#note")
        assert "No refresh has been refused since" in note.inner_text()
    assert opened.external_requests() == []


def test_the_korean_page_is_linked_both_ways_and_names_accounts_in_korean(
    published_build: Build, tmp_path: Path
) -> None:
    reports = published_build.settings.reports_dir
    with browser() as opened:
        page = opened.page
        page.goto((reports / "index.html").as_uri())
        page.get_by_role("link", name="한국어").click()
        assert page.url == (reports / "index.ko.html").as_uri()
        page.screenshot(path=tmp_path / "korean_first_screen.png")
        assert page.locator("html").get_attribute("lang") == "ko"
        assert "검증 통과" in page.locator(".verdict").inner_text()
        legend = page.locator("#chart-by-account").text_content() or ""
        for name in ("지역지원계정", "지역자율계정", "세종특별자치시계정", "제주특별자치도계정"):
            assert name in legend
        table = page.locator("#reconciliation-table").inner_text()
        assert "국가균형발전특별회계" in table and "bnd_special_account" not in table
        assert "일치" in table and "EXACT" not in table
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        page.get_by_role("link", name="English").click()
        assert page.url == (reports / "index.html").as_uri()
    assert opened.external_requests() == []


def test_no_chart_text_is_cut_and_the_history_axis_ends_at_the_last_year(
    published_build: Build, dq: dict, tmp_path: Path
) -> None:
    last_year = max(row["fiscal_year"] for row in dq["charts"]["history"])
    for page_name in ("index.html", "index.ko.html"):
        with browser() as opened:
            page = opened.page
            page.goto((published_build.settings.reports_dir / page_name).as_uri())
            for chart in ("#chart-by-account", "#chart-history", "#chart-formulator"):
                svg = page.locator(chart)
                assert svg.evaluate(TEXTS_OUTSIDE_VIEWBOX) == [], (page_name, chart)
            history = page.locator("#chart-history")
            history.screenshot(path=tmp_path / f"history_{page_name}.png")
            ticks = [int(text) for text in history.locator("text.tick").all_text_contents()
                     if text.isdigit() and len(text) == 4]  # fmt: skip
            assert max(ticks) == last_year == 2023
            for era in ("균특 2005–2009", "광특 2010–2014", "지특 2015–2018", "균특 2019–"):
                assert history.locator("text.era-label", has_text=era).count() == 1, era
            # One colour per kind of source, not per series.
            colours = history.evaluate(
                "svg => [...new Set([...svg.querySelectorAll('circle.point')]"
                ".map(c => c.getAttribute('stroke')))]"
            )
            kinds = {row["source_kind"] for row in dq["charts"]["history"]}
            assert len(colours) == len(kinds)
