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
pipeline's own step lines, read by ``bench/timings.py``) and what each side does go to
``bench/results.md`` (``bench/results_md.py``), the tables to the terminal too; command logs to
``bench/data/logs``.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb

from bench.generate import FIRST_YEAR, LAST_YEAR, LINES_FOLDER, raw_folder, size_label
from bench.measure import CommandFailed, Measurement, measure
from bench.results_md import RESULTS, mib, seed_note, seed_table, table, write_results
from bench.timings import (
    RUNS,
    SEED,
    SEED_FIXED,
    SEED_NO_CHANGE,
    SEED_WARM,
    SeedResult,
    SizeResult,
    median_run,
    says_up_to_date,
)

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "bench" / "data"
WORK_DIR = DATA_DIR / "work"
LOG_DIR = DATA_DIR / "logs"
SIZES_ENV = "BENCH_SIZES"
REPEAT_ENV = "BENCH_REPEAT"
DEFAULT_REPEAT = 3
DEFAULT_SIZES = "1000000,10000000,30000000"
FACT = "marts.fct_budget_line"


class BenchError(RuntimeError):
    """Two runs disagree: the benchmark's numbers would mean nothing."""


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


def report(label: str, step: str, measurement: Measurement) -> Measurement:
    print(
        f"[{label}] {step}: {measurement.seconds:.1f} s, peak {mib(measurement.peak_bytes)}",
        flush=True,
    )
    return measurement


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
    write_results(results, seed, load, run_log)
    print()
    print(seed_table(seed))
    print(table(results, seed.fixed))
    print(seed_note(seed))
    print(f"written: {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
