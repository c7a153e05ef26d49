"""One line per step on the terminal of ``make run``, while the full logs go to the log file.

``make run`` sends everything Dagster, dbt and GX print to its log file; before that it keeps a
copy of the terminal's file descriptor and names it in ``BND_PROGRESS_FD``. Steps call ``done()``
to print a line there: the step's name, what it did in numbers, and its elapsed time. Without the
variable (runs started from ``make dev`` or a sensor) nothing is printed; Dagster logs it anyway.

Every line's seconds are also added up (``accounted()``), so that the command line can say how
much of the run's wall time its lines account for, and print the rest (Dagster's own work
between the steps) as a line of its own.
"""

from __future__ import annotations

import contextlib
import os
import time

from pipelines.core.printable import printable

PROGRESS_FD_ENV = "BND_PROGRESS_FD"

_accounted: list[float] = []


def emit(line: str) -> None:
    fd = os.environ.get(PROGRESS_FD_ENV)
    if not fd:
        return
    # The terminal may have gone away: progress is a courtesy, never a failure.
    with contextlib.suppress(OSError):
        os.write(int(fd), (printable(line) + "\n").encode("utf-8"))


def step_line(step: str, summary: str, elapsed_s: float) -> str:
    return f"  {step:<10} {summary:<64} {elapsed_s:6.1f} s"


def line(step: str, summary: str, elapsed_s: float) -> None:
    """Print a step's line that took ``elapsed_s`` seconds, and count them."""
    _accounted.append(elapsed_s)
    emit(step_line(step, summary, elapsed_s))


def done(step: str, summary: str, started: float) -> None:
    """Print a step's line; ``started`` is its ``time.monotonic()`` at the start."""
    line(step, summary, time.monotonic() - started)


def accounted() -> float:
    """Seconds of every line printed so far in this process."""
    return sum(_accounted)


def since_process_start() -> float | None:
    """Seconds since this process started (interpreter start-up included); None where the
    kernel does not say (it is read from ``/proc``)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as file:
            stat = file.read()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        now = time.clock_gettime(time.CLOCK_BOOTTIME)
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    return max(now - start_ticks / os.sysconf("SC_CLK_TCK"), 0.0)
