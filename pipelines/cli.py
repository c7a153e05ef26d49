"""The command line behind ``make run``: build, audit, publish in-process, then report.

It materializes the ``refresh_warehouse`` job with Dagster's in-process executor, recording the run
in ``$DAGSTER_HOME`` when it is set (so ``make dev`` shows it), and exits non-zero unless the
audited build was published.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.lib import progress
from pipelines.lib.check_report import describe_row, root_cause
from pipelines.lib.checksums import file_sha256
from pipelines.lib.dq_report import write_failed_build_report
from pipelines.lib.faults import (
    RunFault,
    check_folders,
    error_errno,
    fault_errno,
    fault_line,
    free_bytes,
    path_in,
)
from pipelines.lib.progress import PROGRESS_FD_ENV
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse_files import RunLockedError, hold_run_lock, release_run_lock

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
    settings: Settings, instance=None, years: tuple[int, int] | None = None
) -> RunOutcome:
    """Prepare dbt, run the refresh job in-process, and return what happened.

    A full refresh (``refresh_warehouse`` over every fiscal year) unless ``years`` (first, last)
    names fiscal years: then ``refresh_fiscal_years`` reprocesses their budget lines only. The
    run is recorded in ``instance``; by default the one in ``$DAGSTER_HOME`` when that is set (so
    ``make dev`` shows it), else a throwaway one.
    """
    import dagster as dg

    from pipelines.defs.transform.project import prepare_manifest

    prepare_manifest(settings)
    from pipelines.definitions import build_definitions
    from pipelines.defs.automation import FISCAL_YEARS_JOB_NAME, REFRESH_JOB_NAME
    from pipelines.defs.partitions import all_fiscal_years_tags, fiscal_years_range_tags

    defs = build_definitions(settings)
    if years is None:
        job = defs.resolve_job_def(REFRESH_JOB_NAME)
        tags = all_fiscal_years_tags()
    else:
        job = defs.resolve_job_def(FISCAL_YEARS_JOB_NAME)
        tags = fiscal_years_range_tags(str(years[0]), str(years[1]))
    if instance is None:
        has_home = bool(os.environ.get("DAGSTER_HOME"))
        instance = dg.DagsterInstance.get() if has_home else dg.DagsterInstance.ephemeral()
    try:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=QUIET_LOGS,
            tags=tags,
        )
    finally:
        # A run that failed before publishing still holds the warehouse's run lock.
        release_run_lock(settings)
    return _outcome(result)


def _outcome(result) -> RunOutcome:
    import dagster as dg

    from pipelines.defs.publish.warehouse import PUBLISHED

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


def print_summary(
    outcome: RunOutcome, settings: Settings, elapsed: float, published_before: str | None
) -> None:
    failed, warnings = outcome.failed_checks, outcome.warnings
    passed = len(outcome.checks) - len(failed) - len(warnings)
    print(
        f"asset checks: {passed} passed, {len(failed)} failed, {len(warnings)} warnings "
        "(every dbt test and GX expectation is in the report)"
    )
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
    print(f"done in {elapsed:.1f} s")


def published_state(settings: Settings, published_before: tuple | None) -> str:
    """The published file after a failed run, against its identity before the run."""
    after = _identity(settings.published_db)
    if published_before is None and after is None:
        return "not created (there is none yet)"
    if after == published_before:
        return f"unchanged (sha256 {file_sha256(settings.published_db)})"
    # never expected: say so loudly rather than hide it
    return f"CHANGED although the build failed ({published_before} -> {after})"


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """Which file ``path`` is and its state: (device, inode, size, mtime in ns), or None.

    The published file is only ever replaced by a rename (a new inode) and never written in
    place, so an unchanged identity means unchanged bytes, without hashing gigabytes twice."""
    if not path.exists():
        return None
    stat = path.stat()
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


@contextmanager
def output_to(log_path: Path) -> Iterator[None]:
    """Send everything Dagster, dbt and GX print (file descriptors 1 and 2) to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):  # a full disk: the terminal must come back
                sys.stdout.flush()
                sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


