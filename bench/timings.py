"""What the benchmark's runs took: the measurements of a size and of the seed-size runs, every
run's wall time, and what a run's own output says about where its time went.

``python -m pipelines run`` prints one line per step (``  transform  dbt build: … passed
9.3 s``) and ends with ``done in X s; the lines above account for Y s``; a run that found nothing
to build says ``up to date``. ``bench/run.py`` measures the runs and keeps their logs,
``bench/results_md.py`` renders what is read here.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import NamedTuple

from bench.measure import Measurement

# The seed-size steps, as named in the logs and the results.
SEED = "seed"
SEED_WARM = "make run (warm)"
SEED_NO_CHANGE = "make run (no change)"
SEED_FIXED = "pipeline without docs (fixed cost)"


@dataclass(frozen=True)
class SizeResult:
    """One size of lines: the medians of the baseline, the full refresh, the 21-year refresh and
    the incremental run that adds the 22nd year."""

    lines: int
    baseline: Measurement
    pipeline: Measurement
    refresh_21: Measurement
    incremental: Measurement

    @property
    def wall_ratio(self) -> float:
        return self.pipeline.seconds / self.baseline.seconds

    @property
    def peak_ratio(self) -> float:
        return self.pipeline.peak_bytes / self.baseline.peak_bytes

    @property
    def incremental_fraction(self) -> float:
        return self.incremental.seconds / self.pipeline.seconds

    def marginal_ratio(self, fixed: Measurement) -> float:
        """(pipeline − its fixed cost, a run with no lines) / baseline: the cost of the lines."""
        return (self.pipeline.seconds - fixed.seconds) / self.baseline.seconds


@dataclass(frozen=True)
class SeedResult:
    """The runs on the project's ``data_raw``: what ``make run`` costs a user, without lines."""

    warm: Measurement  # ``run --force`` with docs, after a first run
    no_change: Measurement  # ``run`` on an up-to-date warehouse
    fixed: Measurement  # ``run --no-docs --force``: the pipeline's fixed cost


# (size label, step) → seconds of every run, for the results' detail.
RUNS: dict[tuple[str, str], list[float]] = {}


def median_run(seconds: list[float]) -> int:
    """The number (from 1) of the run whose wall time is nearest the median: the run whose log
    stands for the step (the first of two equally near)."""
    middle = statistics.median(seconds)
    return min(range(len(seconds)), key=lambda index: abs(seconds[index] - middle)) + 1


def says_up_to_date(output: str) -> bool:
    """Whether a run's output says it stopped because the published build is up to date."""
    return any(line.startswith("up to date") for line in output.splitlines())


class StepLine(NamedTuple):
    """One of the lines a run prints per step: ``  transform  dbt build: … passed    9.3 s``."""

    name: str
    what: str
    seconds: float


# The step's name, what it did (may be empty, may hold numbers), its seconds. Other lines of a
# run's output (the rows per mart are indented by four spaces) do not match.
STEP_LINE = re.compile(r"^  (\w+)\s+(.*?)\s+(\d+(?:\.\d+)?) s$")
DONE_LINE = re.compile(r"^done in (\d+(?:\.\d+)?) s; the lines above account for (\d+(?:\.\d+)?) s")


def step_lines(output: str) -> list[StepLine]:
    """Every step line of a run's output, in order."""
    found = []
    for line in output.splitlines():
        match = STEP_LINE.match(line)
        if match:
            found.append(StepLine(match[1], match[2], float(match[3])))
    return found


def done_line(output: str) -> tuple[float, float] | None:
    """The run's own last line: (its wall time, the seconds its step lines account for)."""
    for line in output.splitlines():
        match = DONE_LINE.match(line)
        if match:
            return float(match[1]), float(match[2])
    return None
