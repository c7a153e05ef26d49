"""The command line behind ``make run``: build, audit, publish in-process, then report.

It materializes the ``refresh_warehouse`` job with Dagster's in-process executor, recording the run
in ``$DAGSTER_HOME`` when it is set (so ``make dev`` shows it), and exits non-zero unless the
audited build was published.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.checks.check_report import describe_row, root_cause
from pipelines.core import progress
from pipelines.core.checksums import file_sha256
from pipelines.core.faults import (
    RunFault,
    check_folders,
    error_errno,
    fault_errno,
    fault_line,
    free_bytes,
    path_in,
)
from pipelines.core.progress import PROGRESS_FD_ENV
from pipelines.core.settings import Settings
from pipelines.lifecycle.build import write_failed_build_report
from pipelines.lifecycle.run_inputs import INPUTS_TAG, write_run_inputs
from pipelines.lifecycle.run_lock import RunLockedError, hold_run_lock, release_run_lock

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
    from pipelines.defs.transform.project import prepare_manifest

    parsed = prepare_manifest(settings)
    progress.done("prepare", "dbt manifest " + ("parsed" if parsed else "up to date"), started)
    started = time.monotonic()
    import dagster as dg

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
    inputs_tag = write_run_inputs(settings.build_dir, inputs)
    if inputs_tag:
        tags = {**tags, INPUTS_TAG: inputs_tag}
    if instance is None:
        has_home = bool(os.environ.get("DAGSTER_HOME"))
        instance = dg.DagsterInstance.get() if has_home else dg.DagsterInstance.ephemeral()
    run_id = str(uuid.uuid4())
    progress.done("load", "Dagster and the definitions (assets, checks, jobs)", started)
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
    finally:
        # A run that failed before publishing still holds the warehouse's run lock.
        release_run_lock(settings)
    overhead = time.monotonic() - started - (progress.accounted() - before)
    progress.line("dagster", "the run's own work between steps (events, run storage)", overhead)
    return _outcome(result)


@contextmanager
def run_history_kept_open(instance, run_id: str) -> Iterator[None]:
    """Let the run history in ``$DAGSTER_HOME`` store the run's events cheaply, for the run.

    Dagster's SQLite event log opens a new connection for each of a run's events (about 900 in
    a refresh: every dbt test is an asset check with two events) and closes it again. The last
    connection to close a WAL-mode database checkpoints it and syncs the disk, and every commit
    syncs it too: together 10–60 ms per event, seconds to tens of seconds a run, for nothing the
    warehouse needs. Holding one connection open to the run's file and the index for the run
    makes each close an ordinary one, and ``synchronous=NORMAL`` (safe in WAL mode: a killed
    process loses no commit, a power cut at most the run history's last events) drops the sync
    per commit: about 0.1 ms per event. The warehouse's own files keep every fsync. Nothing is
    done for other storages (an ephemeral instance keeps its events in memory)."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
        INDEX_SHARD_NAME,
        SqliteEventLogStorage,
    )

    storage = getattr(instance, "event_log_storage", None)
    if not isinstance(storage, SqliteEventLogStorage):
        yield
        return
    _relax_sqlite_sync()
    kept = []
    try:
        for shard in (run_id, INDEX_SHARD_NAME):
            connection = sqlite3.connect(storage.path_for_shard(shard), timeout=30)
            kept.append(connection)
            connection.execute("pragma journal_mode = wal")
            connection.execute("select count(*) from sqlite_master").fetchall()
        yield
    finally:
        for connection in kept:
            connection.close()


_sync_relaxed = False


def _relax_sqlite_sync() -> None:
    """``synchronous=NORMAL`` on every SQLite connection SQLAlchemy opens in WAL mode (Dagster's
    run history; the warehouse is DuckDB and never goes through SQLAlchemy)."""
    global _sync_relaxed
    if _sync_relaxed:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def relaxed(connection, _record) -> None:
        if not isinstance(connection, sqlite3.Connection):
            return
        cursor = connection.cursor()
        try:
            if str(cursor.execute("pragma journal_mode").fetchone()[0]).lower() == "wal":
                cursor.execute("pragma synchronous = normal")
        finally:
            cursor.close()

    event.listen(Engine, "connect", relaxed)
    _sync_relaxed = True


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


