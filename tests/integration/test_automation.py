"""Sensor, schedule and freshness check, evaluated with Dagster's own testing utilities."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.core.settings import Settings
from pipelines.defs.automation import (
    DEFAULT_REFRESH_CRON,
    REFRESH_JOB_NAME,
    build_refresh_schedule,
    check_freshness,
    data_raw_changes,
    refresh_cron,
    report_failed_build,
)
from pipelines.defs.resources import WarehouseResource
from tests.helpers import replace_in_page
from tests.integration.conftest import Build


def tick(settings: Settings, cursor: str | None) -> tuple[list[dg.RunRequest], str | None]:
    """One evaluation of the sensor: the runs it asks for and the cursor it leaves."""
    context = dg.build_sensor_context(
        cursor=cursor, resources={"warehouse": WarehouseResource.from_settings(settings)}
    )
    data = data_raw_changes.evaluate_tick(context)
    return list(data.run_requests or []), data.cursor


def fingerprint_of(cursor: str | None) -> str:
    """The content fingerprint in the sensor's cursor (which also keeps each file's state)."""
    return json.loads(cursor or "{}")["fingerprint"]


def test_the_sensor_asks_one_run_per_change_of_data_raw(raw_copy: Path, tmp_path: Path) -> None:
    settings = Settings.at(raw_copy, tmp_path / "warehouse")  # nothing published yet

    first, cursor = tick(settings, None)
    assert len(first) == 1 and first[0].job_name in (None, REFRESH_JOB_NAME)
    assert tick(settings, cursor) == ([], cursor)  # unchanged: no run
    assert tick(settings, cursor) == ([], cursor)

    # Touching a file without changing a byte is no change (content, not modification time).
    page = next(raw_copy.glob("*.txt"))
    page.touch()
    assert tick(settings, cursor)[0] == []

    replace_in_page(raw_copy, "Reference : ", "Reference: ")
    changed, cursor_2 = tick(settings, cursor)
    assert len(changed) == 1 and cursor_2 != cursor
    assert changed[0].run_key != first[0].run_key
    assert tick(settings, cursor_2)[0] == []

    # Reverting the change is a change again: one more run, under a new run key.
    replace_in_page(raw_copy, "Reference: ", "Reference : ")
    reverted, cursor_3 = tick(settings, cursor_2)
    assert len(reverted) == 1 and fingerprint_of(cursor_3) == fingerprint_of(cursor)
    assert reverted[0].run_key not in (first[0].run_key, changed[0].run_key)
    replace_in_page(raw_copy, "Reference : ", "Reference: ")
    assert len(tick(settings, cursor_3)[0]) == 1

    (raw_copy / "README.md").write_text("notes only")  # documentation is not input
    assert tick(settings, cursor_2)[0] == []
    (raw_copy / "new_source.csv").write_text("a new file")
    assert len(tick(settings, cursor_2)[0]) == 1


def test_with_no_cursor_the_sensor_trusts_an_up_to_date_published_warehouse(
    published_build: Build, raw_copy: Path, warehouse_with_published: Path
) -> None:
    settings = Settings.at(raw_copy, warehouse_with_published)
    requests, cursor = tick(settings, None)
    assert requests == [] and cursor is not None


def test_the_schedule_is_monthly_by_default_and_configurable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BND_REFRESH_CRON", raising=False)
    assert refresh_cron() == DEFAULT_REFRESH_CRON == "0 6 1 * *"
    monkeypatch.setenv("BND_REFRESH_CRON", "30 2 * * 1")
    schedule = build_refresh_schedule(refresh_cron())
    assert schedule.cron_schedule == "30 2 * * 1"
    assert schedule.job_name == REFRESH_JOB_NAME
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert isinstance(request, dg.RunRequest)


def _freshness(settings: Settings) -> dg.AssetCheckEvaluation:
    """Run the job ``freshness_schedule`` runs, from the project's definitions."""
    from pipelines.definitions import build_definitions

    job = build_definitions(settings).resolve_job_def(check_freshness.name)
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "published_warehouse_is_fresh"
    return evaluation


def test_freshness_warns_about_an_old_published_warehouse(
    published_build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.at(published_build.settings.data_raw_dir, tmp_path / "warehouse")
    settings.warehouse_dir.mkdir()
    shutil.copy2(published_build.settings.published_db, settings.published_db)
    monkeypatch.delenv("BND_MAX_AGE_DAYS", raising=False)
    assert _freshness(settings).passed

    with duckdb.connect(str(settings.published_db)) as con:  # as if published in January
        con.execute("update marts.meta_build set finished_at_utc = '2026-01-05 06:00:00'")
    evaluation = _freshness(settings)
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "limit 35 days" in evaluation.description
    monkeypatch.setenv("BND_MAX_AGE_DAYS", "400")
    assert _freshness(settings).passed


def test_a_run_failing_outside_make_run_still_writes_its_report(
    raw_copy: Path, warehouse_with_published: Path
) -> None:
    from pipelines.cli.refresh import execute_refresh

    replace_in_page(raw_copy, "By Cities and Provinces", "By Towns and Provinces")
    settings = Settings.at(raw_copy, warehouse_with_published)
    published_report = (settings.reports_dir / "index.html").read_bytes()
    instance = dg.DagsterInstance.ephemeral()
    outcome = execute_refresh(settings, instance=instance)
    assert not outcome.published
    assert not (settings.build_reports_dir / "index.html").exists()  # nobody wrote one yet

    run = instance.get_run_by_id(outcome.run_id)
    (failure,) = instance.all_logs(outcome.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name=report_failed_build.name,
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"warehouse": WarehouseResource.from_settings(settings)},
    ).for_run_failure()
    report_failed_build(context)

    report = (settings.build_reports_dir / "index.html").read_text(encoding="utf-8")
    assert "Not published." in report
    assert "raw_budget_pages" in report and "By Towns and Provinces" in report
    assert (settings.reports_dir / "index.html").read_bytes() == published_report


def test_a_change_of_budget_lines_only_reprocesses_those_fiscal_years(
    raw_copy: Path, tmp_path: Path
) -> None:
    from pipelines.defs.automation import FISCAL_YEARS_JOB_NAME
    from pipelines.defs.partitions import fiscal_years

    settings = Settings.at(raw_copy, tmp_path / "warehouse")
    year_2026 = raw_copy / "budget_lines" / "2026"
    year_2026.mkdir(parents=True)
    (year_2026 / "lines.csv").write_text("fiscal_year\n2026\n", encoding="utf-8")
    settings.warehouse_dir.mkdir()
    settings.published_db.write_bytes(b"")  # something is published (the sensor reads nothing)
    _, cursor = tick(settings, None)

    (year_2026 / "lines.csv").write_text("fiscal_year\n2026\n2026\n", encoding="utf-8")
    (raw_copy / "budget_lines" / "2027").mkdir()
    (raw_copy / "budget_lines" / "2027" / "lines.csv").write_text("x", encoding="utf-8")
    (request,), cursor = tick(settings, cursor)
    assert request.job_name == FISCAL_YEARS_JOB_NAME
    assert request.tags["dagster/asset_partition_range_start"] == "2026"
    assert request.tags["dagster/asset_partition_range_end"] == "2027"

    replace_in_page(raw_copy, "Reference : ", "Reference: ")  # anything else: a full refresh
    (request,), _ = tick(settings, cursor)
    assert request.job_name == REFRESH_JOB_NAME
    keys = fiscal_years.get_partition_keys()
    assert request.tags["dagster/asset_partition_range_start"] == keys[0]
    assert request.tags["dagster/asset_partition_range_end"] == keys[-1]
