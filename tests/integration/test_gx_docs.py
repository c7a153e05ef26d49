"""The GX Data Docs of real builds, read the way analysts read them: in a browser, offline."""

from __future__ import annotations

from pathlib import Path

from pipelines.cli.refresh import execute_refresh
from tests.browser import browser, korean_font_families
from tests.helpers import replace_in_page
from tests.integration.conftest import Build, LastGood

SUITES = (
    "budget_coverage",
    "budget_line_reconciliation",
    "budget_line_subtotals",
    "budget_reconciliation",
    "plan_structure",
)
RED, GREEN = "rgb(179, 38, 30)", "rgb(29, 122, 58)"


def _visible_icon(locator) -> None:
    """The status icon in ``locator`` is drawn: an SVG with a size on the page."""
    icon = locator.locator("svg.icon")
    assert icon.count() == 1
    box = icon.bounding_box()
    assert box is not None and box["width"] >= 12 and box["height"] >= 12


def test_the_data_docs_of_a_published_build_open_offline_with_every_suite(
    published_build: Build, tmp_path: Path
) -> None:
    reports = published_build.settings.reports_dir
    docs = reports / "gx"
    with browser() as opened:
        page = opened.page
        page.goto((docs / "index.html").as_uri())
        page.screenshot(path=tmp_path / "gx_index.png", full_page=True)
        rows = page.locator("#validations tr.pass, #validations tr.fail")
        assert rows.count() == len(SUITES)
        for number, suite in enumerate(SUITES):
            row = rows.nth(number)
            assert row.locator("a").inner_text() == suite
            assert row.locator(".status").inner_text() == "passed"
            _visible_icon(row.locator(".status"))
            assert row.locator(".status").evaluate("e => getComputedStyle(e).color") == GREEN
        assert page.locator("#suites a", has_text="budget_reconciliation").is_visible()

        page.locator("#validations a", has_text="budget_reconciliation").click()
        page.wait_for_load_state()
        assert page.url == (docs / "validations" / "budget_reconciliation.html").as_uri()
        page.screenshot(path=tmp_path / "gx_validation.png", full_page=True)
        expectations = page.locator("#expectations tr.expectation")
        assert expectations.count() == 3
        for number in range(3):
            _visible_icon(expectations.nth(number).locator(".status"))
        text = page.locator("#expectations").inner_text()
        assert "Every published total and sub-total equals the sum of the leaf amounts" in text
        assert "expect_column_values_to_be_between" in text
        # The description names the units 억원 and 조원: drawn with a font that covers Korean.
        page.locator("#expectations span[lang=ko]").first.evaluate("e => e.id = 'korean'")
        drawn = opened.fonts_drawing("#korean")
        korean_fonts = korean_font_families()
        assert sum(glyphs for family, glyphs in drawn.items() if family in korean_fonts) >= 4

        page.locator("a", has_text="the suite").click()
        page.wait_for_load_state()
        assert page.url == (docs / "suites" / "budget_reconciliation.html").as_uri()
        assert page.locator("#expectations tr").count() == 1 + 3
        page.locator("nav a", has_text="Data quality report").click()
        page.wait_for_load_state()
        assert page.url == (reports / "index.html").as_uri()
        assert opened.external_requests() == []


def test_the_data_docs_of_a_failed_audit_show_the_failure_in_red(
    raw_copy: Path, last_good: LastGood, tmp_path: Path
) -> None:
    # The page's 2018 Total is 9,889,905; make it 9,890,905.
    replace_in_page(raw_copy, "9,462,271 9,889,905 10,748,531", "9,462,271 9,890,905 10,748,531")
    settings = last_good.settings

    outcome = execute_refresh(settings)

    assert not outcome.published
    docs = settings.build_reports_dir / "gx"  # the failed build's, kept for the analyst
    with browser() as opened:
        page = opened.page
        page.goto((docs / "index.html").as_uri())
        page.screenshot(path=tmp_path / "gx_index_failed.png", full_page=True)
        assert "1 of 5 suite(s) failed" in page.locator("#summary").inner_text()
        assert page.locator("#validations tr.pass").count() == 4
        failed = page.locator("#validations tr.fail")
        assert failed.count() == 1
        assert failed.locator("a").inner_text() == "budget_reconciliation"
        status = failed.locator(".status")
        assert status.inner_text() == "failed"
        assert status.evaluate("e => getComputedStyle(e).color") == RED
        _visible_icon(status)
        assert status.locator("svg circle").get_attribute("fill") == "#b3261e"

        failed.locator("a").click()
        page.wait_for_load_state()
        page.screenshot(path=tmp_path / "gx_validation_failed.png", full_page=True)
        (row,) = page.locator("#expectations tr.expectation.fail").all()
        _visible_icon(row.locator(".status"))
        offending = page.locator("#expectations table.rows").inner_text()
        for cell in ("2018", "bnd_special_account", "1,000"):
            assert cell in offending
        assert opened.external_requests() == []
    # The published site is still the last good build's.
    published = (settings.reports_dir / "gx" / "index.html").read_text(encoding="utf-8")
    assert "All 5 suites passed." in published
