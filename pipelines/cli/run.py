"""``make run``: build, audit and publish, or say the published build is up to date.

Everything before the build (the folders, the run lock, the comparison of the inputs with the
published build's) imports neither Dagster, dbt nor GX, so a no-change run ends in a fraction
of a second. Only when a build is needed does the run load ``cli.build``, which imports them
(3–4 s of imports): the command line's one deliberate late import, in ``_build_module``.
"""

from __future__ import annotations

import importlib
import os
import time
import traceback
from pathlib import Path

from pipelines.cli.output import (
    file_identity,
    nothing_published,
    print_fault,
    print_total,
    write_trace,
)
from pipelines.cli.up_to_date import compare_inputs
from pipelines.core import progress
from pipelines.core.faults import RunFault, check_folders, error_errno, fault_line
from pipelines.core.progress import PROGRESS_FD_ENV
from pipelines.core.settings import Settings
from pipelines.lifecycle.run_lock import RunLockedError, hold_run_lock, release_run_lock


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
    published_before = file_identity(settings.published_db)

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
            return print_fault(str(fault))
        except RunLockedError as error:
            return print_fault(f"{error}. Nothing was published by this run.")
        except OSError as error:
            code = error_errno(error)
            if code is None:
                return print_fault(f"{settings.build_dir} cannot be prepared for a build: {error}.")
            where = Path(error.filename) if error.filename else None
            return print_fault(
                fault_line(code, settings, nothing_published(settings, published_before), where)
            )
        if up_to_date.build_id is not None:
            print(f"up to date (build {up_to_date.build_id}, published {up_to_date.published})")
            print(f"published: {settings.published_db} (unchanged)")
            print(f"report:    {settings.reports_dir / 'index.html'}")
            print("`make run FORCE=1` (--force) builds it again anyway")
            print_total(started)
            return 0
        try:
            build = _build_module()
        except Exception as error:  # a broken environment: one line; the trace in a log
            log = write_trace("".join(traceback.format_exception(error)), None)
            return print_fault(
                f"Dagster and dbt could not be loaded ({type(error).__name__}: {error}). "
                f"{nothing_published(settings, published_before)} "
                "Set the environment up again (`make setup`); "
                f"the full trace: {log}."
            )
        return build.build(settings, years, with_docs, inputs, started, published_before, terminal)
    finally:
        release_run_lock(settings)
        os.environ.pop(PROGRESS_FD_ENV, None)
        os.close(terminal)


def _build_module():
    """``cli.build``, imported now: it brings Dagster, dagster-dbt and the definitions' modules
    (seconds of imports, on a line of their own), which a run that is up to date never needs."""
    started = time.monotonic()
    module = importlib.import_module("pipelines.cli.build")
    progress.done("imports", "Dagster, dagster-dbt and the pipeline's Dagster modules", started)
    return module
