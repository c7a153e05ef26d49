"""``make bench``: the pipeline on synthetic budget lines, measured against a plain DuckDB script.

For each size of ``BENCH_SIZES`` (lines, comma-separated; default 1, 10 and 30 million):

1. generate the raw folders if missing (``bench/generate.py``), and read the CSV files once so
   every run finds them in the page cache;
2. the baseline (``bench/baseline.py``) on the CSV raw folder;
3. the pipeline's full refresh (``python -m pipelines run --no-docs --force``) into a fresh
   warehouse; both must hold the same rows and total amount per fiscal year;
4. "adding one fiscal year to a 22-year warehouse": a full refresh of 2005–2025 (a raw folder of
   hard links), then 2026 linked in and ``run --years 2026 --no-docs --force``; the result must
   equal the 22-year full refresh, year by year.

Plus, on the project's ``data_raw`` (seed size): the forced ``make run`` (with dbt docs), warm
(the median of the runs after a first one); the no-change ``make run`` (no ``--force``: it must
stop as up to date); and the pipeline alone (``--no-docs``): its fixed cost. Every figure is the
median of ``BENCH_REPEAT`` runs (default 3). Every run is timed, with the peak memory of its whole
process tree (``bench/measure.py``). Each figure is set against its target (MET, MISSED, or "—"
where a size has none); the tables, the fixed-cost breakdown of the seed-size run (from the
pipeline's own step lines) and what each side does go to ``bench/results.md``, the tables to the
terminal too; command logs to ``bench/data/logs``.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import duckdb

from bench.generate import FIRST_YEAR, LAST_YEAR, LINES_FOLDER, raw_folder, size_label
from bench.measure import CommandFailed, Measurement, measure

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "bench" / "data"
WORK_DIR = DATA_DIR / "work"
LOG_DIR = DATA_DIR / "logs"
RESULTS = ROOT / "bench" / "results.md"
SIZES_ENV = "BENCH_SIZES"
REPEAT_ENV = "BENCH_REPEAT"
DEFAULT_REPEAT = 3
DEFAULT_SIZES = "1000000,10000000,30000000"
FACT = "marts.fct_budget_line"
# Targets. The seed-size runs' in seconds; the ratios either for every size (a number) or per
# size of lines (a dict: a size it does not name is reported without a verdict, "—", as the
# tools' fixed start-up outweighs the lines there).
MAX_SEED_SECONDS = 15.0
MAX_NO_CHANGE_SECONDS = 5.0
MAX_WALL_RATIO = {10_000_000: 2.5, 30_000_000: 1.8}
MAX_PEAK_RATIO = 1.5
MAX_INCREMENTAL_FRACTION = {10_000_000: 0.25}
MET, MISSED, NO_TARGET = "MET", "MISSED", "—"
# The seed-size steps, as named in the logs and the results.
SEED = "seed"
SEED_WARM = "make run (warm)"
SEED_NO_CHANGE = "make run (no change)"
SEED_FIXED = "pipeline without docs (fixed cost)"


class BenchError(RuntimeError):
    """Two runs disagree: the benchmark's numbers would mean nothing."""


@dataclass(frozen=True)
class SizeResult:
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


def limit_for(limits: float | Mapping[int, float], lines: int) -> float | None:
    """The target at ``lines``: the same for every size (a number) or the size's own (None
    where a size has none)."""
    if isinstance(limits, Mapping):
        return limits.get(lines)
    return limits


def verdict(value: float, limit: float | None) -> str:
    if limit is None:
        return NO_TARGET
    return MET if value <= limit else MISSED


def target_cell(value: float, limit: float | None, unit: str) -> str:
    """``≤ 2.5×: MET``: the target and whether ``value`` meets it; "—" where there is none."""
    if limit is None:
        return NO_TARGET
    return f"≤ {limit:g}{unit}: {verdict(value, limit)}"


def environment(**extra: str | Path) -> dict[str, str]:
    """The Makefile's exported variables (kept when ``make`` has set them), plus ``extra``."""
    env = dict(os.environ)
    defaults = {
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "GX_ANALYTICS_ENABLED": "False",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PROJECT_ENVIRONMENT": ".venv",
        "DBT_USE_COLORS": "False",
        "DAGSTER_HOME": str(ROOT / ".dagster"),
        "PYTHONPATH": str(ROOT),
    }
    for name, value in defaults.items():
        env.setdefault(name, value)
    venv_bin = str(ROOT / ".venv" / "bin")
    if venv_bin not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env.update({name: str(value) for name, value in extra.items()})
    return env


