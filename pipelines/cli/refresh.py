"""The refresh job run in this process: Dagster's in-process executor, its outcome in plain data.

``make run`` materializes ``refresh_warehouse`` (or ``refresh_fiscal_years``) with Dagster's
in-process executor, recording the run in ``$DAGSTER_HOME`` when it is set (so ``make dev`` shows
it). This is the one module of the command line that imports Dagster, dbt (through dagster-dbt)
and the definitions; ``cli.run`` loads it (through ``cli.build``) only when a build is needed.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from pipelines.checks.check_report import root_cause
from pipelines.core import progress
from pipelines.core.settings import Settings
from pipelines.definitions import build_definitions
from pipelines.defs.automation import FISCAL_YEARS_JOB_NAME, REFRESH_JOB_NAME
from pipelines.defs.partitions import all_fiscal_years_tags, fiscal_years_range_tags
from pipelines.defs.publish.warehouse import PUBLISHED, observe_refused_run
from pipelines.defs.transform.project import prepare_manifest
from pipelines.lifecycle.run_inputs import INPUTS_TAG, write_run_inputs
from pipelines.lifecycle.run_lock import release_run_lock
from pipelines.platform.dagster_storage import run_history_kept_open

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class CheckLine:
    name: str
    asset: str
    passed: bool
    blocking: bool
    offending_rows: list[dict[str, Any]] = field(default_factory=list)
    failed_expectations: list[str] = field(default_factory=list)


@dataclass
class RunOutcome:
    """What a run did, in plain data, read off Dagster's result."""

    run_id: str
    published: bool
    checks: list[CheckLine]
    step_failures: list[tuple[str, str]]
    published_metadata: dict[str, Any]
    # Each failed step's whole error (Dagster's chain with its stack traces), for the run's log.
    step_traces: list[str] = field(default_factory=list)

    @property
    def failed_checks(self) -> list[CheckLine]:
        """Checks that failed and block publishing."""
        return [check for check in self.checks if not check.passed and check.blocking]

    @property
    def warnings(self) -> list[CheckLine]:
        """Checks that failed with severity WARN: reported, never blocking."""
        return [check for check in self.checks if not check.passed and not check.blocking]


def execute_refresh(
    settings: Settings,
    instance=None,
    years: tuple[int, int] | None = None,
    inputs: dict | None = None,
) -> RunOutcome:
    """Prepare dbt, run the refresh job in-process, and return what happened.

    A full refresh (``refresh_warehouse`` over every fiscal year) unless ``years`` (first, last)
    names fiscal years: then ``refresh_fiscal_years`` reprocesses their budget lines only. The
    run is recorded in ``instance``; by default the one in ``$DAGSTER_HOME`` when that is set (so
    ``make dev`` shows it), else a throwaway one. ``inputs`` (what the build is made from, see
    ``lifecycle.run_inputs``) are recorded in the published build's ``build.json``.

    Prints a line for each part before the steps (dbt's manifest, Dagster's definitions) and,
    after them, one for Dagster's own work in the run (the run's time that no step's line holds).
    """
    started = time.monotonic()
    parsed = prepare_manifest(settings)
    progress.done("prepare", "dbt manifest " + ("parsed" if parsed else "up to date"), started)
    started = time.monotonic()
    defs = build_definitions(settings)
    if years is None:
        job = defs.resolve_job_def(REFRESH_JOB_NAME)
        tags = all_fiscal_years_tags()
    else:
        job = defs.resolve_job_def(FISCAL_YEARS_JOB_NAME)
        tags = fiscal_years_range_tags(str(years[0]), str(years[1]))
    inputs_tag = write_run_inputs(settings.build_dir, inputs)
    if inputs_tag:
        tags = {**tags, INPUTS_TAG: inputs_tag}
    if instance is None:
        has_home = bool(os.environ.get("DAGSTER_HOME"))
        instance = dg.DagsterInstance.get() if has_home else dg.DagsterInstance.ephemeral()
    run_id = str(uuid.uuid4())
    progress.done("load", "the definitions (assets, checks, jobs) from dbt's manifest", started)
    started, before = time.monotonic(), progress.accounted()
    try:
        with run_history_kept_open(instance, run_id):
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config=QUIET_LOGS,
                tags=tags,
                run_id=run_id,
            )
        outcome = _outcome(result)
        if not outcome.published:
            # Still holding the run lock: Dagster's UI and the published report say that the
            # published build is unchanged and this run was refused.
            observe_refused_run(instance, settings, run_id, outcome.step_failures)
    finally:
        # A run that failed before publishing still holds the warehouse's run lock.
        release_run_lock(settings)
    overhead = time.monotonic() - started - (progress.accounted() - before)
    progress.line("dagster", "the run's own work between steps (events, run storage)", overhead)
    return outcome


def _outcome(result) -> RunOutcome:
    checks = []
    for evaluation in result.get_asset_check_evaluations():
        metadata = {key: value.value for key, value in evaluation.metadata.items()}
        checks.append(
            CheckLine(
                name=evaluation.check_name,
                asset=evaluation.asset_key.to_user_string(),
                passed=evaluation.passed,
                blocking=evaluation.severity != dg.AssetCheckSeverity.WARN,
                offending_rows=list(metadata.get("offending_rows") or []),
                failed_expectations=list(metadata.get("failed_expectations") or []),
            )
        )
    failed_steps = [
        event
        for event in result.all_events
        # A failed blocking check also fails its step; the check itself is reported above.
        if event.is_step_failure
        and event.event_specific_data.error.cls_name != "DagsterAssetCheckFailedError"
    ]
    failures = [
        (event.step_key or "?", root_cause(event.event_specific_data.error))
        for event in failed_steps
    ]
    published = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key == PUBLISHED:
            published = {key: value.value for key, value in materialization.metadata.items()}
    return RunOutcome(
        run_id=result.run_id,
        published=bool(published),
        checks=checks,
        step_failures=failures,
        published_metadata=published,
        step_traces=[event.event_specific_data.error.to_string() for event in failed_steps],
    )
