"""A refused refresh, as analysts and the orchestrator see it: the failed build's report leads
with the cell that changed, every one of its links opens a file, its GX Data Docs show the
failed suite in red, the published report says the latest refresh was refused, and Dagster says
which build is still live."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg
import pytest

from pipelines.cli.refresh import RunOutcome, execute_refresh
from pipelines.core.checksums import file_sha256
from pipelines.core.settings import Settings
from pipelines.defs.automation import report_failed_build
from pipelines.defs.publish.warehouse import PUBLISHED
from pipelines.defs.resources import WarehouseResource
from pipelines.sources.registry import load_registry
from tests.browser import LAPTOP, RED, browser, visible_icon
from tests.conftest import DATA_RAW
from tests.helpers import replace_in_page
from tests.integration.conftest import Build, copy_of_published
from tests.source_figures import PAGE_FILE, ROWS, YEARS

# One refused refresh for the module's tests, on one worker.
pytestmark = pytest.mark.xdist_group("refused_run")
LINE, AMOUNTS = ROWS["Local Support Account"]
PRINTED = AMOUNTS[YEARS.index(2018)]

# Every link of the page and the address it opens.
LINKS = (
    """() => [...document.querySelectorAll('a[href]')].map(a => [a.getAttribute('href'), a.href])"""
)


def _opens_a_file(page, href: str, url: str, sources: set[str]) -> bool:
    """An anchor of the page, a file on the machine, or where a registered source is published
    (the "Built from" table links each source's ``url``: the one address off the machine)."""
    if href.startswith("#"):
        return page.locator(href).count() == 1
    if href in sources:
        return True
    parsed = urlparse(url)
    return parsed.scheme == "file" and Path(unquote(parsed.path)).is_file()


@dataclass(frozen=True)
class Refused:
    """A refresh refused over a warehouse holding a good published build."""

    settings: Settings
    instance: dg.DagsterInstance
    outcome: RunOutcome
    published_pages: dict[str, str]
    published_sha256: str


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory, published_build: Build) -> Refused:
    """The tester's change: the page's 2018 Local Support figure (line 55) up by 1,000. And an
    acknowledgement whose figure is no longer the one stated (10.4 → 10.5 조원 for 2015): the
    difference warns again, and so does the acknowledgement, below the failure. One refresh of
    it, in this process (its Dagster instance is read), shared by the module's tests."""
    folder = tmp_path_factory.mktemp("refused")
    raw = folder / "data_raw"
    shutil.copytree(DATA_RAW, raw)
    replace_in_page(raw, f"4,728,768 {PRINTED:,}", f"4,728,768 {PRINTED + 1_000:,}")
    acknowledged = raw / "acknowledged_differences.csv"
    text = acknowledged.read_text(encoding="utf-8")
    # two acknowledgements accept 10.4 조원 for 2015 (the KRIHS brief's, then the memo's): the
    # first one's changes
    assert text.count(",10.4 조원,") == 2
    acknowledged.write_text(text.replace(",10.4 조원,", ",10.5 조원,", 1), encoding="utf-8")
    settings = Settings.at(raw, copy_of_published(published_build, folder / "warehouse"))
    published_pages = {
        name: file_sha256(settings.reports_dir / name)
        for name in ("index.html", "index.ko.html", "dq.json")
    }
    published = file_sha256(settings.published_db)
    instance = dg.DagsterInstance.ephemeral()
    outcome = execute_refresh(settings, instance=instance)
    return Refused(settings, instance, outcome, published_pages, published)


