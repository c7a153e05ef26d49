"""``make bench``: the pipeline on synthetic budget lines, measured against a plain DuckDB script.

For each size of ``BENCH_SIZES`` (lines, comma-separated; default 1,000,000 and 10,000,000):

1. generate the raw folders if missing (``bench/generate.py``), and read the CSV files once so
   every run finds them in the page cache;
2. the baseline (``bench/baseline.py``) on the CSV raw folder;
3. the pipeline's full refresh (``python -m pipelines run --no-docs``) into a fresh warehouse; both
   must hold the same rows and total amount per fiscal year;
4. "adding one fiscal year to a 22-year warehouse": a full refresh of 2005–2025 (a raw folder of
   symlinks), then 2026 linked in and ``run --years 2026 --no-docs``; the result must equal the
   22-year full refresh, year by year.

Plus the seed-size ``make run`` (with dbt docs) on ``data_raw``, warm (the median of the runs
after a first one), and the pipeline alone (``--no-docs``) there: its fixed cost. Every figure is
the median of ``BENCH_REPEAT`` runs (default 3). Every run is timed, with the peak memory of its
whole process tree (``bench/measure.py``). The table goes to ``bench/results.md`` and to the
terminal; command logs to ``bench/data/logs``.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb

from bench.generate import FIRST_YEAR, LAST_YEAR, LINES_FOLDER, raw_folder, size_label
from bench.measure import CommandFailed, Measurement, measure
from tests.source_figures import PAGE_FILE

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "bench" / "data"
WORK_DIR = DATA_DIR / "work"
LOG_DIR = DATA_DIR / "logs"
RESULTS = ROOT / "bench" / "results.md"
SIZES_ENV = "BENCH_SIZES"
REPEAT_ENV = "BENCH_REPEAT"
DEFAULT_REPEAT = 3
DEFAULT_SIZES = "1000000,10000000"
PAGE_AND_REGISTRY = (PAGE_FILE, "sources.yml")
FACT = "marts.fct_budget_line"
# Targets, stated for 10M lines.
MAX_WALL_RATIO = 1.3
MAX_PEAK_RATIO = 1.5
MAX_INCREMENTAL_FRACTION = 0.15


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


def log_path(label: str, step: str) -> Path:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return LOG_DIR / f"{label}-{step}.log"


def repetitions() -> int:
    return max(1, int(os.environ.get(REPEAT_ENV) or DEFAULT_REPEAT))


# (size label, step) → seconds of every run, for the results' detail.
RUNS: dict[tuple[str, str], list[float]] = {}


def repeated(label: str, step: str, run: Callable[[], Measurement]) -> Measurement:
    """Run ``run`` ``BENCH_REPEAT`` times; the median wall time and the median peak."""
    runs = [run() for _ in range(repetitions())]
    RUNS[(label, step)] = [measurement.seconds for measurement in runs]
    return Measurement(
        statistics.median(measurement.seconds for measurement in runs),
        int(statistics.median(measurement.peak_bytes for measurement in runs)),
        0,
    )


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


def run_pipeline(label: str, step: str, raw: Path, warehouse: Path, *args: str) -> Measurement:
    """``python -m pipelines run <args>`` on ``raw`` into ``warehouse``, timed and reported.

    A repeated run over the same inputs says "up to date" and stops; those that measure the
    work pass ``--force``."""
    env = environment(BND_DATA_RAW=raw, BND_WAREHOUSE_DIR=warehouse)
    command = [sys.executable, "-m", "pipelines", "run", *args]
    log = log_path(label, "-".join(re.findall(r"\w+", step)))
    return report(label, step, measure(command, env=env, cwd=ROOT, log=log))


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
    """A raw folder of symlinks: the page, the registry and the line folders of ``years``."""
    (target / LINES_FOLDER).mkdir(parents=True, exist_ok=True)
    for name in PAGE_AND_REGISTRY:
        link = target / name
        if not link.is_symlink():
            link.symlink_to(source / name)
    for year in years:
        link = target / LINES_FOLDER / str(year)
        if not link.is_symlink():
            link.symlink_to(source / LINES_FOLDER / str(year), target_is_directory=True)


def bench_size(lines: int) -> SizeResult:
    label = size_label(lines)
    raw = generate_in_subprocess(lines)
    print(f"[{label}] warm cache: {warm_cache(raw) / 2**20:,.0f} MiB read", flush=True)
    work = WORK_DIR / label
    shutil.rmtree(work, ignore_errors=True)
    baseline = repeated(label, "baseline", lambda: run_baseline(raw, work, label))
    full = work / "full"
    # Refreshes of one warehouse, as a schedule runs them (the first also parses the dbt
    # project for this new warehouse folder; the median leaves that out).
    pipeline = repeated(
        label,
        "full refresh",
        lambda: run_pipeline(label, "full refresh", raw, full, "--no-docs", "--force"),
    )
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


def bench_seed() -> tuple[Measurement, Measurement]:
    """``make run`` (with dbt docs) on the project's data_raw, twice, the second counting; then
    the pipeline alone (``--no-docs``) on it: its fixed cost, with no budget lines at all."""
    warehouse = WORK_DIR / "seed"
    shutil.rmtree(warehouse, ignore_errors=True)
    raw = ROOT / "data_raw"
    run_pipeline("seed", "first make run", raw, warehouse)
    warm = repeated(
        "seed",
        "make run (warm)",
        lambda: run_pipeline("seed", "make run (warm)", raw, warehouse, "--force"),
    )
    step = "pipeline without docs (fixed cost)"
    fixed = repeated(
        "seed", step, lambda: run_pipeline("seed", step, raw, warehouse, "--no-docs", "--force")
    )
    shutil.rmtree(warehouse)
    return warm, fixed


STEP_LINE = re.compile(r"^  (\w+)\s+(.*?)\s+([0-9.]+) s$")


def steps(label: str, step: str) -> list[tuple[str, str, float]]:
    """The pipeline's own step lines (step, what, seconds) from a run's log."""
    log = log_path(label, "-".join(re.findall(r"\w+", step)))
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = STEP_LINE.match(line)
        if match:
            found.append((match[1], match[2], float(match[3])))
    return found


def breakdown(label: str, step: str) -> str:
    rows = "\n".join(
        f"| {name} | {what.replace('|', '/')} | {seconds:.1f} s |"
        for name, what, seconds in steps(label, step)
    )
    return f"{label}, {step}:\n\n| step | what | time |\n|---|---|---:|\n{rows}\n"


def report(label: str, step: str, measurement: Measurement) -> Measurement:
    print(
        f"[{label}] {step}: {measurement.seconds:.1f} s, peak {mib(measurement.peak_bytes)}",
        flush=True,
    )
    return measurement


def mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def verdict(value: float, limit: float) -> str:
    return "PASS" if value <= limit else "MISS"


def table(results: list[SizeResult], fixed: Measurement) -> str:
    head = (
        "| lines | baseline wall | baseline peak | pipeline wall | pipeline peak "
        f"| wall ratio (≤ {MAX_WALL_RATIO}×) | peak ratio (≤ {MAX_PEAK_RATIO}×) "
        "| marginal wall ratio "
        f"| 21-year refresh | +{LAST_YEAR} incremental "
        f"| incremental / 22-year refresh (≤ {MAX_INCREMENTAL_FRACTION:.0%}) |\n"
        "|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---|\n"
    )
    rows = [
        f"| {result.lines:,} | {result.baseline.seconds:.1f} s | {mib(result.baseline.peak_bytes)} "
        f"| {result.pipeline.seconds:.1f} s | {mib(result.pipeline.peak_bytes)} "
        f"| {result.wall_ratio:.2f}× {verdict(result.wall_ratio, MAX_WALL_RATIO)} "
        f"| {result.peak_ratio:.2f}× {verdict(result.peak_ratio, MAX_PEAK_RATIO)} "
        f"| {marginal(result, fixed)} "
        f"| {result.refresh_21.seconds:.1f} s | {result.incremental.seconds:.1f} s "
        f"| {result.incremental_fraction:.0%} "
        f"{verdict(result.incremental_fraction, MAX_INCREMENTAL_FRACTION)} |"
        for result in results
    ]
    return head + "\n".join(rows) + "\n"


def marginal(result: SizeResult, fixed: Measurement) -> str:
    """The marginal wall ratio, unless the lines cost less than the fixed cost's own spread."""
    fixed_runs = RUNS.get(("seed", "pipeline without docs (fixed cost)"), [fixed.seconds])
    spread = max(fixed_runs) - min(fixed_runs)
    if result.pipeline.seconds - fixed.seconds <= spread:
        return f"within the fixed cost's spread ({spread:.1f} s)"
    return f"{result.marginal_ratio(fixed):.2f}×"


