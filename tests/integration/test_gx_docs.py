"""The GX Data Docs of real builds, read the way analysts read them: in a browser, offline.

Those of a failed audit are read in tests/integration/test_refused_run.py, from the refused
refresh that module's tests share."""

from __future__ import annotations

from pathlib import Path

from tests.browser import GREEN, browser, korean_font_families, visible_icon
from tests.integration.conftest import Build

SUITES = (
    "budget_coverage",
    "budget_line_reconciliation",
    "budget_line_subtotals",
    "budget_reconciliation",
    "plan_structure",
)


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
            visible_icon(row.locator(".status"))
            assert row.locator(".status").evaluate("e => getComputedStyle(e).color") == GREEN
        assert page.locator("#suites a", has_text="budget_reconciliation").is_visible()

        page.locator("#validations a", has_text="budget_reconciliation").click()
        page.wait_for_load_state()
        assert page.url == (docs / "validations" / "budget_reconciliation.html").as_uri()
        page.screenshot(path=tmp_path / "gx_validation.png", full_page=True)
        expectations = page.locator("#expectations tr.expectation")
        assert expectations.count() == 3
        for number in range(3):
            visible_icon(expectations.nth(number).locator(".status"))
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