def run(years: tuple[int, int] | None = None, with_docs: bool = True, force: bool = False) -> int:
    """Build, audit and publish; exit 0 only when published (or already up to date).

    When nothing in ``data_raw/`` (by content), the registry or the code changed since the
    published build was made from them, the run says so and stops before importing Dagster,
    dbt or GX (``force`` rebuilds anyway). A fault of the machine (a full disk, a read-only or
    missing folder, the run lock held by another run) ends the run with one line naming the
    folder and the remedy (``core.faults``), never a traceback on the terminal: the trace goes to
    the run's log."""
    started = time.monotonic()
    startup = progress.since_process_start()
    settings = Settings.from_env()
    what = "full refresh" if years is None else f"fiscal years {years[0]}–{years[1]}"
    print(f"building {settings.warehouse_dir} from {settings.data_raw_dir} ({what})", flush=True)
    published_before = _identity(settings.published_db)

    def nothing_published() -> str:
        state = published_state(settings, published_before)
        if state.startswith("CHANGED"):  # a fault after the rename: never hide it
            return f"The published file {settings.published_db} {state}."
        return f"Nothing was published: {settings.published_db} {state}."

    terminal = os.dup(1)
    os.environ[PROGRESS_FD_ENV] = str(terminal)
    if startup is not None:
        progress.line("startup", "Python and the command line's imports", startup)
        started -= startup  # the run's time counts from the start of the process
    try:
        try:
            check_folders(settings)
            settings.warehouse_dir.mkdir(exist_ok=True)
            # Taken here, before anything is written, so a second run stops at once; the job's
            # ingest step finds it held by this process.
            hold_run_lock(settings)
            checked = time.monotonic()
            up_to_date, inputs = compare_inputs(settings, years, force)
            progress.done("inputs", up_to_date.summary, checked)
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
        if up_to_date.build_id is not None:
            release_run_lock(settings)
            print(f"up to date (build {up_to_date.build_id}, published {up_to_date.published})")
            print(f"published: {settings.published_db} (unchanged)")
            print(f"report:    {settings.reports_dir / 'index.html'}")
            print("`make run FORCE=1` (--force) builds it again anyway")
            _print_total(started)
            return 0
        return _build(settings, years, with_docs, inputs, started, published_before, terminal)
    finally:
        release_run_lock(settings)
        os.environ.pop(PROGRESS_FD_ENV, None)
        os.close(terminal)


def _build(
    settings: Settings,
    years: tuple[int, int] | None,
    with_docs: bool,
    inputs: dict | None,
    started: float,
    published_before: tuple | None,
    terminal: int,
) -> int:
    """The run proper (the run lock is held): the Dagster job, then the summary and docs."""

    def nothing_published() -> str:
        state = published_state(settings, published_before)
        if state.startswith("CHANGED"):  # a fault after the rename: never hide it
            return f"The published file {settings.published_db} {state}."
        return f"Nothing was published: {settings.published_db} {state}."

    free_at_start = free_bytes(settings.build_dir)
    log_path: Path | None = None
    docs_in_background = False
    try:
        log_path = open_log(settings)
        print(f"full log: {log_path}", flush=True)
        with output_to(log_path):
            outcome = execute_refresh(settings, years=years, inputs=inputs)
            fault = step_fault(outcome)
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
    if fault is not None:
        code, where = fault
        log = write_trace("\n".join(outcome.step_traces), log_path)
        line = fault_line(code, settings, nothing_published(), where, free_at_start)
        return _fault(f"{line} The full trace: {log}.")
    print_summary(outcome, settings, time.monotonic() - started, published_before)
    if docs_in_background:
        docs_log = start_dbt_docs_in_background(settings, log_path)
        print(
            f"dbt docs:  being written in the background into {settings.reports_dir / 'dbt_docs'} "
            f"(log {docs_log}; `make docs` waits for them)"
        )
    _print_total(started)
    return 0 if outcome.published else 1


def _print_total(started: float) -> None:
    """The run's wall time since its process started, and how much of it the lines hold."""
    total = time.monotonic() - started
    shown = progress.accounted()
    print(
        f"done in {total:.1f} s; the lines above account for {shown:.1f} s "
        f"({100 * shown / total if total else 100:.0f} %)"
    )


@dataclass(frozen=True)
class UpToDate:
    """The outcome of comparing the inputs with the published build's."""

    summary: str  # the line printed
    build_id: str | None = None  # set when the published build is up to date
    published: str | None = None