LOGS_KEPT = 10


def new_log_path(settings: Settings) -> Path:
    """``.build/logs/run-<UTC time>-<pid>.log``; only the newest ``LOGS_KEPT`` logs are kept."""
    from datetime import UTC, datetime

    logs = settings.build_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for old in sorted(logs.glob("run-*.log"))[: -(LOGS_KEPT - 1)]:
        old.unlink(missing_ok=True)
    return logs / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.log"


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


def run(years: tuple[int, int] | None = None, with_docs: bool = True) -> int:
    """Build, audit and publish; exit 0 only when published.

    A fault of the machine (a full disk, a read-only or missing folder, the run lock held by
    another run) ends the run with one line naming the folder and the remedy (``lib.faults``),
    never a traceback on the terminal: the trace goes to the run's log."""
    settings = Settings.from_env()
    started = time.monotonic()
    what = "full refresh" if years is None else f"fiscal years {years[0]}–{years[1]}"
    print(f"building {settings.warehouse_dir} from {settings.data_raw_dir} ({what})")
    published_before = _identity(settings.published_db)

    def nothing_published() -> str:
        state = published_state(settings, published_before)
        if state.startswith("CHANGED"):  # a fault after the rename: never hide it
            return f"The published file {settings.published_db} {state}."
        return f"Nothing was published: {settings.published_db} {state}."

    try:
        check_folders(settings)
        settings.warehouse_dir.mkdir(exist_ok=True)
        # Taken here, before anything is written, so a second run stops at once; the job's
        # ingest step finds it held by this process.
        hold_run_lock(settings)
    except RunFault as fault:
        return _fault(str(fault))
    except RunLockedError as error:
        return _fault(f"{error}. Nothing was published by this run.")
    except OSError as error:
        code = error_errno(error)
        if code is None:
            return _fault(f"{settings.build_dir} cannot be prepared for a build: {error}.")
        where = Path(error.filename) if error.filename else None
        return _fault(fault_line(code, settings, nothing_published(), where))
    free_at_start = free_bytes(settings.build_dir)
    terminal = os.dup(1)
    log_path: Path | None = None
    try:
        log_path = open_log(settings)
        print(f"full log: {log_path}")
        os.environ[PROGRESS_FD_ENV] = str(terminal)
        with output_to(log_path):
            outcome = execute_refresh(settings, years=years)
            fault = step_fault(outcome)
            if outcome.published:
                if with_docs:
                    after_run("docs", lambda: write_dbt_docs(settings).parent)
            elif fault is None:  # a full or read-only disk takes no report either
                after_run(
                    "report",
                    lambda: write_failed_build_report(
                        settings, outcome.run_id, outcome.step_failures
                    ),
                )
    except Exception as error:  # every failure ends in one line (see above)
        trace = "".join(traceback.format_exception(error))
        log = write_trace(trace, log_path)
        code = error_errno(error)
        where = path_in(str(error)) or (
            Path(error.filename) if isinstance(error, OSError) and error.filename else None
        )
        if code is not None:
            line = fault_line(code, settings, nothing_published(), where, free_at_start)
        else:
            line = f"the run failed: {type(error).__name__}: {error}. {nothing_published()}"
        return _fault(f"{line} The full trace: {log}.")
    finally:
        release_run_lock(settings)
        os.environ.pop(PROGRESS_FD_ENV, None)
        os.close(terminal)
    if fault is not None:
        code, where = fault
        log = write_trace("\n".join(outcome.step_traces), log_path)
        line = fault_line(code, settings, nothing_published(), where, free_at_start)
        return _fault(f"{line} The full trace: {log}.")
    print_summary(outcome, settings, time.monotonic() - started, published_before)
    return 0 if outcome.published else 1


def _fault(line: str) -> int:
    """Print a fault's one line; the exit status of a run it stopped."""
    print(f"error: {' '.join(line.split())}", file=sys.stderr)
    return 1