def sizes() -> list[int]:
    text = os.environ.get(SIZES_ENV) or DEFAULT_SIZES
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def warm_cache(folder: Path) -> int:
    """Read every file under ``folder`` once; returns the bytes read."""
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                while block := handle.read(1 << 24):
                    total += len(block)
    return total


def log_path(label: str, step: str, number: int | None = None) -> Path:
    """``<label>-<step's words>[-<run number>].log``: a repeated step keeps every run's log."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    words = "-".join(re.findall(r"\w+", step))
    suffix = "" if number is None else f"-{number}"
    return LOG_DIR / f"{label}-{words}{suffix}.log"


def repetitions() -> int:
    return max(1, int(os.environ.get(REPEAT_ENV) or DEFAULT_REPEAT))


# (size label, step) → seconds of every run, for the results' detail.
RUNS: dict[tuple[str, str], list[float]] = {}


def repeated(label: str, step: str, run: Callable[[], Measurement]) -> Measurement:
    """Run ``run`` ``BENCH_REPEAT`` times; the median wall time and the median peak."""
    return repeated_in_turn(label, {step: run})[step]


def repeated_in_turn(
    label: str, runs: Mapping[str, Callable[[], Measurement]]
) -> dict[str, Measurement]:
    """Each of ``runs`` once a round, ``BENCH_REPEAT`` rounds; per step the median wall time and
    the median peak.

    The two sides of a ratio (the baseline and the pipeline) take turns, so that a slower spell
    of a shared machine falls on both instead of on whichever ran then. Each run's log is kept
    under its number, so the step lines reported are those of the median run, not of whichever
    ran last."""
    measured: dict[str, list[Measurement]] = {step: [] for step in runs}
    for number in range(1, repetitions() + 1):
        for step, run in runs.items():
            measured[step].append(run())
            log = log_path(label, step)
            if log.exists():
                log.replace(log_path(label, step, number))
    medians = {}
    for step, measurements in measured.items():
        RUNS[(label, step)] = [measurement.seconds for measurement in measurements]
        medians[step] = Measurement(
            statistics.median(measurement.seconds for measurement in measurements),
            int(statistics.median(measurement.peak_bytes for measurement in measurements)),
            0,
        )
    return medians


def run_baseline(raw: Path, work: Path, label: str) -> Measurement:
    shutil.rmtree(work / "baseline", ignore_errors=True)  # each run starts from nothing
    command = [
        sys.executable,
        ROOT / "bench" / "baseline.py",
        "--raw",
        raw,
        "--db",
        work / "baseline" / "baseline.duckdb",
        "--export",
        work / "baseline" / "export",
    ]
    log = log_path(label, "baseline")
    return report(label, "baseline", measure(command, env=environment(), cwd=ROOT, log=log))


def median_run(seconds: list[float]) -> int:
    """The number (from 1) of the run whose wall time is nearest the median: the run whose log
    stands for the step (the first of two equally near)."""
    middle = statistics.median(seconds)
    return min(range(len(seconds)), key=lambda index: abs(seconds[index] - middle)) + 1


def run_log(label: str, step: str) -> str:
    """The output of a step's run: of its median run when it was repeated."""
    runs = RUNS.get((label, step))
    log = log_path(label, step, median_run(runs) if runs else None)
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def run_pipeline(label: str, step: str, raw: Path, warehouse: Path, *args: str) -> Measurement:
    """``python -m pipelines run <args>`` on ``raw`` into ``warehouse``, timed and reported.

    A repeated run over the same inputs says "up to date" and stops; those that measure the
    work pass ``--force``. The run makes the warehouse folder but not its parents (a mistyped
    path must not grow folders), so they are made here."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    env = environment(BND_DATA_RAW=raw, BND_WAREHOUSE_DIR=warehouse)
    command = [sys.executable, "-m", "pipelines", "run", *args]
    return report(label, step, measure(command, env=env, cwd=ROOT, log=log_path(label, step)))


def says_up_to_date(output: str) -> bool:
    """Whether a run's output says it stopped because the published build is up to date."""
    return any(line.startswith("up to date") for line in output.splitlines())