def compare_inputs(
    settings: Settings, years: tuple[int, int] | None, force: bool
) -> tuple[UpToDate, dict | None]:
    """Whether the published build was made from the inputs of now; and the inputs this run's
    build will record (None when it cannot vouch for them).

    The published build is up to date when it recorded its inputs, they equal those of now
    (every file of ``data_raw/`` by sha256, the registry among them, and ``code_fingerprint``),
    its database still has its recorded sha256, its history entry exists (a publish killed after
    its switch leaves work for the next run), and no failed or interrupted run left a build
    record. A run of some fiscal years is skipped on the same terms: a build from the inputs of
    now holds those years as they are. Reads only files; imports neither Dagster, dbt nor GX."""
    from pipelines.lifecycle import run_inputs

    published = published_record(settings)
    recorded = published.get("inputs") if published else None
    try:
        current = run_inputs.current_inputs(settings.data_raw_dir, recorded)
    except OSError as error:  # an unreadable raw file: ingest names it, with its remedy
        return UpToDate(f"rebuilding: data_raw/ cannot be compared ({error.strerror})"), None
    if years is None:
        inputs = current
    else:
        span = list(range(years[0], years[1] + 1))
        inputs = run_inputs.inputs_of_fiscal_years_build(recorded, current, span)
    if force:
        return UpToDate("rebuilding: forced (--force)"), inputs
    if published is None:
        return UpToDate("rebuilding: no published build with a readable build.json"), inputs
    reasons = run_inputs.inputs_changed(recorded, current)
    if (settings.build_dir / "build.json").exists():
        reasons.append("the last run did not publish (its build record is in .build)")
    if not reasons:
        reasons = _published_problems(settings, published)
    if reasons:
        return UpToDate("rebuilding: changed since the published build: " + "; ".join(reasons)), (
            inputs
        )
    when = str(published.get("published_at_utc", "?"))
    when = when[:16].replace("T", " ") + " UTC" if len(when) >= 16 else when
    summary = f"unchanged since build {published['build_id']}: data_raw/, registry, code"
    return UpToDate(summary, published["build_id"], when), inputs


def published_record(settings: Settings) -> dict | None:
    """``build.json`` of the published build (through ``warehouse/current``), checked as history
    checks its entries (``history.read_record``); None when there is none or it is unreadable."""
    from pipelines.lifecycle.history import UnreadableEntryError, read_record
    from pipelines.lifecycle.published_layout import current_folder

    folder = current_folder(settings)
    if folder is None:
        return None
    try:
        return read_record(folder)
    except UnreadableEntryError:
        return None


def _published_problems(settings: Settings, record: dict) -> list[str]:
    """Why the published build, whose inputs are those of now, still needs a run."""
    import json

    from pipelines.lifecycle.history import MANIFEST

    if not settings.published_db.is_file():
        return ["the published database is missing"]
    if file_sha256(settings.published_db) != record.get("sha256"):
        return ["the published database does not have its recorded sha256"]
    try:
        manifest = json.loads((settings.history_dir / MANIFEST).read_text(encoding="utf-8"))
        kept = {entry.get("build_id") for entry in manifest.get("builds", [])}
    except (OSError, ValueError, AttributeError):
        kept = set()
    if record["build_id"] not in kept:
        return ["the published build has no history entry yet (an interrupted publish)"]
    return []


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
    try:
        print(f"dbt docs: {write_dbt_docs(settings)}")
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"error: the dbt docs were not written: {error}")
        return 1
    return 0


def write_dbt_docs(settings: Settings) -> Path:
    from pipelines.defs.transform.docs import write_dbt_docs as write

    return write(settings)


def copy_kept_dbt_docs(settings: Settings) -> Path | None:
    from pipelines.defs.transform.docs import copy_kept_dbt_docs as copy

    return copy(settings)


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
    log = log_path or _temporary_log()
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


def rollback(to_build_id: str | None = None) -> int:
    """Publish the previous good kept build again (or the one named), atomically.

    Each kept build is checked against its recorded sha256 first: a corrupt one named with
    ``--to`` is refused (exit 1, one line naming it, nothing published); without ``--to`` corrupt
    or unreadable entries are skipped, one line each, for the newest good earlier build."""
    from pipelines.lifecycle.history import RollbackError
    from pipelines.lifecycle.history import rollback as roll_back
    from pipelines.lifecycle.run_lock import RunLockedError

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
    parser.add_argument(
        "--force",
        action="store_true",
        help="run: build even when nothing changed since the published build",
    )
    args = parser.parse_args(argv)
    if args.command == "rollback":
        return rollback(args.to)
    if args.command == "run":
        return run(years=args.years, with_docs=not args.no_docs, force=args.force)
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