def test_a_refused_refresh_leads_with_the_changed_line_and_says_what_is_live(
    refused: Refused, tmp_path: Path
) -> None:
    settings, instance, outcome = refused.settings, refused.instance, refused.outcome
    published_pages = refused.published_pages
    assert not outcome.published
    assert file_sha256(settings.published_db) == refused.published_sha256
    assert sorted(check.name for check in outcome.warnings) == [
        "assert_acknowledged_differences_match",
        "assert_source_comparisons_match",
    ]
    # A run started from the UI gets its report from the run-failure sensor (make run writes
    # the same report itself).
    (failure,) = instance.all_logs(outcome.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    report_failed_build(
        dg.build_run_status_sensor_context(
            sensor_name=report_failed_build.name,
            dagster_event=failure.dagster_event,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(outcome.run_id),
            resources={"warehouse": WarehouseResource.from_settings(settings)},
        ).for_run_failure()
    )

    # Dagster: the published build is unchanged and this run was refused (one observation).
    (record,) = instance.fetch_observations(PUBLISHED, limit=10).records
    observation = record.asset_observation
    published_id = json.loads((settings.reports_dir / "dq.json").read_text())["build"]["build_id"]
    assert observation.description.startswith(
        f"published build {published_id} unchanged; run {outcome.run_id} refused: 2018"
    )
    assert f"line {LINE}" in observation.description
    metadata = {key: value.value for key, value in observation.metadata.items()}
    assert metadata["refused_run_id"] == outcome.run_id
    assert metadata["failed_report"] == str(settings.build_reports_dir / "index.html")

    reports = settings.build_reports_dir
    with browser() as opened:
        page = opened.page
        page.goto((reports / "index.html").as_uri())
        page.screenshot(path=tmp_path / "failed_first_screen.png")
        page.screenshot(path=tmp_path / "failed_report.png", full_page=True)
        # The first blocking failure, with its difference, inside the first screen, naming the
        # line that was changed; no warning before it.
        finding = page.locator("#failures .failure.fail .finding").first
        box = finding.bounding_box()
        assert box is not None and box["y"] + box["height"] <= LAPTOP["height"]
        text = finding.inner_text()
        assert "Local Support Account" in text and f"{PAGE_FILE}, line {LINE}" in text
        for figure in (f"{PRINTED + 1_000:,}", f"{PRINTED:,}", "+1,000"):
            assert figure in text, figure
        difference = page.locator("#failures .difference").first.bounding_box()
        assert difference is not None and difference["y"] + difference["height"] <= 900
        assert page.locator("#failures .failure.warn").count() == 0
        warnings = page.locator("#warnings").bounding_box()
        assert warnings is not None and warnings["y"] > box["y"]
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        sources = {source.url for source in load_registry(settings.data_raw_dir) if source.url}
        for name in ("index.html", "index.ko.html"):
            page.goto((reports / name).as_uri())
            for href, url in page.evaluate(LINKS):
                assert _opens_a_file(page, href, url, sources), (name, href)
        # The Korean page says the same for a Korean reader.
        page.goto((reports / "index.ko.html").as_uri())
        page.screenshot(path=tmp_path / "failed_first_screen_ko.png")
        korean = page.locator("#failures .finding").first.inner_text()
        assert f"{LINE}행" in korean and "지역지원계정" in korean and "차이 +1,000" in korean
        assert "검증 실패" in page.locator(".verdict").inner_text()
    assert opened.external_requests() == []

    # The published report: its pages and data as published, and a note that the latest refresh
    # was refused, linking the refused run's report.
    assert published_pages == {
        name: file_sha256(settings.reports_dir / name) for name in published_pages
    }
    with browser() as opened:
        page = opened.page
        page.goto((settings.reports_dir / "index.html").as_uri())
        page.screenshot(path=tmp_path / "published_after_refusal.png")
        note = page.frame_locator("#latest-refresh").locator("#note")
        assert "The latest refresh was refused." in note.inner_text()
        assert outcome.run_id in note.inner_text() and f"line {LINE}" in note.inner_text()
        link = note.locator("a")
        assert Path(unquote(urlparse(link.evaluate("a => a.href")).path)) == (
            settings.build_reports_dir / "index.html"
        )
        frame = page.locator("#latest-refresh").bounding_box()
        assert frame is not None and frame["y"] + frame["height"] <= LAPTOP["height"]
    assert opened.external_requests() == []


def test_the_data_docs_of_a_failed_audit_show_the_failure_in_red(
    refused: Refused, tmp_path: Path
) -> None:
    settings = refused.settings
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
        visible_icon(status)
        assert status.locator("svg circle").get_attribute("fill") == "#b3261e"

        failed.locator("a").click()
        page.wait_for_load_state()
        page.screenshot(path=tmp_path / "gx_validation_failed.png", full_page=True)
        (row,) = page.locator("#expectations tr.expectation.fail").all()
        visible_icon(row.locator(".status"))
        offending = page.locator("#expectations table.rows").inner_text()
        # The page's 2018 total against its leaves, one of them 1,000 up.
        for cell in ("2018", "bnd_special_account", "1,000"):
            assert cell in offending
        assert opened.external_requests() == []
    # The published site is still the last good build's.
    published = (settings.reports_dir / "gx" / "index.html").read_text(encoding="utf-8")
    assert "All 5 suites passed." in published