def run_no_change(raw: Path, warehouse: Path) -> Measurement:
    """``make run`` with nothing changed since the last build (no ``--force``). A run that builds
    instead of stopping as up to date would time the wrong thing: the benchmark fails."""
    measurement = run_pipeline(SEED, SEED_NO_CHANGE, raw, warehouse)
    log = log_path(SEED, SEED_NO_CHANGE)
    if not says_up_to_date(log.read_text(encoding="utf-8", errors="replace")):
        raise BenchError(f"the no-change run did not stop as up to date; its output: {log}")
    return measurement


def wait_for_docs(raw: Path, warehouse: Path) -> None:
    """Wait for the dbt docs a first run writes in the background (``python -m pipelines
    docs`` waits for them), so that they do not take the measured runs' processor."""
    env = environment(BND_DATA_RAW=raw, BND_WAREHOUSE_DIR=warehouse)
    with log_path(SEED, "wait for docs").open("wb") as log:
        subprocess.run(
            [sys.executable, "-m", "pipelines", "docs"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )


def per_year(db: Path) -> dict[int, tuple[int, int]]:
    """Fiscal year → (rows, total amount) of the line-level fact, read-only."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            f"select fiscal_year, count(*), sum(amount_krw_million)::bigint "
            f"from {FACT} group by fiscal_year order by fiscal_year"
        ).fetchall()
    return {year: (count, int(amount)) for year, count, amount in rows}


def assert_same(expected: Path, actual: Path) -> None:
    """The two warehouses' facts hold the same rows and amount in every fiscal year."""
    want, got = per_year(expected), per_year(actual)
    for year in sorted(set(want) | set(got)):
        if want.get(year) != got.get(year):
            raise BenchError(
                f"fiscal year {year}: {expected} has (rows, amount) {want.get(year)}, "
                f"{actual} has {got.get(year)}"
            )


def link_raw(source: Path, target: Path, years: range) -> None:
    """A raw folder sharing ``source``'s files: every registered source beside the registry (the
    page, the history's control totals) and the line files of ``years``, as hard links (no copy,
    no disk). Not symbolic links: the pipeline refuses those in a raw folder (a link could lead a
    run to any file of the machine)."""
    (target / LINES_FOLDER).mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        if path.is_file():
            share_file(path, target / path.name)
    for year in years:
        folder = target / LINES_FOLDER / str(year)
        folder.mkdir(exist_ok=True)
        for path in sorted((source / LINES_FOLDER / str(year)).iterdir()):
            share_file(path, folder / path.name)


def share_file(path: Path, link: Path) -> None:
    """``link`` as a hard link to ``path``; a copy where the two are on different disks."""
    if link.exists():
        return
    try:
        link.hardlink_to(path)
    except OSError:
        shutil.copy2(path, link)


def bench_size(lines: int) -> SizeResult:
    label = size_label(lines)
    raw = generate_in_subprocess(lines)
    print(f"[{label}] warm cache: {warm_cache(raw) / 2**20:,.0f} MiB read", flush=True)
    work = WORK_DIR / label
    shutil.rmtree(work, ignore_errors=True)
    full = work / "full"
    # The baseline and the pipeline in turns; the pipeline's refreshes go into one warehouse, as
    # a schedule runs them.
    measured = repeated_in_turn(
        label,
        {
            "baseline": lambda: run_baseline(raw, work, label),
            "full refresh": lambda: run_pipeline(
                label, "full refresh", raw, full, "--no-docs", "--force"
            ),
        },
    )
    baseline, pipeline = measured["baseline"], measured["full refresh"]
    assert_same(work / "baseline" / "baseline.duckdb", full / "bnd.duckdb")
    raw_21, warehouse = work / "raw", work / "incremental"
    link_raw(raw, raw_21, range(FIRST_YEAR, LAST_YEAR))
    refresh_21 = run_pipeline(label, "21-year refresh", raw_21, warehouse, "--no-docs")
    link_raw(raw, raw_21, range(LAST_YEAR, LAST_YEAR + 1))
    new_year = str(LAST_YEAR)
    # The first run adds the year; the next ones replace it with the same file (the same work).
    step = f"incremental +{new_year}"
    incremental = repeated(
        label,
        step,
        lambda: run_pipeline(
            label, step, raw_21, warehouse, "--years", new_year, "--no-docs", "--force"
        ),
    )
    assert_same(full / "bnd.duckdb", warehouse / "bnd.duckdb")
    shutil.rmtree(work)
    return SizeResult(lines, baseline, pipeline, refresh_21, incremental)


def generate_in_subprocess(lines: int) -> Path:
    """The CSV raw folder of ``lines`` (generated if missing), by a process of its own: the
    generator's memory must not stay in the harness, whose size every forked run would carry."""
    subprocess.run(
        [sys.executable, ROOT / "bench" / "generate.py", "--lines", str(lines), "--out", DATA_DIR],
        env=environment(),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return raw_folder(DATA_DIR, lines, "csv")


def bench_seed() -> SeedResult:
    """On the project's ``data_raw``: a first ``make run`` (not counted) and its background
    docs awaited; then ``make run --force`` (with dbt docs), warm; ``make run`` with nothing
    changed (it stops as up to date); and the pipeline alone (``--no-docs``), its fixed cost
    with no budget lines at all."""
    warehouse = WORK_DIR / SEED
    shutil.rmtree(warehouse, ignore_errors=True)
    raw = ROOT / "data_raw"
    run_pipeline(SEED, "first make run", raw, warehouse)
    wait_for_docs(raw, warehouse)
    warm = repeated(
        SEED, SEED_WARM, lambda: run_pipeline(SEED, SEED_WARM, raw, warehouse, "--force")
    )
    no_change = repeated(SEED, SEED_NO_CHANGE, lambda: run_no_change(raw, warehouse))
    fixed = repeated(
        SEED,
        SEED_FIXED,
        lambda: run_pipeline(SEED, SEED_FIXED, raw, warehouse, "--no-docs", "--force"),
    )
    shutil.rmtree(warehouse)
    return SeedResult(warm, no_change, fixed)


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


def breakdown_table(lines: list[StepLine], wall: float) -> str:
    """One row per step line with its share of ``wall``, then what they add up to, in the
    words the run itself ends with."""
    rows = "".join(
        f"| {line.name} | {line.what.replace('|', '/')} | {line.seconds:.1f} s "
        f"| {share(line.seconds, wall)} |\n"
        for line in lines
    )
    shown = sum(line.seconds for line in lines)
    return (
        "| part | what | time | share of the wall time |\n|---|---|---:|---:|\n"
        f"{rows}\n"
        f"done in {wall:.1f} s; the lines above account for {shown:.1f} s "
        f"({share(shown, wall)})\n"
    )


def share(seconds: float, wall: float) -> str:
    return f"{100 * seconds / wall:.0f} %" if wall else "—"


def breakdown(label: str, step: str, measured: float) -> str:
    """The step lines of a step's (median) run as a table. The wall time is the run's own
    (``done in``, from its process's start), else the harness's; a sum below the run's own
    means a step line was not read, which the table says."""
    output = run_log(label, step)
    lines = step_lines(output)
    done = done_line(output)
    wall = done[0] if done else measured
    text = f"{label}, {step}:\n\n{breakdown_table(lines, wall)}"
    shown = sum(line.seconds for line in lines)
    if done and done[1] - shown > 0.05 * (len(lines) + 1):  # beyond the lines' rounding
        text += f"\n(The run says its lines account for {done[1]:.1f} s: a line was not read.)\n"
    return text


def report(label: str, step: str, measurement: Measurement) -> Measurement:
    print(
        f"[{label}] {step}: {measurement.seconds:.1f} s, peak {mib(measurement.peak_bytes)}",
        flush=True,
    )
    return measurement


def mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def percent(fraction: float) -> str:
    return f"{100 * fraction:.0f} %"


def table(results: list[SizeResult], fixed: Measurement) -> str:
    """One row per size: each ratio next to its target and verdict."""
    head = (
        "| lines | baseline wall | pipeline wall | wall ratio | wall target "
        "| baseline peak | pipeline peak | peak ratio | peak target | marginal wall ratio "
        f"| 21-year refresh | +{LAST_YEAR} incremental | incremental / 22-year refresh "
        "| incremental target |\n"
        "|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---|\n"
    )
    rows = []
    for result in results:
        wall_limit = limit_for(MAX_WALL_RATIO, result.lines)
        peak_limit = limit_for(MAX_PEAK_RATIO, result.lines)
        fraction_limit = limit_for(MAX_INCREMENTAL_FRACTION, result.lines)
        fraction = result.incremental_fraction
        rows.append(
            f"| {result.lines:,} | {result.baseline.seconds:.1f} s "
            f"| {result.pipeline.seconds:.1f} s | {result.wall_ratio:.2f}× "
            f"| {target_cell(result.wall_ratio, wall_limit, '×')} "
            f"| {mib(result.baseline.peak_bytes)} | {mib(result.pipeline.peak_bytes)} "
            f"| {result.peak_ratio:.2f}× | {target_cell(result.peak_ratio, peak_limit, '×')} "
            f"| {marginal(result, fixed)} "
            f"| {result.refresh_21.seconds:.1f} s | {result.incremental.seconds:.1f} s "
            f"| {percent(fraction)} "
            f"| {fraction_target(fraction, fraction_limit)} |"
        )
    return head + "\n".join(rows) + "\n"


def fraction_target(fraction: float, limit: float | None) -> str:
    if limit is None:
        return NO_TARGET
    return f"≤ {percent(limit)}: {verdict(fraction, limit)}"


def seed_table(seed: SeedResult) -> str:
    """The seed-size runs, each against its target."""
    rows = (
        ("`make run --force` (with dbt docs), warm", seed.warm, MAX_SEED_SECONDS),
        ("`make run`, nothing changed (up to date)", seed.no_change, MAX_NO_CHANGE_SECONDS),
        ("`run --no-docs --force`: the fixed cost", seed.fixed, None),
    )
    return "| seed size (`data_raw/`) | wall | peak | target |\n|---|---:|---:|---|\n" + "".join(
        f"| {what} | {measured.seconds:.1f} s | {mib(measured.peak_bytes)} "
        f"| {target_cell(measured.seconds, limit, ' s')} |\n"
        for what, measured, limit in rows
    )


def marginal(result: SizeResult, fixed: Measurement) -> str:
    """The marginal wall ratio, unless the lines cost less than the fixed cost's own spread."""
    fixed_runs = RUNS.get((SEED, SEED_FIXED), [fixed.seconds])
    spread = max(fixed_runs) - min(fixed_runs)
    if result.pipeline.seconds - fixed.seconds <= spread:
        return f"within the fixed cost's spread ({spread:.1f} s)"
    return f"{result.marginal_ratio(fixed):.2f}×"


def runs_detail() -> str:
    return "\n".join(
        f"- {label}, {step}: {', '.join(f'{seconds:.1f}' for seconds in runs)} s"
        for (label, step), runs in RUNS.items()
    )


def seed_note(seed: SeedResult) -> str:
    return (
        "Seed size: the median of the runs after a first one. The no-change run is `make run` "
        "without `--force` on the warehouse those runs published; it must stop as up to date. "
        f"The pipeline alone ({seed.fixed.seconds:.1f} s, no budget lines) is its fixed cost: "
        "the marginal wall ratio is (pipeline − fixed cost) / baseline.\n"
    )


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "unknown",
    )
    meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").split()
    ram_kib = int(meminfo[meminfo.index("MemTotal:") + 1])
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "RAM": f"{ram_kib / 2**20:.1f} GiB",
        "OS": f"{os_name()}, Linux {platform.release()}",
        "Python": platform.python_version(),
        "Packages": ", ".join(
            f"{name} {version(name)}" for name in ("duckdb", "dbt-core", "dbt-duckdb", "dagster")
        ),
        "DuckDB memory limit": os.environ.get("BND_DUCKDB_MEMORY_LIMIT") or "4GB (default)",
    }


