"""The run proper, once ``cli.run`` holds the run lock (and releases it) and found something to
build.

The Dagster job runs in this process with everything Dagster, dbt and GX print sent to the
run's log; the terminal gets one line per step, then the summary. A fault of the machine (a full
disk, a read-only folder) ends in one line naming the folder and the remedy, never a traceback:
the trace goes to the log. dbt docs are copied when the schema is unchanged, else written in the
background after the summary.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from pipelines.checks.check_list import build_checks, count_checks
from pipelines.checks.check_report import describe_row
from pipelines.cli.output import (
    nothing_published,
    open_log,
    output_to,
    print_fault,
    print_total,
    published_state,
    temporary_log,
    write_trace,
)
from pipelines.cli.refresh import RunOutcome, execute_refresh
from pipelines.core import progress
from pipelines.core.faults import error_errno, fault_errno, fault_line, free_bytes, path_in
from pipelines.core.progress import PROGRESS_FD_ENV
from pipelines.core.settings import Settings
from pipelines.defs.transform.docs import copy_kept_dbt_docs
from pipelines.lifecycle.build import write_failed_build_report
from pipelines.lifecycle.space import SHORTFALL
from pipelines.reports.dq_report import acknowledged_in


def build(
    settings: Settings,
    years: tuple[int, int] | None,
    with_docs: bool,
    inputs: dict | None,
    started: float,
    published_before: tuple | None,
    terminal: int,
) -> int:
    """The run proper (the run lock is held): the Dagster job, then the summary and docs."""

    free_at_start = free_bytes(settings.build_dir)
    log_path: Path | None = None
    docs_in_background = False
    try:
        log_path = open_log(settings)
        print(f"full log: {log_path}", flush=True)
        with output_to(log_path):
            outcome = execute_refresh(settings, years=years, inputs=inputs)
            fault = step_fault(outcome, settings)
            if outcome.published:
                if with_docs:
                    docs_in_background = not docs_after_run(settings)
            elif fault is None:  # a full or read-only disk takes no report either
                after_run(
                    "report",
                    lambda: write_failed_build_report(
                        settings, outcome.run_id, outcome.step_failures
                    ),
                )
        if fault is not None:
            code, where, message = fault
            log = write_trace("\n".join(outcome.step_traces), log_path)
            unpublished = nothing_published(settings, published_before)
            line = shortfall_line(message, unpublished) or fault_line(
                code, settings, unpublished, where, free_at_start
            )
            return print_fault(f"{line} The full trace: {log}.")
        print_summary(outcome, settings, published_before)
    except Exception as error:  # every failure ends in one line (see above)
        unpublished = nothing_published(settings, published_before)
        trace = "".join(traceback.format_exception(error))
        log = write_trace(trace, log_path)
        code = error_errno(error) or low_space_errno(settings)
        where = path_in(str(error)) or (
            Path(error.filename) if isinstance(error, OSError) and error.filename else None
        )
        if code is not None:
            line = fault_line(code, settings, unpublished, where, free_at_start)
        else:
            line = f"the run failed: {type(error).__name__}: {error}. {unpublished}"
        return print_fault(f"{line} The full trace: {log}.")
    if docs_in_background:
        docs_log = start_dbt_docs_in_background(settings, log_path)
        print(
            f"dbt docs:  being written in the background into {settings.reports_dir / 'dbt_docs'} "
            f"(log {docs_log}; `make docs` waits for them)"
        )
    print_total(started)
    return 0 if outcome.published else 1


# Below this much free space, an error that names no fault is taken for one: a full disk
# truncates files (a half-written JSON of dbt's) long before anything says "no space left".
LOW_SPACE_BYTES = 1024 * 1024


def low_space_errno(settings: Settings) -> int | None:
    """ENOSPC when the build folder's filesystem is (all but) full, else None."""
    free = free_bytes(settings.build_dir)
    return errno.ENOSPC if free is not None and free < LOW_SPACE_BYTES else None


def after_run(step: str, write: Callable[[], Path | None]) -> None:
    """A step after the Dagster run (docs, a failed build's report): it prints its line, and its
    failure is logged and reported without hiding whether the build was published."""
    started = time.monotonic()
    try:
        path = write()
    except Exception:
        with contextlib.suppress(OSError):  # the log's own disk may be the one that is full
            traceback.print_exc()  # into the log file
        progress.done(step, "FAILED (traceback in the log)", started)
    else:
        progress.done(step, str(path) if path else "not written (no build of this run)", started)


