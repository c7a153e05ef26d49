"""A build that fails its checks is never published, and the last good warehouse stays as it was."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from pipelines.cli.refresh import execute_refresh
from pipelines.core.checksums import file_sha256
from pipelines.core.settings import Settings
from pipelines.lifecycle.run_lock import release_run_lock
from tests.browser import LAPTOP, browser
from tests.helpers import replace_in_page, replace_in_registry
from tests.integration.conftest import LastGood, run_cli
from tests.source_figures import PAGE_FILE, PROJECT_AREAS, ROWS, YEARS


def test_a_total_off_by_1000_fails_the_run_naming_2018(
    raw_copy: Path, last_good: LastGood, tmp_path: Path
) -> None:
    # The page's 2018 Total is 9,889,905; make it 9,890,905.
    replace_in_page(raw_copy, "9,462,271 9,889,905 10,748,531", "9,462,271 9,890,905 10,748,531")
    settings, before = last_good.settings, last_good.published_sha256
    published_report = file_sha256(settings.reports_dir / "index.html")

    completed = run_cli("run", settings)

    assert completed.returncode != 0
    out = completed.stdout
    assert "FAILED check gx_budget_reconciliation" in out
    # Both sides (the Total's line and the file whose leaves were added up), both figures, the
    # ratio actual ÷ expected and the status.
    line, totals = ROWS["Total"]
    printed, summed = 9_890_905, totals[YEARS.index(2018)]
    assert (
        f"MISMATCH 2018 bnd_special_account total enacted: expected {printed:,} "
        f"({PAGE_FILE}:{line} [2018]) vs actual {summed:,} (sum of 5 figures of {PAGE_FILE}) "
        f"KRW million, ratio {summed / printed:.6g} (actual ÷ expected), "
        f"difference {summed - printed:,} (tolerance 0)"
    ) in out
    assert f"NOT published: {settings.published_db} unchanged (sha256 {before})" in out
    assert last_good.published_unchanged()
    # The failed build keeps its own report for the analyst; the published one is untouched.
    assert (settings.build_reports_dir / "gx" / "index.html").is_file()
    assert file_sha256(settings.reports_dir / "index.html") == published_report
    assert f"report of the failed build: {settings.build_reports_dir / 'index.html'}" in out
    report = (settings.build_reports_dir / "index.html").read_text(encoding="utf-8")
    assert "Not published." in report
    failure = report[report.index('id="failures"') : report.index('id="reconciliation"')]
    (row,) = [row for row in re.findall(r"<tr>.*?</tr>", failure, re.S) if ">2018<" in row]
    for cell in ("bnd_special_account", "9,890,905", "9,889,905", "-1,000", ">total<"):
        assert cell in row
    assert ">MISMATCH<" in row and f">{summed / printed:.6g}<" in row
    dq = json.loads((settings.build_reports_dir / "dq.json").read_text(encoding="utf-8"))
    assert dq["status"] == "failed"
    (failed,) = [check for check in dq["checks"] if check["status"] == "fail"]
    (offending,) = failed["offending_rows"]
    assert (offending["fiscal_year"], offending["difference_krw_million"]) == (2018, -1000)
    assert (offending["status"], offending["ratio"]) == ("MISMATCH", round(summed / printed, 6))
    # The same count of checks on the page, in dq.json and on the run's summary line.
    count = dq["summary"]["checks"]
    # (no warning: data_raw/'s three known differences are acknowledged, and said so)
    assert (
        f"{count} checks: {count - 1} passed, 0 warnings, 1 failed; 3 differences acknowledged"
        in out
    )
    assert f"<b>{count}</b>checks" in report
    _the_difference_is_seen_first_in_a_laptop_window(settings.build_reports_dir, tmp_path)


def _the_difference_is_seen_first_in_a_laptop_window(reports: Path, tmp_path: Path) -> None:
    """The offending row under plain headers, difference and expected/actual first, within
    1,280 px (the page does not scroll sideways)."""
    with browser() as opened:
        page = opened.page
        page.goto((reports / "index.html").as_uri())
        table = page.locator("#failures .failure.fail table.rows").first
        table.scroll_into_view_if_needed()
        page.screenshot(path=tmp_path / "failed_build_report.png", full_page=True)
        headers = table.locator("th").all_inner_texts()
        assert headers[:3] == ["difference", "expected (printed)", "actual (sum of parts)"]
        assert "year" in headers and "account" in headers
        assert not [header for header in headers if "_" in header]  # no snake_case column
        difference = table.locator("td").first
        assert difference.inner_text() == "-1,000"
        box = difference.bounding_box()
        assert box is not None and box["x"] + box["width"] <= LAPTOP["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert opened.external_requests() == []


def test_an_unknown_label_stops_the_run_at_ingest(raw_copy: Path, last_good: LastGood) -> None:
    replace_in_page(raw_copy, "By Cities and Provinces", "By Towns and Provinces")
    settings = last_good.settings

    outcome = execute_refresh(settings)

    assert not outcome.published
    ((step, message),) = outcome.step_failures
    assert step == "raw_budget_pages"
    assert f"{raw_copy / PAGE_FILE}, line 57" in message and "By Towns and Provinces" in message
    assert last_good.published_unchanged()


def test_a_missing_row_fails_coverage_naming_account_and_years(
    raw_copy: Path, last_good: LastGood
) -> None:
    page = raw_copy / PAGE_FILE
    lines = page.read_text(encoding="utf-8").split("\n")
    assert lines[58].startswith("Sejong")  # line 59 of the file
    page.write_text("\n".join(lines[:58] + lines[59:]), encoding="utf-8")
    settings = last_good.settings

    outcome = execute_refresh(settings)

    assert not outcome.published
    failed = {check.name: check for check in outcome.failed_checks}
    assert set(failed) == {"gx_budget_coverage", "gx_budget_reconciliation"}
    missing = {
        (row["fiscal_year"], row["account_code"])
        for row in failed["gx_budget_coverage"].offending_rows
    }
    assert missing == {(year, "sejong") for year in range(2015, 2021)}
    assert last_good.published_unchanged()
    shutil.rmtree(settings.build_dir)


def test_a_missing_total_row_is_named_and_its_build_cannot_be_published_alone(
    raw_copy: Path, last_good: LastGood
) -> None:
    import dagster as dg

    from pipelines.defs.publish.warehouse import build_published_warehouse
    from pipelines.defs.resources import WarehouseResource
    from pipelines.defs.transform.assets import build_dbt_models

    total = "Total 10,338,940 9,973,926 9,462,271 9,889,905 10,748,531 9,232,811\n"
    replace_in_page(raw_copy, total, "")
    settings = last_good.settings

    outcome = execute_refresh(settings)

    assert not outcome.published
    ((step, message),) = outcome.step_failures
    assert step == "raw_budget_pages"
    assert f"{raw_copy / PAGE_FILE}, lines 53–59: expected a Total row" in message

    # Materializing the publish step on its own (as a person could in the UI) is refused too.
    result = dg.materialize(
        [build_published_warehouse(build_dbt_models())],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert "PublishRefusedError" in str(failure.event_specific_data.error.to_string())
    assert last_good.published_unchanged()


def test_dbt_models_built_without_their_tests_do_not_vouch_for_the_build(
    raw_copy: Path, tmp_path: Path
) -> None:
    import dagster as dg

    from pipelines.defs.ingest.budget_tables import raw_budget_pages
    from pipelines.defs.ingest.plan_documents import raw_plan_documents
    from pipelines.defs.resources import WarehouseResource
    from pipelines.defs.transform.assets import build_dbt_models
    from pipelines.defs.transform.project import dbt_build_resource
    from pipelines.lifecycle import build_record

    settings = Settings.at(raw_copy, tmp_path / "warehouse")
    result = dg.materialize(
        [raw_budget_pages, raw_plan_documents, build_dbt_models()],
        selection=dg.AssetSelection.all().without_checks(),
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": dbt_build_resource(),
        },
    )
    release_run_lock(settings)  # held by this process since ingest; a run's end releases it
    assert result.success
    assert build_record.read(settings)["passed"] == ["ingest"]


def test_a_page_missing_a_project_area_fails_naming_the_count_and_publishes_nothing(
    raw_copy: Path, last_good: LastGood
) -> None:
    replace_in_page(raw_copy, f"  • {PROJECT_AREAS[3]}\n", "")
    settings, before = last_good.settings, last_good.published_sha256

    completed = run_cli("run", settings)

    assert completed.returncode != 0
    out = completed.stdout
    assert (
        "FAILED step raw_plan_documents: pipelines.core.errors.SourceError: "
        f"{raw_copy / PAGE_FILE}, lines 28–37: expected 11 project areas as declared in"
    ) in out
    assert "found 10 in the page's list" in out
    assert f"NOT published: {settings.published_db} unchanged (sha256 {before})" in out
    assert last_good.published_unchanged()


def test_a_budget_line_no_method_funds_fails_the_plan_structure_suite(
    raw_copy: Path, last_good: LastGood
) -> None:
    # The government agencies' row leaves the Local Support Account without a method; numbering
    # and the registry's count stay consistent, so only the audit can notice.
    method = "Projects Formulated by Government Agencies"
    replace_in_page(
        raw_copy,
        f"Agencies - ⑥ {method} ⑦ {method} ⑧ {method}",
        f"Agencies - - ⑥ {method} ⑦ {method}",
    )
    replace_in_registry(raw_copy, "count: 8", "count: 7")
    settings = last_good.settings

    outcome = execute_refresh(settings)

    assert not outcome.published
    (check,) = outcome.failed_checks
    assert check.name == "gx_plan_structure"
    assert check.failed_expectations == [
        "Every account x level of fct_budget is funded by at least one formulation method."
    ]
    (row,) = check.offending_rows
    assert (row["check_code"], row["subject"]) == (
        "budget_line_method",
        "local_support account_whole",
    )
    assert row["finding"] == "local_support × account_whole is funded by no formulation method"
    assert last_good.published_unchanged()
