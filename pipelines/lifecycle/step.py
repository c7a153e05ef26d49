"""One wrapper for every step of a build: its time, its failpoint, its line, its record.

Each Dagster asset of the run path (ingest, transform, audit, publish) does its work inside
``with build_step(settings, run_id, "ingest") as step:`` and tells the step what it did:

- ``step.summary = "…"``: the step's line on the terminal of ``make run`` (``core.progress``),
  printed with the step's elapsed time when the block ends without an error;
- ``step.passed("ingest_lines", details=…)``: a step of the build record
  (``lifecycle.build_record``) that passed, recorded when the block ends without an error, so a
  step that fails half-way never vouches for the build;
- ``step.split("report", "…", seconds)``: part of the step's time shown on a line of its own.

When the block ends, the failpoint named after the step (``core.failpoints``, used by the crash
tests) is reached before anything is recorded; a step may reach it earlier itself (dbt reaches
``transform`` while it still builds), and a failpoint that is not armed costs nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pipelines.core import progress
from pipelines.core.failpoints import NAMES as FAILPOINTS
from pipelines.core.failpoints import failpoint
from pipelines.core.settings import Settings
from pipelines.lifecycle import build_record


@dataclass
class Step:
    settings: Settings
    run_id: str
    name: str
    summary: str = ""
    _passed: list[tuple[str, dict | None]] = field(default_factory=list)
    _split: list[tuple[str, str, float]] = field(default_factory=list)

    def passed(self, record_step: str, details: dict | None = None) -> None:
        """Record ``record_step`` as passed in the build record when the step ends well."""
        self._passed.append((record_step, details))

    def split(self, name: str, summary: str, seconds: float) -> None:
        """Show ``seconds`` of this step on a line of their own (and not on the step's line)."""
        self._split.append((name, summary, seconds))

    def failpoint(self) -> None:
        """Reach the step's failpoint here (a no-op unless a crash test armed it)."""
        if self.name in FAILPOINTS:
            failpoint(self.name, self.settings.build_dir)


@contextmanager
def build_step(settings: Settings, run_id: str, name: str) -> Iterator[Step]:
    started = time.monotonic()
    step = Step(settings, run_id, name)
    yield step
    step.failpoint()
    for record_step, details in step._passed:
        build_record.mark_passed(settings, run_id, record_step, details=details)
    split_seconds = sum(seconds for _, _, seconds in step._split)
    progress.line(name, step.summary, time.monotonic() - started - split_seconds)
    for line_name, summary, seconds in step._split:
        progress.line(line_name, summary, seconds)