def step_fault(outcome: RunOutcome) -> tuple[int, Path | None] | None:
    """A failed step whose error is a full, read-only or unwritable disk: (errno, path named)."""
    for _, message in outcome.step_failures:
        code = fault_errno(message)
        if code is not None:
            return code, path_in(message)
    return None


def open_log(settings: Settings) -> Path:
    """The run's log in ``.build/logs``; in the temporary folder when that cannot be created."""
    try:
        path = new_log_path(settings)
        path.touch()
        return path
    except OSError:
        return _temporary_log()


def write_trace(trace: str, log_path: Path | None) -> Path:
    """Append a trace to the run's log; where that fails (its disk is full), to a temporary one."""
    for path in (log_path, None):
        target = path or _temporary_log()
        try:
            with target.open("a", encoding="utf-8") as log:
                log.write(trace + "\n")
            return target
        except OSError:
            continue
    return target


def _temporary_log() -> Path:
    from datetime import UTC, datetime

    name = f"bnd-run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
    return Path(tempfile.gettempdir()) / name


def prepare() -> int:
    from pipelines.defs.transform.project import prepare_manifest

    prepare_manifest(Settings.from_env())
    return 0


def docs() -> int:
    """dbt docs for the published warehouse, written to ``<warehouse>/reports/dbt_docs``."""
    settings = Settings.from_env()
    if not settings.published_db.exists():
        print(f"error: no published warehouse at {settings.published_db}; run `make run` first")
        return 1
    from pipelines.lib.warehouse_files import RunLockedError

    try:
        print(f"dbt docs: {write_dbt_docs(settings)}")
    except (FileExistsError, RunLockedError) as error:
        print(f"error: {error}")
        return 1
    return 0


def write_dbt_docs(settings: Settings) -> Path:
    from pipelines.defs.transform.docs import write_dbt_docs as write

    return write(settings)


def rollback(to_build_id: str | None = None) -> int:
    """Publish the previous good kept build again (or the one named), atomically.

    Each kept build is checked against its recorded sha256 first: a corrupt one named with
    ``--to`` is refused (exit 1, one line naming it, nothing published); without ``--to`` corrupt
    or unreadable entries are skipped, one line each, for the newest good earlier build."""
    from pipelines.lib.history import RollbackError
    from pipelines.lib.history import rollback as roll_back
    from pipelines.lib.warehouse_files import RunLockedError

    settings = Settings.from_env()
    try:
        rolled_back = roll_back(settings, to_build_id)
    except (RollbackError, RunLockedError) as error:
        print(f"error: {error}; nothing was published", file=sys.stderr)
        return 1
    for line in rolled_back.skipped:
        print(line)
    entry = rolled_back.entry
    meta = entry.record["meta_build"]
    print(f"rolled back: {settings.published_db} is now build {entry.build_id}")
    print(f"    built {meta.get('finished_at_utc')} UTC from code {meta.get('code_version')}")
    print(f"    sha256 {entry.sha256} (checked)")
    print(f"history: {settings.history_dir / 'manifest.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    parser.add_argument("command", choices=["run", "prepare", "docs", "rollback"])
    parser.add_argument(
        "--to", metavar="BUILD_ID", help="rollback: the kept build to publish (default: previous)"
    )
    parser.add_argument(
        "--years",
        type=fiscal_year_span,
        metavar="YEAR[-YEAR]",
        help="run: reprocess the budget lines of these fiscal years only (default: full refresh)",
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="run: do not write the dbt docs after publishing"
    )
    args = parser.parse_args(argv)
    if args.command == "rollback":
        return rollback(args.to)
    if args.command == "run":
        return run(years=args.years, with_docs=not args.no_docs)
    return {"prepare": prepare, "docs": docs}[args.command]()


def fiscal_year_span(text: str) -> tuple[int, int]:
    """``2026`` or ``2020-2026`` → (first, last)."""
    first, _, last = text.partition("-")
    try:
        span = int(first), int(last or first)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected YEAR or YEAR-YEAR, found {text!r}") from error
    if span[0] > span[1]:
        raise argparse.ArgumentTypeError(f"the first year comes first: {text!r}")
    return span
