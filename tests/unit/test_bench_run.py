"""The benchmark harness (bench/run.py): its reading of a run's output (step lines, the last
line), its verdicts per size, and the raw folder of the incremental run."""

from __future__ import annotations

from pathlib import Path

from bench import run
from bench.measure import Measurement
from bench.results_md import (
    MET,
    MISSED,
    NO_TARGET,
    breakdown_table,
    limit_for,
    publish_table,
    target_cell,
    verdict,
)
from bench.run import link_raw
from bench.timings import SizeResult, StepLine, done_line, median_run, says_up_to_date, step_lines

# A forced seed-size run's output, as `python -m pipelines run` prints it (lines copied from a
# run; the figures shortened by hand so that the sums are easy to check).
FORCED_RUN = """\
building /tmp/benchseed from /work/main/data_raw (full refresh)
  startup    Python and the command line's imports                               0.2 s
  inputs     rebuilding: forced (--force)                                        0.1 s
  imports    Dagster, dagster-dbt and the pipeline's Dagster modules             3.5 s
full log: /tmp/benchseed/.build/logs/run-20261206T015506Z-1687.log
  prepare    dbt manifest up to date                                             0.0 s
  load       the definitions (assets, checks, jobs) from dbt's manifest          0.8 s
  ingest     1 file(s), 42 budget cells                                          0.1 s
  ingest     budget lines 2005–2027: 0 lines, 0 subtotals, 0 file(s)             0.1 s
  ingest     plan documents: 11 project areas, 8 formulation methods, 4 budget change notes, 4 plans    0.2 s
  transform  dbt build: 161 tests passed, 0 warned                              10.3 s
  audit      2 GX suites: 4 expectations passed, 0 failed                        0.2 s
  audit      3 GX suites: 16 expectations passed, 0 failed                       0.4 s
  publish    build 20261206T015527Z-ca736c95: 21 marts, Parquet and Fiscal Data Package    0.7 s
  report     /tmp/benchseed/reports/index.html and dq.json                       0.1 s
  dagster    the run's own work between steps (events, run storage)              0.6 s
  docs       kept site copied                                                    0.1 s
179 checks: 179 passed, 0 warnings, 0 failed (each one is in the report)
rows:
    marts.dim_account                               5
    marts.fct_budget_line                           0
published: /tmp/benchseed/bnd.duckdb (sha256 31e8e79934d2fa386f82c18e12c3053cdb985c1d129122920fb7e26faadda5ce)
done in 17.5 s; the lines above account for 17.4 s (99 %)
"""  # noqa: E501 (the pipeline prints its long lines as they are)

NO_CHANGE_RUN = """\
building /tmp/benchseed from /work/main/data_raw (full refresh)
  startup    Python and the command line's imports                               0.2 s
  inputs     unchanged since build 20261206T015527Z-ca736c95: data_raw/, registry, code    0.0 s
up to date (build 20261206T015527Z-ca736c95, published 2026-12-06 01:55 UTC)
published: /tmp/benchseed/bnd.duckdb (unchanged)
`make run FORCE=1` (--force) builds it again anyway
done in 0.3 s; the lines above account for 0.3 s (99 %)
"""


def test_every_step_line_is_read_and_nothing_else() -> None:
    found = step_lines(FORCED_RUN)
    assert [line.name for line in found] == [
        "startup",
        "inputs",
        "imports",
        "prepare",
        "load",
        "ingest",
        "ingest",
        "ingest",
        "transform",
        "audit",
        "audit",
        "publish",
        "report",
        "dagster",
        "docs",
    ]
    assert found[8] == StepLine("transform", "dbt build: 161 tests passed, 0 warned", 10.3)
    assert found[7] == StepLine(
        "ingest",
        "plan documents: 11 project areas, 8 formulation methods, 4 budget change notes, 4 plans",
        0.2,
    )
    assert found[1] == StepLine("inputs", "rebuilding: forced (--force)", 0.1)


