"""One line per step on the terminal of ``make run``, while the full logs go to the log file.

``make run`` sends everything Dagster, dbt and GX print to its log file; before that it keeps a
copy of the terminal's file descriptor and names it in ``BND_PROGRESS_FD``. Steps call ``step()``
to print a line there: the step's name, what it did in numbers, and its elapsed time. Without the
variable (runs started from ``make dev`` or a sensor) nothing is printed; Dagster logs it anyway.
"""

from __future__ import annotations

import contextlib
import os
import time

PROGRESS_FD_ENV = "BND_PROGRESS_FD"


def emit(line: str) -> None:
    fd = os.environ.get(PROGRESS_FD_ENV)
    if not fd:
        return
    # The terminal may have gone away: progress is a courtesy, never a failure.
    with contextlib.suppress(OSError):
        os.write(int(fd), (line + "\n").encode("utf-8"))


def step_line(step: str, summary: str, elapsed_s: float) -> str:
    return f"  {step:<10} {summary:<64} {elapsed_s:6.1f} s"


def done(step: str, summary: str, started: float) -> None:
    """Print a step's line; ``started`` is its ``time.monotonic()`` at the start."""
    emit(step_line(step, summary, time.monotonic() - started))
