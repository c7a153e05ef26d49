"""Budget tables of every format in real runs: a second source compared with the page, control
totals, the current view; and every bad input stopping the run at ingest without publishing."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.refresh import RunOutcome, execute_refresh
from pipelines.core.checksums import file_sha256
from pipelines.core.settings import Settings
from pipelines.landing.rejections import REJECTED_FILES
from pipelines.sources.registry import load_registry
from tests.conftest import DATA_RAW
from tests.integration.conftest import Build, LastGood, run_cli
from tests.source_figures import HISTORY_FILE, LEAVES, PAGE_FILE, ROWS, TOTALS, YEARS
from tests.unit.test_table_formats import BAD, BAD_INPUTS, FIXTURES

SECOND_SOURCES = {
    "seven_rows_cp949_eok.csv": "csv",
    "seven_rows_en.xlsx": "xlsx",
    "seven_rows.html": "html",
    "control_totals.csv": "control_totals",
    "control_totals_mismatch.csv": "control_totals",
    "control_totals_ministry.csv": "control_totals",
}
# A ministry's totals in its own columns, registered as published (no line column).
EXTRA = {
    "control_totals_ministry.csv": (
        "    line: Total\n    columns: {year: fiscal_year, source: stated_by, remarks: note}\n"
    )
}


def register(raw_dir: Path, path: Path, file_format: str, extra: str = "") -> None:
    """Copy a fixture into ``raw_dir`` and append its registry entry."""
    shutil.copy(path, raw_dir / path.name)
    with (raw_dir / "sources.yml").open("a", encoding="utf-8") as registry:
        registry.write(
            f"  - file: {path.name}\n    format: {file_format}\n    title: fixture {path.name}\n"
            f"    publisher: tests\n    publication_date: 2020-12-02\n{extra}"
        )


def test_three_formats_beside_the_page_agree_within_precision(
    raw_copy: Path, tmp_path: Path
) -> None:
    for name, file_format in SECOND_SOURCES.items():
        register(raw_copy, FIXTURES / name, file_format, EXTRA.get(name, ""))
    settings = Settings.at(raw_copy, tmp_path / "warehouse")

    outcome = execute_refresh(settings)

    assert outcome.published, outcome.step_failures
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        comparisons = con.execute(
            """select comparison_kind, source_file, other_source, status, is_blocking,
                      difference_krw_million, tolerance_krw_million, fiscal_year, reason
               from audit.audit_source_comparison"""
        ).fetchall()
        facts = con.execute(
            """select source_file, fiscal_year, account_code, level_code, amount_krw_million,
                      precision_krw_million
               from marts.fct_budget"""
        ).fetchall()
        current = con.execute(
            "select count(*), count(distinct source_file), min(n_candidates) "
            "from marts.fct_budget_current"
        ).fetchone()
        because = con.execute(
            "select distinct source_file, chosen_because from marts.fct_budget_current"
        ).fetchall()
    tables = [PAGE_FILE, "seven_rows.html", "seven_rows_cp949_eok.csv", "seven_rows_en.xlsx"]
    cross = [row for row in comparisons if row[0] == "cross_source"]
    # every pair of the four tables, 7 lines x 6 years each
    assert len(cross) == 6 * 7 * len(YEARS)
    assert {row[3] for row in cross} == {"EXACT", "WITHIN_TOLERANCE"}
    for _, this, other, status, _, difference, tolerance, _, _ in cross:
        coarse = "seven_rows_cp949_eok.csv" in (this, other)
        assert status == ("WITHIN_TOLERANCE" if coarse and difference else "EXACT")
        assert abs(difference) <= (50 if coarse else 0) and tolerance == (50 if coarse else 0.5)
    # Control totals in 조원 agree with every table; the wrong report's 2018 figure is reported as
    # a mismatch with each table, and does not block publishing (not marked blocking).
    controls = [row for row in comparisons if row[0] == "control_total"]
    good = [row for row in controls if row[2] == "control_totals.csv"]
    assert len(good) == len(tables) * len(YEARS)
    assert {row[3] for row in good} <= {"EXACT", "WITHIN_TOLERANCE"}
    bad = [row for row in controls if row[2] == "control_totals_mismatch.csv"]
    assert [(row[3], row[4]) for row in bad] == [("MISMATCH", False)] * len(tables)
    # The ministry's totals, read through the registry's column mapping, with the precision as
    # published (0.1 조원 → ±50,000): 2018 agrees; 2019 is 51,469 off the page, beyond half the
    # published step (it would have passed as the half step of the old input); the years no
    # table holds are listed as NOT_COMPARED with the reason.
    ministry = {}
    for row in controls:
        if row[2] == "control_totals_ministry.csv":
            ministry.setdefault(row[7], []).append(row)
    assert {year: len(rows) for year, rows in ministry.items()} == {
        2009: 1,
        2012: 1,
        2018: 4,
        2019: 4,
        2022: 1,
    }
    assert {(row[3], row[6]) for row in ministry[2018]} == {("WITHIN_TOLERANCE", 50_000)}
    assert {(row[3], row[4], row[6]) for row in ministry[2019]} == {("MISMATCH", False, 50_000)}
    assert {row[5] for row in ministry[2019] if row[1] == PAGE_FILE} == {51_469}
    for year in (2009, 2012, 2022):
        ((_, fact, _, status, blocking, _, _, _, reason),) = ministry[year]
        assert (fact, status, blocking) == (None, "NOT_COMPARED", False)
        assert reason == f"no budget table holds fiscal year {year}"
    # Each table's facts are the page's within the table's precision.
    for source_file, year, account, level, amount, precision in facts:
        expected = LEAVES[(account, level)][YEARS.index(year)]
        assert abs(amount - expected) <= precision, (source_file, year, account)
    assert {row[0] for row in facts} == set(tables)
    assert current == (len(LEAVES) * len(YEARS), 1, len(tables))
    # Two tables to the KRW million, both dated: a tie on every criterion, so the file registered
    # first (the workbook, appended after the committed entries) serves the figures, and the rows
    # say so.
    workbook = next(s for s in load_registry(raw_copy) if s.file == "seven_rows_en.xlsx")
    assert because == [
        (
            "seven_rows_en.xlsx",
            "TIE with 1 other source(s) on precision, phase and publication date: "
            f"the one registered first in sources.yml (entry {workbook.registry_order})",
        )
    ]
    assert TOTALS  # the totals are reconciled by the GX suite, which passed
    # The mismatch is a warning, not a failure, in the run and in the published report.
    assert [check.name for check in outcome.warnings] == ["assert_source_comparisons_match"]
    assert outcome.failed_checks == []
    dq = json.loads((settings.reports_dir / "dq.json").read_text(encoding="utf-8"))
    assert dq["status"] == "published" and dq["summary"]["warned"] == 1
    assert {row["status"] for row in dq["comparisons"]} == {
        "EXACT",
        "WITHIN_TOLERANCE",
        "MISMATCH",
        "ACKNOWLEDGED",
        "NOT_COMPARED",
    }
    # data_raw/'s acknowledgements name the page: the same published totals against the
    # workbook's figures are differences nobody accepted, and stay MISMATCH.
    acknowledged = {
        (row["fiscal_year"], row["source_file"])
        for row in dq["comparisons"]
        if row["status"] == "ACKNOWLEDGED"
    }
    assert acknowledged == {(2015, PAGE_FILE), (2019, PAGE_FILE)}
    # (The history's control totals of data_raw/ are compared too; these are the test's own.)
    not_compared = [
        row
        for row in dq["comparisons"]
        if row["status"] == "NOT_COMPARED" and row["other_source"] != HISTORY_FILE
    ]
    assert sorted(row["fiscal_year"] for row in not_compared) == [2009, 2012, 2022]
    assert {row["reason"] for row in not_compared} >= {"no budget table holds fiscal year 2012"}
    report = (settings.reports_dir / "index.html").read_text(encoding="utf-8")
    assert 'id="comparisons"' in report and "MISMATCH" in report
    comparisons_html = report[report.index('id="comparisons"') :]
    assert "NOT_COMPARED" in comparisons_html
    assert "no budget table holds fiscal year 2022" in comparisons_html
    # Four sources of the same years: the charts still show each year once (the current view).
    for year, total in zip(YEARS, TOTALS["bnd_special_account"], strict=True):
        bars = [row["amount"] for row in dq["charts"]["by_account"] if row["fiscal_year"] == year]
        assert abs(sum(bars) - total) <= len(LEAVES) * 50
        shares = [row["share"] for row in dq["charts"]["formulator"] if row["fiscal_year"] == year]
        assert abs(sum(shares) - 100) < 1e-6


def test_the_exact_figures_are_the_value_of_record_whichever_file_name_sorts_last(
    raw_copy: Path, tmp_path: Path
) -> None:
    # The page's table to the KRW million, and the same table rounded to whole 억원 under a name
    # that sorts before the page's and one that sorts after it, both published later.
    rounded = FIXTURES / "seven_rows_cp949_eok.csv"
    names = ["000_000_rounded.csv", "zzz_rounded.csv"]
    assert sorted([*names, PAGE_FILE]) == [names[0], PAGE_FILE, names[1]]
    for name in names:
        shutil.copy(rounded, tmp_path / name)
        register(raw_copy, tmp_path / name, "csv", "    publication_date: 2021-06-30\n")
    settings = Settings.at(raw_copy, tmp_path / "warehouse")

    outcome = execute_refresh(settings)

    assert outcome.published, outcome.step_failures
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        current = con.execute(
            """select account_code, level_code, fiscal_year, amount_krw_million, source_file,
                      chosen_because, n_candidates
               from marts.fct_budget_current"""
        ).fetchall()
    assert len(current) == len(LEAVES) * len(YEARS)
    for account, level, year, amount, source_file, because, candidates in current:
        assert amount == LEAVES[(account, level)][YEARS.index(year)], (account, level, year)
        assert (source_file, candidates) == (PAGE_FILE, 3)
        assert because == "most precise (±0.5 vs ±50 KRW million)"


def test_blocking_comparisons_stop_publishing_naming_file_year_figures_and_ratio(
    raw_copy: Path, last_good: LastGood
) -> None:
    # A control total marked blocking that disagrees, and a table whose unit line says 억원 while
    # its figures are the page's KRW million (every figure 100x off), registered with defaults.
    register(
        raw_copy,
        FIXTURES / "control_totals_mismatch.csv",
        "control_totals",
        "    blocking_comparisons: true\n",
    )
    register(raw_copy, FIXTURES / "seven_rows_unit_slip.csv", "csv")
    settings = last_good.settings

    completed = run_cli("run", settings)

    assert completed.returncode != 0
    out = completed.stdout
    assert "FAILED check assert_blocking_source_comparisons_match" in out
    assert "Got " not in out.split("FAILED check assert_blocking")[1].split("\n")[1]
    total_2015 = ROWS["Total"][1][0]
    assert (
        f"UNIT_MISMATCH 2015 bnd_special_account total enacted: {PAGE_FILE}:54 [2015] "
        f"{total_2015:,} vs seven_rows_unit_slip.csv:3 [2015년] {total_2015 * 100:,} KRW million, "
        "ratio 100,"
    ) in out
    # Every figure of the page against the slipped table (the history's control totals of 2015
    # and 2020 see the slip too, on lines of their own).
    slips = [
        line
        for line in out.splitlines()
        if line.startswith("    - UNIT_MISMATCH") and f"{PAGE_FILE}:" in line
    ]
    assert len(slips) == len(ROWS) * len(YEARS)
    assert all("seven_rows_unit_slip.csv" in line and "ratio 100," in line for line in slips)
    mismatch = [line for line in out.splitlines() if line.startswith("    - MISMATCH 2018")]
    assert any(
        f"{PAGE_FILE}:54 [2018] {ROWS['Total'][1][3]:,} vs control_totals_mismatch.csv:2 "
        "12,000,000 KRW million, ratio 1.21336" in line
        for line in mismatch
    )
    assert f"NOT published: {settings.published_db} unchanged" in out
    assert last_good.published_unchanged()
    # The failed build's report lists the same rows under the failed check.
    dq = json.loads((settings.build_reports_dir / "dq.json").read_text(encoding="utf-8"))
    (failed,) = [check for check in dq["checks"] if check["status"] == "fail"]
    assert "assert_blocking_source_comparisons_match" in failed["check_id"]
    ours = [row for row in failed["offending_rows"] if row["other_source"] != HISTORY_FILE]
    assert len(ours) == len(ROWS) * len(YEARS) + 2
    assert {row["ratio"] for row in failed["offending_rows"] if row["status"] == "UNIT_MISMATCH"}
    report = (settings.build_reports_dir / "index.html").read_text(encoding="utf-8")
    failures = report[report.index('id="failures"') : report.index('id="reconciliation"')]
    assert "seven_rows_unit_slip.csv" in failures and "UNIT_MISMATCH" in failures


@dataclass(frozen=True)
class BadInputsRun:
    """One run over a raw folder holding every bad input at once (each registered)."""

    settings: Settings
    published_sha256: str
    outcome: RunOutcome
    records: dict[str, dict]  # rejected_files.json, by file


@pytest.fixture(scope="module")
def bad_inputs_run(
    published_build: Build, tmp_path_factory: pytest.TempPathFactory
) -> BadInputsRun:
    """Ingest checks every file before it stops, so one run rejects each bad input with its own
    message and record; the tests below each look at one file's."""
    folder = tmp_path_factory.mktemp("bad_inputs")
    raw = folder / "data_raw"
    shutil.copytree(DATA_RAW, raw)
    warehouse = folder / "warehouse"
    warehouse.mkdir()
    shutil.copy2(published_build.settings.published_db, warehouse / "bnd.duckdb")
    shutil.copytree(published_build.settings.reports_dir, warehouse / "reports")
    for name, file_format, _, _ in BAD_INPUTS:
        register(raw, BAD / name, file_format)
    settings = Settings.at(raw, warehouse)
    before = file_sha256(settings.published_db)
    outcome = execute_refresh(settings)
    records = json.loads((settings.build_reports_dir / REJECTED_FILES).read_text("utf-8"))
    assert len(records) == len(BAD_INPUTS)  # every bad input, each once, and nothing else
    return BadInputsRun(settings, before, outcome, {record["file"]: record for record in records})