def test_the_runs_last_line_gives_its_wall_time_and_what_its_lines_hold() -> None:
    assert done_line(FORCED_RUN) == (17.5, 17.4)
    assert done_line("building …\n") is None


def test_breakdown_gives_each_parts_share_and_the_total_line() -> None:
    lines = [
        StepLine("imports", "Dagster, dagster-dbt and the pipeline's Dagster modules", 3.5),
        StepLine("transform", "dbt build: 161 tests passed, 0 warned", 10.3),
        StepLine("audit", "2 GX suites: 4 expectations passed, 0 failed", 0.2),
    ]
    table = breakdown_table(lines, 25.0)
    assert table.splitlines() == [
        "| part | what | time | share of the wall time |",
        "|---|---|---:|---:|",
        "| imports | Dagster, dagster-dbt and the pipeline's Dagster modules | 3.5 s | 14 % |",
        "| transform | dbt build: 161 tests passed, 0 warned | 10.3 s | 41 % |",
        "| audit | 2 GX suites: 4 expectations passed, 0 failed | 0.2 s | 1 % |",
        "",
        "done in 25.0 s; the lines above account for 14.0 s (56 %)",
    ]


def test_the_forced_runs_lines_add_up_to_what_the_run_says() -> None:
    assert round(sum(line.seconds for line in step_lines(FORCED_RUN)), 1) == 17.4


def test_only_a_run_that_stopped_as_up_to_date_counts_as_no_change() -> None:
    assert says_up_to_date(NO_CHANGE_RUN)
    assert not says_up_to_date(FORCED_RUN)


def test_the_median_runs_log_stands_for_the_step() -> None:
    assert median_run([29.8, 32.1, 28.3]) == 1
    assert median_run([45.2, 41.8, 39.1]) == 2
    assert median_run([9.0]) == 1
    assert median_run([10.0, 12.0]) == 1  # median 11.0: both as near, the first


def test_targets_apply_per_size_or_to_every_size() -> None:
    assert limit_for({10_000_000: 2.5, 30_000_000: 1.8}, 10_000_000) == 2.5
    assert limit_for({10_000_000: 2.5, 30_000_000: 1.8}, 30_000_000) == 1.8
    assert limit_for({10_000_000: 2.5, 30_000_000: 1.8}, 1_000_000) is None
    assert limit_for(1.5, 1_000_000) == 1.5


def test_verdicts_and_target_cells() -> None:
    assert verdict(2.5, 2.5) == MET == "MET"
    assert verdict(2.51, 2.5) == MISSED == "MISSED"
    assert verdict(24.1, None) == NO_TARGET == "—"
    assert target_cell(4.61, 2.5, "×") == "≤ 2.5×: MISSED"
    assert target_cell(1.15, 1.5, "×") == "≤ 1.5×: MET"
    assert target_cell(0.3, 5.0, " s") == "≤ 5 s: MET"
    assert target_cell(24.11, None, "×") == "—"


def _result(lines: int, base: float, pipeline: float, incremental: float) -> SizeResult:
    mib = 2**20
    return SizeResult(
        lines,
        baseline=Measurement(base, 1000 * mib, 0),
        pipeline=Measurement(pipeline, 1200 * mib, 0),
        refresh_21=Measurement(pipeline, 1200 * mib, 0),
        incremental=Measurement(incremental, 900 * mib, 0),
    )


def test_the_table_gives_a_verdict_only_where_a_size_has_a_target() -> None:
    fixed = Measurement(20.0, 500 * 2**20, 0)
    rows = run.table(
        [_result(1_000_000, 1.0, 24.0, 18.0), _result(10_000_000, 10.0, 24.0, 5.0)], fixed
    ).splitlines()[2:]
    one_m, ten_m = ([cell.strip() for cell in row.split("|")[1:-1]] for row in rows)
    # lines, baseline, pipeline, wall ratio and its target, …, peak ratio and its target, …,
    # the incremental fraction and its target.
    assert one_m[0] == "1,000,000" and one_m[3:5] == ["24.00×", "—"]
    assert one_m[7:9] == ["1.20×", "≤ 1.5×: MET"]
    assert one_m[12:14] == ["75 %", "—"]
    assert ten_m[3:5] == ["2.40×", "≤ 2.5×: MET"]
    assert ten_m[12:14] == ["21 %", "≤ 25 %: MET"]


