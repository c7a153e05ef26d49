"""``bench/results.md``: the benchmark's figures against their targets, in Markdown.

The targets and their verdicts (MET, MISSED, or "—" where a size has none), the tables of the
seed-size runs and of each size, every run's wall time, the breakdown of a run's time by its own
step lines, the machine it ran on, what each side does that the other does not, and how it was
measured. Nothing here runs anything: ``bench/run.py`` measures, ``bench/timings.py`` reads the
runs' output.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.generate import FIRST_YEAR, LAST_YEAR, size_label
from bench.measure import Measurement
from bench.timings import (
    RUNS,
    SEED,
    SEED_FIXED,
    SEED_WARM,
    SeedResult,
    SizeResult,
    StepLine,
    done_line,
    step_lines,
)

RESULTS = Path(__file__).with_name("results.md")

# Targets. The seed-size runs' in seconds; the ratios either for every size (a number) or per
# size of lines (a dict: a size it does not name is reported without a verdict, "—", as the
# tools' fixed start-up outweighs the lines there).
MAX_SEED_SECONDS = 15.0
MAX_NO_CHANGE_SECONDS = 5.0
MAX_WALL_RATIO = {10_000_000: 2.5, 30_000_000: 1.8}
MAX_PEAK_RATIO = 1.5
MAX_INCREMENTAL_FRACTION = {10_000_000: 0.25}
# The publish step of a full refresh (its own step line): the database's hashed history copy,
# meta_build, the switch; the exports have a line of their own.
MAX_PUBLISH_SECONDS = {10_000_000: 3.0}
PUBLISH_STEP = "publish"
MET, MISSED, NO_TARGET = "MET", "MISSED", "—"


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


def breakdown(label: str, step: str, output: str, measured: float) -> str:
    """The step lines of a step's (median) run's ``output`` as a table. The wall time is the
    run's own (``done in``, from its process's start), else the harness's; a sum below the run's
    own means a step line was not read, which the table says."""
    lines = step_lines(output)
    done = done_line(output)
    wall = done[0] if done else measured
    text = f"{label}, {step}:\n\n{breakdown_table(lines, wall)}"
    shown = sum(line.seconds for line in lines)
    if done and done[1] - shown > 0.05 * (len(lines) + 1):  # beyond the lines' rounding
        text += f"\n(The run says its lines account for {done[1]:.1f} s: a line was not read.)\n"
    return text


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


def publish_table(results: list[SizeResult], run_log: Callable[[str, str], str]) -> str:
    """One row per size: the publish step of its median full refresh, against its target."""
    rows = []
    for result in results:
        label = size_label(result.lines)
        limit = limit_for(MAX_PUBLISH_SECONDS, result.lines)
        steps = [
            line for line in step_lines(run_log(label, "full refresh")) if line.name == PUBLISH_STEP
        ]
        if not steps:
            rows.append(f"| {result.lines:,} | not in the run's output | {NO_TARGET} |")
            continue
        seconds = sum(step.seconds for step in steps)
        rows.append(f"| {result.lines:,} | {seconds:.1f} s | {target_cell(seconds, limit, ' s')} |")
    head = "| lines | publish step of the full refresh | target |\n|---:|---:|---|\n"
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


def write_results(
    results: list[SizeResult], seed: SeedResult, load: float, run_log: Callable[[str, str], str]
) -> str:
    """Write ``bench/results.md``; ``run_log(label, step)`` is the output of a step's median
    run, whose step lines the breakdowns give."""
    facts = "\n".join(f"- {name}: {value}" for name, value in machine().items())
    facts += f"\n- Load average (1 min) when the benchmark started: {load:.2f}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    largest = max(results, key=lambda result: result.lines)
    label = size_label(largest.lines)
    where = "\n".join(
        (
            breakdown(
                label, "full refresh", run_log(label, "full refresh"), largest.pipeline.seconds
            ),
            breakdown(
                label,
                f"incremental +{LAST_YEAR}",
                run_log(label, f"incremental +{LAST_YEAR}"),
                largest.incremental.seconds,
            ),
        )
    )
    text = (
        f"# Benchmark results\n\nMeasured {when} by `make bench`.\n\n{facts}\n\n"
        f"## Targets\n\n{seed_table(seed)}\n{table(results, seed.fixed)}\n"
        f"{publish_table(results, run_log)}\n{seed_note(seed)}\n"
        f"Every run's wall time (the tables give medians):\n\n{runs_detail()}\n\n"
        "## Fixed cost: the seed-size `make run --force`\n\n"
        "The pipeline's own step lines (of the median run), each with its share of the run's "
        "wall time. With no budget lines, all of it is fixed cost. The rows are rounded to "
        "0.1 s, so their sum may differ from the run's wall time by a few tenths.\n\n"
        f"{breakdown(SEED, SEED_WARM, run_log(SEED, SEED_WARM), seed.warm.seconds)}\n"
        f"## Where the pipeline's time goes at {largest.lines:,} lines\n\n{where}\n"
        f"{sides(step_lines(run_log(label, 'full refresh')))}\n"
        f"{METHOD}"
    )
    RESULTS.write_text(text, encoding="utf-8")
    return text
