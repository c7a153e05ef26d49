"""Refreshes that happen by themselves: the job, a sensor on ``data_raw/``, a schedule, freshness.

- ``refresh_warehouse``: ingest, build, audit, publish (everything, every fiscal year).
- ``refresh_fiscal_years``: the budget lines of some fiscal years only, on a copy of the published
  warehouse (partitioned by fiscal year).
- ``data_raw_changes`` (sensor, every 30 s while ``make dev`` or a Dagster daemon runs): requests
  one refresh per new content of ``data_raw/`` (content hashes, not modification times).
- ``refresh_schedule``: a refresh on a cron schedule, monthly by default (``BND_REFRESH_CRON``).
- ``published_warehouse_is_fresh`` (asset check on the published warehouse, run daily by
  ``freshness_schedule`` and after every refresh): warns when the published build is older than
  ``BND_MAX_AGE_DAYS`` days.
- ``report_failed_build`` (run-failure sensor): writes the data-quality report of a failed build
  started from the UI, a sensor or the schedule (``make run`` writes its own), notes the refusal
  beside the published report and reports an observation of ``warehouse/bnd`` saying that the
  published build is unchanged and which run was refused.
"""

import json
import os
from datetime import UTC, datetime, timedelta

import dagster as dg

from pipelines.checks.check_report import root_cause
from pipelines.defs.ingest.budget_lines import raw_budget_lines
from pipelines.defs.partitions import all_fiscal_years_tags, fiscal_years, fiscal_years_range_tags
from pipelines.defs.publish.warehouse import PUBLISHED, observe_refused_run
from pipelines.defs.resources import WarehouseResource
from pipelines.lifecycle.build import write_failed_build_report
from pipelines.lifecycle.build_meta import read_meta_build
from pipelines.lifecycle.run_inputs import (
    FileStates,
    changed_fiscal_years,
    fingerprint,
    is_published,
    published_source_hashes,
    raw_file_states,
)

REFRESH_JOB_NAME = "refresh_warehouse"
FISCAL_YEARS_JOB_NAME = "refresh_fiscal_years"
DEFAULT_REFRESH_CRON = "0 6 1 * *"  # 06:00 on the 1st of every month
DEFAULT_MAX_AGE_DAYS = 35  # a monthly refresh, plus a few days' grace
TIMEZONE = "Asia/Seoul"

# .dagster/dagster.yaml lets one run with this tag go at a time; the others queue.
REFRESH_TAGS = {"bnd/refresh": "warehouse"}

refresh_warehouse = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description=(
        "Full refresh: ingest data_raw/ (every fiscal year of budget lines), build with dbt, "
        "audit with dbt tests and GX, publish if clean. Launch it over all fiscal years."
    ),
    tags=REFRESH_TAGS,
)

refresh_fiscal_years = dg.define_asset_job(
    name=FISCAL_YEARS_JOB_NAME,
    selection=dg.AssetSelection.assets(raw_budget_lines).downstream(),
    partitions_def=fiscal_years,
    description=(
        "Reprocess the budget lines of some fiscal years (a partition or a range) on a copy of the "
        "published warehouse: their models, tests and GX suites; publish if clean."
    ),
    tags=REFRESH_TAGS,
)


def full_refresh_request(run_key: str | None, tags: dict[str, str]) -> dg.RunRequest:
    """A run of ``refresh_warehouse`` over every fiscal year."""
    return dg.RunRequest(
        run_key=run_key, job_name=REFRESH_JOB_NAME, tags={**tags, **all_fiscal_years_tags()}
    )