def _publishing_in(seconds: str):
    """A ``run_log`` whose full refreshes printed ``FORCED_RUN`` with a publish of ``seconds``."""
    output = FORCED_RUN.replace("Package    0.7 s", f"Package    {seconds} s")
    assert output != FORCED_RUN or seconds == "0.7"
    return lambda label, step: output if step == "full refresh" else ""


def test_the_publish_step_of_the_full_refresh_is_held_to_its_target() -> None:
    sizes = [_result(1_000_000, 1.0, 24.0, 18.0), _result(10_000_000, 10.0, 24.0, 5.0)]
    cells = [
        [cell.strip() for cell in row.split("|")[1:-1]]
        for seconds in ("3.0", "3.1")
        for row in publish_table(sizes, _publishing_in(seconds)).splitlines()[2:]
    ]
    assert cells == [
        ["1,000,000", "3.0 s", "—"],
        ["10,000,000", "3.0 s", "≤ 3 s: MET"],
        ["1,000,000", "3.1 s", "—"],
        ["10,000,000", "3.1 s", "≤ 3 s: MISSED"],
    ]
    no_publish = publish_table(sizes[1:], lambda label, step: NO_CHANGE_RUN).splitlines()[2]
    assert no_publish == "| 10,000,000 | not in the run's output | — |"


def test_the_incremental_raw_folder_shares_the_files_without_symbolic_links(
    tmp_path: Path,
) -> None:
    source = tmp_path / "csv"
    for name in ("000_cad87574ba41ba74.txt", "cited_account_figures.csv", "sources.yml"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(name, encoding="utf-8")
    for year in (2025, 2026):
        (source / "budget_lines" / str(year)).mkdir(parents=True)
        (source / "budget_lines" / str(year) / "lines.csv").write_text(str(year), encoding="utf-8")
    target = tmp_path / "raw"
    link_raw(source, target, range(2025, 2026))
    assert sorted(path.name for path in (target / "budget_lines").iterdir()) == ["2025"]
    link_raw(source, target, range(2026, 2027))  # the new year joins the same folder
    linked = sorted(path.relative_to(target) for path in target.rglob("*") if path.is_file())
    assert linked == [
        Path("000_cad87574ba41ba74.txt"),
        Path("budget_lines/2025/lines.csv"),
        Path("budget_lines/2026/lines.csv"),
        Path("cited_account_figures.csv"),
        Path("sources.yml"),
    ]
    assert not any(path.is_symlink() for path in target.rglob("*"))
    assert (target / "budget_lines/2026/lines.csv").samefile(source / "budget_lines/2026/lines.csv")


def test_the_two_sides_of_a_ratio_take_turns(tmp_path: Path, monkeypatch) -> None:
    # A slower spell of the machine must fall on the baseline and the pipeline alike: each round
    # runs both, and each side's figure is the median of its own runs.
    monkeypatch.setattr(run, "LOG_DIR", tmp_path)
    monkeypatch.setenv(run.REPEAT_ENV, "3")
    order: list[str] = []
    seconds = {"baseline": iter([9.0, 8.0, 10.0]), "full refresh": iter([24.0, 22.0, 26.0])}

    def side(name: str):
        def measured() -> Measurement:
            order.append(name)
            return Measurement(next(seconds[name]), 2**30, 0)

        return measured

    medians = run.repeated_in_turn(
        "10m", {"baseline": side("baseline"), "full refresh": side("full refresh")}
    )

    assert order == ["baseline", "full refresh"] * 3
    assert medians["baseline"].seconds == 9.0
    assert medians["full refresh"].seconds == 24.0
    assert run.RUNS[("10m", "baseline")] == [9.0, 8.0, 10.0]