def os_name() -> str:
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    return platform.system()


def per_size(limits: Mapping[int, float], shown: Callable[[float], str]) -> str:
    """``≤ 2.5× at 10,000,000 lines; ≤ 1.8× at 30,000,000 lines``."""
    return "; ".join(f"≤ {shown(limit)} at {lines:,} lines" for lines, limit in limits.items())


METHOD = f"""\
How it was measured (`make bench`, `bench/run.py`):

- Data: `bench/generate.py`, **synthetic** lines of fiscal years {FIRST_YEAR}–{LAST_YEAR} (22 year
  folders) as CSV with quoted amounts and thousands separators, subtotal rows mixed in. The CSV
  files are read once before the runs, so every run reads them from the page cache.
- Baseline: `bench/baseline.py`, one DuckDB script doing the same work on the same CSV folder
  (typed read, lines, dimensions, fact, mart, both reconciliations, grain check, Parquet export).
- Pipeline: `python -m pipelines run --no-docs --force` (full refresh), the runs of a size into
  one warehouse folder. Both must give the same rows and total amount per fiscal year, or the
  benchmark fails.
- Incremental: a full refresh of 2005–2025 (the 21-year refresh, from a raw folder of hard
  links), then `run --years {LAST_YEAR} --no-docs --force` with {LAST_YEAR} added; its result must
  equal the 22-year full refresh year by year. Its fraction is of the 22-year full refresh's wall
  time.
- Seed size (`data_raw/`, no budget lines): a first `make run` into a new warehouse, not counted
  (its background dbt docs are awaited); then `run --force` with docs, warm; `run` with nothing
  changed, which must stop as up to date; `run --no-docs --force`, the fixed cost.
- Each run is one subprocess: wall time from start to exit; peak memory is the largest sum of
  `VmRSS` over the process and all its descendants, sampled from `/proc` every 20 ms (memory
  shared between processes counts in each). Every figure is the median of `BENCH_REPEAT` runs
  (default 3; wall time and peak each); the baseline and the full refresh of a size take turns
  (baseline, pipeline, baseline, …), so that a slower spell of the machine falls on both sides
  of the ratio; the incremental runs after the first replace the year they added. A repeated
  run over the same inputs passes `--force` (else it stops as up to date), except the no-change
  run, which measures exactly that.
- Targets (a size without one shows "{NO_TARGET}": there the fixed start-up of Dagster, dbt and
  Great Expectations outweighs the lines):
  - seed size: `make run --force` ≤ {MAX_SEED_SECONDS:g} s; no change ≤ {MAX_NO_CHANGE_SECONDS:g} s;
  - full refresh, wall ratio: {per_size(MAX_WALL_RATIO, lambda limit: f"{limit:g}×")};
  - full refresh, peak ratio: ≤ {MAX_PEAK_RATIO:g}× at every size;
  - +{LAST_YEAR} incremental / full refresh: {per_size(MAX_INCREMENTAL_FRACTION, percent)}.
- The breakdowns are the pipeline's own step lines (`  <part>  <what>  <seconds> s`) and its last
  line (`done in …`), read from the output of the step's median run.
"""