@pytest.mark.xdist_group("bad_inputs")  # one worker, one run of every bad input
@pytest.mark.parametrize(("name", "file_format", "place", "words"), BAD_INPUTS)
def test_each_bad_input_stops_the_run_at_ingest_and_is_recorded(
    bad_inputs_run: BadInputsRun, name: str, file_format: str, place: str, words: str
) -> None:
    settings, outcome = bad_inputs_run.settings, bad_inputs_run.outcome
    assert not outcome.published
    ((step, message),) = outcome.step_failures
    assert step == "raw_budget_pages"
    record = bad_inputs_run.records[name]
    own = record["message"]  # this file's error, and the run's failure lists it
    assert own in message
    assert str(settings.data_raw_dir / name) in own and place in own and words in own
    assert file_sha256(settings.published_db) == bad_inputs_run.published_sha256
    assert record["place"] == own.split(", ", 1)[1].split(":")[0]


def test_every_rejected_file_is_recorded_and_make_run_exits_non_zero(
    raw_copy: Path, last_good: LastGood
) -> None:
    names = ["binary_junk.csv", "two_tables.html", "truncated.xlsx"]
    for name in names:
        register(raw_copy, BAD / name, name.rsplit(".", 1)[1])
    (raw_copy / "stray.csv").write_text("not registered\n", encoding="utf-8")
    settings = last_good.settings

    completed = run_cli("run", settings)

    assert completed.returncode != 0
    out = completed.stdout
    assert "4 raw files rejected:" in out
    assert f"{raw_copy / 'binary_junk.csv'}, line 2: expected text, found a NUL byte" in out
    assert f"{raw_copy / 'two_tables.html'}, table 2 (line 6), table 3 (line 19)" in out
    assert f"NOT published: {settings.published_db} unchanged" in out
    assert last_good.published_unchanged()
    records = json.loads((settings.build_reports_dir / REJECTED_FILES).read_text("utf-8"))
    assert sorted(record["file"] for record in records) == sorted([*names, "stray.csv"])
    # The failed build's report lists them for the analyst, with where and why.
    report = (settings.build_reports_dir / "index.html").read_text(encoding="utf-8")
    rejected = report[report.index('id="rejected-files"') : report.index('id="reconciliation"')]
    for name in [*names, "stray.csv"]:
        assert f"<td>{name}</td>" in rejected
    assert "a NUL byte" in rejected