def step_fault(outcome: RunOutcome, settings: Settings) -> tuple[int, Path | None, str] | None:
    """A failed step whose error is a full, read-only or unwritable disk: (errno, path named,
    the step's message). A step that failed otherwise on an (all but) full disk counts too: a
    full disk shows first as a file cut short."""
    for _, message in outcome.step_failures:
        code = fault_errno(message)
        if code is not None:
            return code, path_in(message), message
    code = low_space_errno(settings) if outcome.step_failures else None
    if code is not None:
        return code, None, outcome.step_failures[0][1]
    return None


def shortfall_line(message: str, unpublished: str) -> str | None:
    """The publish's own line when it found too little free space before writing anything
    (``lifecycle.space``): the folder, the bytes needed and the bytes free, as it said them."""
    start = message.find(SHORTFALL)
    if start < 0:
        return None
    said = message[start:].splitlines()[0].rstrip(".")
    return (
        f"{said}: free space there or set BND_WAREHOUSE_DIR to a folder on a larger disk, "
        f"then run again. {unpublished}"
    )


def docs_after_run(settings: Settings) -> bool:
    """The docs step of a published run: a kept site is copied (its line says where); else
    False, and the run starts ``make docs`` in the background once its result is printed."""
    started = time.monotonic()
    try:
        path = copy_kept_dbt_docs(settings)
    except Exception:
        with contextlib.suppress(OSError):
            traceback.print_exc()  # into the log file
        progress.done("docs", "FAILED (traceback in the log)", started)
        return True
    if path is None:
        progress.done("docs", "schema or dbt project changed: written in the background", started)
        return False
    progress.done("docs", str(settings.reports_dir / "dbt_docs"), started)
    return True


def start_dbt_docs_in_background(settings: Settings, log_path: Path | None) -> Path:
    """``python -m pipelines docs`` in a session of its own (it outlives this run), its output
    appended to the run's log; returns that log."""
    log = log_path or temporary_log()
    env = {name: value for name, value in os.environ.items() if name != PROGRESS_FD_ENV}
    with log.open("ab") as output:
        subprocess.Popen(
            [sys.executable, "-m", "pipelines", "docs"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    return log


def print_summary(outcome: RunOutcome, settings: Settings, published_before: tuple | None) -> None:
    failed, warnings = outcome.failed_checks, outcome.warnings
    # The count the report, dq.json and marts.meta_build give (checks.check_list), from the same
    # results; Dagster's own count of asset checks is smaller (a GX suite is one asset check).
    reports = settings.reports_dir if outcome.published else settings.build_reports_dir
    count = count_checks(build_checks(reports, outcome.step_failures))
    acknowledged = acknowledged_in(reports)
    also = f"; {acknowledged} differences acknowledged" if acknowledged else ""
    print(f"{count.sentence()}{also} (each one is in the report)")
    for check in warnings:
        print(f"WARNING check {check.name} on {check.asset} (reported, not blocking)")
    for check in failed:
        print(f"FAILED check {check.name} on {check.asset}")
        for expectation in check.failed_expectations:
            print(f"    {expectation}")
        for row in check.offending_rows:
            print(f"    - {describe_row(row)}")
    for step, message in outcome.step_failures:
        print(f"FAILED step {step}: {message}")
    if outcome.published:
        print("rows:")
        for table, count in outcome.published_metadata["row_counts"].items():
            print(f"    {table:40} {count:>8,}")
        metadata = outcome.published_metadata
        print(f"published: {settings.published_db} (sha256 {metadata['sha256']})")
        print(f"build:     {metadata['build_id']} (code {metadata['code_version']})")
        print(f"exports:   {settings.export_dir}")
        print(f"history:   {settings.history_dir} (`make rollback` restores the previous build)")
        print(f"report:    {settings.reports_dir / 'index.html'} (and dq.json)")
    else:
        print(
            f"NOT published: {settings.published_db} {published_state(settings, published_before)}."
        )
        print(f"report of the failed build: {settings.build_reports_dir / 'index.html'}")
        print(f"published report (of the build still published): {settings.reports_dir}")