def quoted_step(lines: list[StepLine], name: str) -> str:
    """What the run's ``name`` lines said, quoted (e.g. the dbt build's test count)."""
    said = [line.what for line in lines if line.name == name]
    return "; ".join(f"“{what}”" for what in said) if said else "(no such line in the log)"


def sides(full_refresh: list[StepLine]) -> str:
    """What each side does that the other does not, for reading the ratios. Read from
    ``bench/baseline.py`` and the pipeline's code; the counts quoted are the run's own."""
    return f"""\
## What each side does that the other does not

Both read the same CSV files and must end with the same rows and amount in every fiscal year.

**Baseline** (`bench/baseline.py`): one DuckDB script in one process, with the settings that
make plain DuckDB fast at this work (`preserve_insertion_order = false`; every core, DuckDB's
default) and the pipeline's memory limit and spill folder (`BND_DUCKDB_MEMORY_LIMIT`, default
4GB), so both work within the same memory: one typed `read_csv` of every year's file (column
types given, no sniffing, `thousands = ','`), the typed lines, `dim_organisation` and
`dim_programme`, the fact (detail lines), one mart by fiscal year × account × level × phase, the
subtotal and page-figure reconciliations, the grain check (grouped by a hash of the grain
first, as the pipeline's grain test is) and the Parquet export (the fact partitioned by year,
zstd). It does nothing the pipeline does not.

**Pipeline** (`python -m pipelines run`), on top of that work:

- before the build: the sha256 of every file of the raw folder and the code's fingerprint, to
  compare with the published build's (a file whose size, time and inode are unchanged keeps its
  recorded sha256); under a run lock;
- Dagster: the run itself (Python and Dagster imports, the definitions loaded from dbt's
  manifest, the event log and run storage, an asset check per dbt test and GX expectation);
- ingest: the registry's raw files parsed and registered with their sha256 (`raw.source_files`);
  the page's summary table (every amount as printed, with file and place) and the plan documents
  landed; the budget-line files' names and kinds checked (no links, no pattern characters), their
  lines loaded into a landing database, every value checked (the fiscal year against the folder,
  leaf account and level, organisation kind, codes, phase, amount ≥ 0), a bad one stopping the run
  with its file, line and column; each file's sha256, size and line counts recorded
  (`raw.budget_line_files`);
- transform: one `dbt build` (in its own process, started from the project's kept parse state)
  of the whole project (staging, intermediate, marts and audit models of the page, the plans and
  the lines), with its tests and the marts' enforced contracts (types,
  not null, primary keys): at this size {quoted_step(full_refresh, "transform")};
- audit: the Great Expectations suites on the audit models (the page's reconciliation and
  coverage, the plan structure, the lines' subtotals and reconciliation across grains):
  {quoted_step(full_refresh, "audit")};
- publish: the build record (publishing refuses a build whose ingest, dbt build and audit did
  not all pass in this run), `marts.meta_build`, every mart as Parquet and a Fiscal Data Package,
  the data-quality report (`dq.json`, `index.html`), `build.json` with the database's sha256, the
  atomic switch of `warehouse/current`, and a copy into `history/` checked against that sha256
  (the newest five kept);
- docs (the seed-size `make run` only): the dbt docs site, copied when the project and schema
  are unchanged, else written in the background.
"""