@dg.sensor(
    jobs=[refresh_warehouse, refresh_fiscal_years],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def data_raw_changes(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    """One refresh per new content of ``data_raw/`` (added, changed or removed files).

    When only budget-line files changed, the refresh reprocesses those fiscal years
    (``refresh_fiscal_years``); any other change asks for a full refresh. The cursor holds the
    hashes of the files last asked for. With no cursor yet, the published warehouse says what it
    was built from: if that is what ``data_raw/`` holds, nothing is asked.
    """
    settings = warehouse.settings
    previous_fingerprint, previous_states = _read_cursor(context.cursor)
    states = raw_file_states(settings.data_raw_dir, known=previous_states)
    hashes = {name: state[0] for name, state in states.items()}
    previous_hashes = (
        {name: state[0] for name, state in previous_states.items()} if previous_states else None
    )
    current = fingerprint(hashes)
    if previous_fingerprint == current:
        if states != previous_states:  # touched or copied, same content: remember the new times
            context.update_cursor(_cursor(current, states))
        return dg.SkipReason(f"data_raw/ unchanged ({len(hashes)} files, {current[:12]})")
    if context.cursor is None and is_published(
        hashes, published_source_hashes(settings.published_db)
    ):
        context.update_cursor(_cursor(current, states))
        return dg.SkipReason("the published warehouse was built from what data_raw/ holds")
    context.update_cursor(_cursor(current, states))
    # From what to what: reverting a file (A → B → A) is a change again, and runs again.
    run_key = f"data_raw-{previous_fingerprint}-{current}"
    tags = {**REFRESH_TAGS, "bnd/trigger": "data_raw_changes", "bnd/data_raw_fingerprint": current}
    years = changed_fiscal_years(previous_hashes, hashes)
    if years and settings.published_db.exists():
        return dg.RunRequest(
            run_key=run_key,
            job_name=FISCAL_YEARS_JOB_NAME,
            tags={**tags, **fiscal_years_range_tags(str(min(years)), str(max(years)))},
        )
    return full_refresh_request(run_key, tags)


def _cursor(current: str, states: FileStates) -> str:
    return json.dumps({"fingerprint": current, "files": states})


def _read_cursor(cursor: str | None) -> tuple[str | None, FileStates | None]:
    """(fingerprint, file states) of the cursor; a cursor of an older version holds only the
    fingerprint (then every file is hashed once more, and a change asks for a full refresh)."""
    if cursor is None:
        return None, None
    try:
        value = json.loads(cursor)
    except ValueError:
        return cursor, None
    if not isinstance(value, dict):
        return cursor, None
    return value.get("fingerprint"), value.get("files")


def refresh_cron() -> str:
    return os.environ.get("BND_REFRESH_CRON") or DEFAULT_REFRESH_CRON


def build_refresh_schedule(cron: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="refresh_schedule",
        job=refresh_warehouse,
        # Tags computed when it fires: the fiscal years run to next year, whatever the year.
        execution_fn=lambda context: full_refresh_request(
            None, {**REFRESH_TAGS, "bnd/trigger": "refresh_schedule"}
        ),
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
        description=f"Refresh the warehouse on `{cron}` ({TIMEZONE}); set BND_REFRESH_CRON.",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )


def max_age() -> timedelta:
    return timedelta(days=float(os.environ.get("BND_MAX_AGE_DAYS") or DEFAULT_MAX_AGE_DAYS))


@dg.asset_check(asset=PUBLISHED, blocking=False, description="The published build is recent.")
def published_warehouse_is_fresh(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Warn when the published warehouse is older than ``BND_MAX_AGE_DAYS`` (default 35 days).

    Its age is read from the published file itself (``marts.meta_build.finished_at_utc``), so it
    is right whichever Dagster instance or command published it.
    """
    published_db = warehouse.settings.published_db
    limit = max_age()
    meta = read_meta_build(published_db)
    finished = meta["finished_at_utc"] if meta else None
    if finished is None:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"no published warehouse at {published_db}",
        )
    age = datetime.now(UTC).replace(tzinfo=None) - finished
    return dg.AssetCheckResult(
        passed=age <= limit,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"published build finished {finished:%Y-%m-%d %H:%M} UTC, "
            f"{age.total_seconds() / 86400:.1f} days ago (limit {limit.days} days)"
        ),
        metadata={
            "finished_at_utc": finished.isoformat(),
            "age_days": round(age.total_seconds() / 86400, 2),
            "max_age_days": limit.total_seconds() / 86400,
        },
    )


check_freshness = dg.define_asset_job(
    name="check_freshness",
    selection=dg.AssetSelection.checks(published_warehouse_is_fresh),
    description="Only the freshness check of the published warehouse.",
)

freshness_schedule = dg.ScheduleDefinition(
    name="freshness_schedule",
    job=check_freshness,
    cron_schedule="0 7 * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


@dg.run_failure_sensor(
    monitored_jobs=[refresh_warehouse, refresh_fiscal_years],
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def report_failed_build(context: dg.RunFailureSensorContext, warehouse: WarehouseResource):
    """Write the report of a failed build into the build's own folder (the published one stays),
    and say on ``warehouse/bnd`` that the published build is unchanged and this run refused."""
    failures = [
        (
            record.dagster_event.step_key or "?",
            root_cause(record.dagster_event.event_specific_data.error),
        )
        for record in context.instance.all_logs(
            context.dagster_run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE
        )
        if record.dagster_event.event_specific_data.error.cls_name
        != "DagsterAssetCheckFailedError"  # failed checks are in the report already
    ]
    run_id = context.dagster_run.run_id
    path = write_failed_build_report(warehouse.settings, run_id, failures)
    context.log.info(f"report of the failed build: {path}")
    if path is not None:  # the run made a build of its own, and it was refused
        observe_refused_run(context.instance, warehouse.settings, run_id, failures)