def runs_detail() -> str:
    return "\n".join(
        f"- {label}, {step}: {', '.join(f'{seconds:.1f}' for seconds in runs)} s"
        for (label, step), runs in RUNS.items()
    )


def seed_line(seed: Measurement, fixed: Measurement) -> str:
    return (
        f"Seed size (`data_raw/`), `make run` with dbt docs, warm (median of the runs after the "
        "first): "
        f"{seed.seconds:.1f} s, peak {mib(seed.peak_bytes)}. The pipeline alone on it "
        f"(`--no-docs`, no budget lines): {fixed.seconds:.1f} s, peak {mib(fixed.peak_bytes)}; "
        "this is its fixed cost, and the marginal wall ratio is (pipeline − fixed cost) / "
        "baseline.\n"
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


METHOD = f"""\
How it was measured (`make bench`, `bench/run.py`):

- Data: `bench/generate.py`, **synthetic** lines of fiscal years {FIRST_YEAR}–{LAST_YEAR} (22 year
  folders) as CSV with quoted amounts and thousands separators, subtotal rows mixed in. The CSV
  files are read once before the runs, so every run reads them from the page cache.
- Baseline: `bench/baseline.py`, one DuckDB script doing the same work on the same CSV folder
  (typed read, lines, dimensions, fact, mart, both reconciliations, grain check, Parquet export).
- Pipeline: `python -m pipelines run --no-docs` (full refresh) into a fresh warehouse folder.
  Both must give the same rows and total amount per fiscal year, or the benchmark fails.
- Incremental: a full refresh of 2005–2025 (the 21-year refresh), then `run --years {LAST_YEAR}
  --no-docs` with {LAST_YEAR} added; its result must equal the 22-year full refresh year by year.
  Its fraction is of the 22-year full refresh's wall time.
- Each run is one subprocess: wall time from start to exit; peak memory is the largest sum of
  `VmRSS` over the process and all its descendants, sampled from `/proc` every 20 ms (memory
  shared between processes counts in each). Every figure is the median of `BENCH_REPEAT` runs
  (default 3; wall time and peak each); the full refreshes of a size go into one warehouse, as a
  schedule runs them, and the incremental runs after the first replace the year they added.
- Targets are stated for 10M lines; at smaller sizes the fixed start-up of Dagster, dbt and Great
  Expectations weighs more, so their verdicts are for information.
"""


def write_results(
    results: list[SizeResult], seed: Measurement, fixed: Measurement, load: float
) -> str:
    facts = "\n".join(f"- {name}: {value}" for name, value in machine().items())
    facts += f"\n- Load average (1 min) when the benchmark started: {load:.2f}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    largest = size_label(max(result.lines for result in results))
    where = "\n".join(
        breakdown(label, step)
        for label, step in (
            ("seed", "pipeline without docs (fixed cost)"),
            (largest, "full refresh"),
            (largest, f"incremental +{LAST_YEAR}"),
        )
    )
    text = (
        f"# Benchmark results\n\nMeasured {when} by `make bench`.\n\n{facts}\n\n"
        f"{table(results, fixed)}\n{seed_line(seed, fixed)}\n"
        f"Every run's wall time (the table gives medians):\n\n{runs_detail()}\n\n"
        f"## Where the pipeline's time goes\n\nThe pipeline's own step lines (of the last run of "
        f"each).\n\n{where}\n"
        f"{METHOD}"
    )
    RESULTS.write_text(text, encoding="utf-8")
    return text


def main() -> int:
    load = os.getloadavg()[0]  # other work on the machine skews every figure: say how much
    try:
        seed, fixed = bench_seed()
        results = [bench_size(lines) for lines in sizes()]
    except (CommandFailed, BenchError) as error:  # a failed run or a disagreement: say which
        print(f"bench FAILED: {error}", file=sys.stderr)
        print(f"logs: {LOG_DIR}; work folders kept under {WORK_DIR}", file=sys.stderr)
        return 1
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    write_results(results, seed, fixed, load)
    print()
    print(table(results, fixed))
    print(seed_line(seed, fixed))
    print(f"written: {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