def write_results(results: list[SizeResult], seed: SeedResult, load: float) -> str:
    facts = "\n".join(f"- {name}: {value}" for name, value in machine().items())
    facts += f"\n- Load average (1 min) when the benchmark started: {load:.2f}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    largest = max(results, key=lambda result: result.lines)
    label = size_label(largest.lines)
    where = "\n".join(
        (
            breakdown(label, "full refresh", largest.pipeline.seconds),
            breakdown(label, f"incremental +{LAST_YEAR}", largest.incremental.seconds),
        )
    )
    text = (
        f"# Benchmark results\n\nMeasured {when} by `make bench`.\n\n{facts}\n\n"
        f"## Targets\n\n{seed_table(seed)}\n{table(results, seed.fixed)}\n{seed_note(seed)}\n"
        f"Every run's wall time (the tables give medians):\n\n{runs_detail()}\n\n"
        "## Fixed cost: the seed-size `make run --force`\n\n"
        "The pipeline's own step lines (of the median run), each with its share of the run's "
        "wall time. With no budget lines, all of it is fixed cost. The rows are rounded to "
        "0.1 s, so their sum may differ from the run's wall time by a few tenths.\n\n"
        f"{breakdown(SEED, SEED_WARM, seed.warm.seconds)}\n"
        f"## Where the pipeline's time goes at {largest.lines:,} lines\n\n{where}\n"
        f"{sides(step_lines(run_log(label, 'full refresh')))}\n"
        f"{METHOD}"
    )
    RESULTS.write_text(text, encoding="utf-8")
    return text


def main() -> int:
    load = os.getloadavg()[0]  # other work on the machine skews every figure: say how much
    try:
        seed = bench_seed()
        results = [bench_size(lines) for lines in sizes()]
    except (CommandFailed, BenchError) as error:  # a failed run or a disagreement: say which
        print(f"bench FAILED: {error}", file=sys.stderr)
        print(f"logs: {LOG_DIR}; work folders kept under {WORK_DIR}", file=sys.stderr)
        return 1
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    write_results(results, seed, load)
    print()
    print(seed_table(seed))
    print(table(results, seed.fixed))
    print(seed_note(seed))
    print(f"written: {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