def test_a_warehouse_of_budget_tables_alone_builds_with_empty_plan_marts(tmp_path: Path) -> None:
    """No registered source carries plan documents: the budget figures publish, the plan marts
    are empty, the plan rules say they were not applied, and the report says why. The tables are
    the forms the parser once refused: a long table with a ministry's column names, semicolons
    below a title line, UTF-16 with a byte-order mark."""
    raw_dir = tmp_path / "data_raw"
    raw_dir.mkdir()
    (raw_dir / "sources.yml").write_text("defaults:\n  phase: enacted\nsources:\n", "utf-8")
    tables = ["long_krw_million_names.csv", "semicolon_title.csv", "utf16le_bom.csv"]
    for name in tables:
        register(raw_dir, FIXTURES / name, "csv")
    settings = Settings.at(raw_dir, tmp_path / "warehouse")

    outcome = execute_refresh(settings)

    assert outcome.published, outcome.step_failures
    assert outcome.failed_checks == [] and outcome.warnings == []
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        facts = con.execute(
            "select source_file, fiscal_year, account_code, level_code, amount_krw_million "
            "from marts.fct_budget"
        ).fetchall()
        plan_rows = con.execute(
            """select (select count(*) from marts.dim_plan)
                    + (select count(*) from marts.dim_project_area)
                    + (select count(*) from marts.dim_funding_scope)
                    + (select count(*) from marts.dim_formulation_method)
                    + (select count(*) from marts.dim_budget_change_note)"""
        ).fetchone()[0]
        rules = con.execute(
            "select check_code, bool_and(is_consistent), string_agg(distinct finding, ' | ') "
            "from audit.audit_plan_structure group by 1"
        ).fetchall()
    assert len(facts) == len(tables) * len(LEAVES) * len(YEARS)
    for source_file, year, account, level, amount in facts:
        assert amount == LEAVES[(account, level)][YEARS.index(year)], (source_file, year)
    assert plan_rows == 0
    assert len(rules) == 7 and all(consistent for _, consistent, _ in rules)
    findings = dict((code, finding) for code, _, finding in rules)
    assert findings["budget_line_method"].startswith("not applied: no registered source")
    assert "no plan documents registered" in findings["declared_count"]
    dq = json.loads((settings.reports_dir / "dq.json").read_text(encoding="utf-8"))
    assert dq["status"] == "published" and dq["build"]["plan_documents"] == []
    report = (settings.reports_dir / "index.html").read_text(encoding="utf-8")
    assert 'id="no-plan-documents"' in report and 'id="chart-formulator"' not in report
