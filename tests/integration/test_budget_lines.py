"""Budget lines through the real pipeline: the 50 k-line smoke run, and refreshes by fiscal year.

The lines are the benchmark's synthetic ones (``bench/generate.py``): their enacted amounts of
2015–2020 add up to the page's figures, which the tests take from ``tests/source_figures.py``.
The raw folder is hostile where it costs nothing: 2026's file is named with SQL that writes a
file if it is ever pasted into a statement, and the page's registry title is a spreadsheet
formula.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from bench.generate import generate
from pipelines.core.checksums import file_sha256
from pipelines.core.settings import DBT_PROJECT_DIR, PROJECT_ROOT, Settings
from pipelines.lifecycle.exports import BUDGET_CSV, BUDGET_FIELDS
from tests.helpers import replace_in_registry
from tests.integration.conftest import exclusive, run_cli, shared_folder
from tests.source_figures import LEAVES, YEARS

SMOKE_LINES = 50_000
PWNED = "PWNED.csv"
INJECTION = "x.csv'));copy(select 42 as pwned) to '" + PWNED + "';select … read_csv('x.csv"
FORMULA_TITLE = '=HYPERLINK("http://x","y")'
# The tests share one 50 k-line build: one xdist worker runs them all.
pytestmark = pytest.mark.xdist_group("budget_lines")


def make_line_raw(folder: Path) -> Path:
    """The generator's 50 k lines as CSV files in a complete raw folder (hostile names)."""
    raw = generate(SMOKE_LINES, folder)["csv"]
    (year_file,) = (raw / "budget_lines" / "2026").glob("*.csv")
    year_file.rename(year_file.with_name(INJECTION))
    replace_in_registry(
        raw,
        "title: Balanced National Development, Projects and Budget",
        f"title: '{FORMULA_TITLE}'",
    )
    return raw


@pytest.fixture(scope="session")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings]:
    """The 50 k lines and one full refresh of them (with the page) into a new warehouse.

    Made once per session under a lock in the folder the xdist workers share (like
    ``published_build``): the tests below only read it, or copy it (``own_build``)."""
    folder, lock = shared_folder(tmp_path_factory, "smoke_build")
    done = folder / "published"
    with exclusive(lock):
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)  # a run that failed in another worker
            folder.mkdir()
            raw = make_line_raw(folder / "bench")
            settings = Settings.at(raw, folder / "warehouse")
            completed = run_cli("run", settings, "--no-docs")
            assert completed.returncode == 0, completed.stdout + completed.stderr
            done.write_text(str(raw), encoding="utf-8")
    raw = Path(done.read_text(encoding="utf-8"))
    return raw, Settings.at(raw, folder / "warehouse")


@pytest.fixture
def line_raw(smoke: tuple[Path, Settings]) -> Path:
    return smoke[0]


@pytest.fixture
def smoke_build(smoke: tuple[Path, Settings]) -> Settings:
    return smoke[1]


@pytest.fixture
def own_build(smoke_build: Settings, line_raw: Path, tmp_path: Path) -> Iterator[Settings]:
    """A private copy of the smoke build's raw folder and published warehouse, to change."""
    raw = tmp_path / "raw"
    shutil.copytree(line_raw, raw)
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    for name in ("bnd.duckdb",):
        shutil.copy2(smoke_build.warehouse_dir / name, warehouse / name)
    for name in ("reports", "export", "history"):
        shutil.copytree(smoke_build.warehouse_dir / name, warehouse / name)
    yield Settings.at(raw, warehouse)


def _query(database: Path, sql: str, parameters: dict | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, parameters).fetchall()


def _lines_in_files(files: str) -> list[tuple]:
    """Per fiscal year: detail lines and their sum, read straight from the files by DuckDB."""
    with duckdb.connect() as con:
        return con.execute(
            """select fiscal_year, count(*), sum(amount_krw_million)
               from read_csv($files, thousands = ',', header = true,
                             types = {'amount_krw_million': 'BIGINT'})
               where programme_code <> '소계' group by 1 order by 1""",
            {"files": files},
        ).fetchall()


def _year_fingerprints(database: Path) -> dict[int, tuple]:
    """Per fiscal year of ``marts.fct_budget_line``: rows, sum and a hash of every row."""
    rows = _query(
        database,
        """select fiscal_year, count(*), sum(amount_krw_million),
                  bit_xor(hash(fct_budget_line))
           from marts.fct_budget_line group by 1 order by 1""",
    )
    return {year: rest for year, *rest in rows}


def _export_checksums(settings: Settings) -> dict[str, str]:
    """sha256 of every exported Parquet file of the budget lines (a copied year keeps it)."""
    export = settings.export_dir / "fct_budget_line"
    return {str(file.relative_to(export)): file_sha256(file) for file in export.rglob("*.parquet")}


def test_the_50k_smoke_run_publishes_every_line_reconciled_to_the_page(
    smoke_build: Settings, line_raw: Path
) -> None:
    published = smoke_build.published_db
    files = f"{line_raw}/budget_lines/*/*.csv"
    assert _query(published, "select count(*) from marts.fct_budget_line") == [(SMOKE_LINES,)]
    by_year = _query(
        published,
        "select fiscal_year, count(*), sum(amount_krw_million) "
        "from marts.fct_budget_line group by 1 order by 1",
    )
    assert by_year == _lines_in_files(files)
    # Across grains: the lines add up to the page's figures (typed from the page).
    sums = _query(
        published,
        f"""select fiscal_year, account_code, level_code, sum(amount_krw_million)
            from marts.fct_budget_line
            where phase = 'enacted' and fiscal_year between {YEARS[0]} and {YEARS[-1]}
            group by all""",
    )
    assert {(year, account, level): amount for year, account, level, amount in sums} == {
        (year, account, level): amounts[index]
        for (account, level), amounts in LEAVES.items()
        for index, year in enumerate(YEARS)
    }
    statuses = _query(
        published,
        "select status, count(*) from audit.audit_budget_line_reconciliation group by 1",
    )
    assert statuses == [("EXACT", len(LEAVES) * len(YEARS))]
    subtotal_rows = _query(
        published, "select status, count(*) from audit.audit_budget_line_subtotals group by 1"
    )
    with duckdb.connect() as con:
        (published_subtotals,) = con.execute(
            "select count(*) from read_csv($files, header = true) where programme_code = '소계'",
            {"files": files},
        ).fetchone()
    assert subtotal_rows == [("MATCH", published_subtotals)]
    organisations = _query(published, "select count(*) from marts.dim_organisation")
    with duckdb.connect() as con:
        expected_organisations = con.execute(
            "select count(distinct organisation_code) from read_csv($files, header = true)",
            {"files": files},
        ).fetchall()
    assert organisations == expected_organisations
    meta = _query(published, "select refresh_kind, base_build_id from marts.meta_build")
    assert meta == [("full", None)]
    # The export: one folder of Parquet per fiscal year, every line once.
    export = smoke_build.export_dir / "fct_budget_line"
    assert len(list(export.glob("fiscal_year=*"))) == len(by_year)
    with duckdb.connect() as con:
        exported = con.execute(
            "select count(*) from read_parquet($files)", {"files": f"{export}/*/*.parquet"}
        ).fetchone()
    assert exported == (SMOKE_LINES,)
    dq = json.loads((smoke_build.reports_dir / "dq.json").read_text(encoding="utf-8"))
    assert dq["status"] == "published"


def test_a_file_named_with_sql_loads_as_itself_and_writes_nothing(
    smoke_build: Settings, line_raw: Path
) -> None:
    source_file = f"budget_lines/2026/{INJECTION}"
    recorded = _query(
        smoke_build.published_db,
        "select fiscal_year, line_count > 0 from raw.budget_line_files where source_file = $file",
        {"file": source_file},
    )
    assert recorded == [(2026, True)]
    lines = _query(
        smoke_build.published_db,
        "select count(*) from marts.fct_budget_line where fiscal_year = 2026",
    )
    assert lines == _query(
        smoke_build.published_db,
        "select line_count from raw.budget_line_files where fiscal_year = 2026",
    )
    # The injected COPY would write PWNED.csv relative to the run's or dbt's working folder.
    for folder in (PROJECT_ROOT, DBT_PROJECT_DIR, Path(tempfile.gettempdir())):
        assert not (folder / PWNED).exists(), folder
    for folder in (line_raw, smoke_build.warehouse_dir):
        assert not list(folder.rglob(PWNED)), folder


def test_no_text_cell_of_budget_csv_is_a_spreadsheet_formula(smoke_build: Settings) -> None:
    with (smoke_build.export_dir / BUDGET_CSV).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    text = [name for name, kind, _ in BUDGET_FIELDS if kind == "string"]
    for row in rows:
        for column in text:
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert {row["source_title"] for row in rows} == {f"'{FORMULA_TITLE}"}


def test_a_refresh_of_fiscal_years_leaves_the_other_years_untouched_and_a_bad_one_changes_nothing(
    own_build: Settings,
) -> None:
    """One run reprocesses a changed year (2026) and adds a new one (2027), after a run adding a
    bad 2027 was refused: every other year, the page's facts and the other years' exported
    bytes stay as they were."""
    settings = own_build
    before = _year_fingerprints(settings.published_db)
    budget_before = _query(settings.published_db, "select * from marts.fct_budget order by all")
    ((previous_build,),) = _query(settings.published_db, "select build_id from marts.meta_build")
    exports_before = _export_checksums(settings)
    # A new fiscal year, 2027, whose fourth line has a phase nobody knows: refused at ingest.
    source = next((settings.data_raw_dir / "budget_lines" / "2026").glob("*.csv"))
    new_year = settings.data_raw_dir / "budget_lines" / "2027"
    new_year.mkdir()
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = [lines[0], *(line.replace("2026,", "2027,", 1) for line in lines[1:])]
    bad[3] = bad[3].replace(",enacted,", ",enacted_twice,").replace(",proposed,", ",x,")
    (new_year / "lines.csv").write_text("".join(bad), encoding="utf-8")
    sha_before = file_sha256(settings.published_db)

    refused = run_cli("run", settings, "--years", "2027", "--no-docs")
    assert refused.returncode != 0
    assert f"{new_year / 'lines.csv'}, line 4, column phase" in refused.stdout + refused.stderr
    assert file_sha256(settings.published_db) == sha_before

    # 2027 fixed; 2026's file replaced: one organisation's lines (and its subtotals) are gone.
    fixed = [lines[0], *(line.replace("2026,", "2027,", 1) for line in lines[1:])]
    (new_year / "lines.csv").write_text("".join(fixed), encoding="utf-8")
    kept = [line for line in lines if ",ORG0005," not in line]
    assert len(kept) < len(lines)
    source.write_text("".join(kept), encoding="utf-8")

    completed = run_cli("run", settings, "--years", "2026-2027", "--no-docs")
    assert completed.returncode == 0, completed.stdout + completed.stderr

    after = _year_fingerprints(settings.published_db)
    changed = (2026, 2027)
    assert {year: fp for year, fp in after.items() if year not in changed} == {
        year: fp for year, fp in before.items() if year not in changed
    }
    (expected_2026,) = _lines_in_files(str(source))
    assert (2026, *after[2026][:2]) == expected_2026 and after[2026] != before[2026]
    (expected_2027,) = _lines_in_files(str(new_year / "lines.csv"))
    assert (2027, *after[2027][:2]) == expected_2027 and 2027 not in before
    assert _query(settings.published_db, "select * from marts.fct_budget order by all") == (
        budget_before
    )
    meta = _query(
        settings.published_db,
        "select refresh_kind, base_build_id, fiscal_years_processed from marts.meta_build",
    )
    assert meta == [("fiscal_years", previous_build, "[2026, 2027]")]
    # Two years of export work: the other years' Parquet files are the previous build's bytes
    # (copied, never linked: a kept build shares no file with the published one).
    exports_after = _export_checksums(settings)
    new_files = {file for file in exports_after if "fiscal_year=2027" in file}
    assert new_files and exports_after.keys() - new_files == exports_before.keys()
    for file, checksum in exports_before.items():
        assert (exports_after[file] == checksum) == ("fiscal_year=2026" not in file), file
    # The other checks of the published build still stand in its report.
    dq = json.loads((settings.reports_dir / "dq.json").read_text(encoding="utf-8"))
    assert dq["status"] == "published"


def test_a_full_refresh_over_some_fiscal_years_only_is_refused(
    own_build: Settings,
) -> None:
    """From the UI, "materialize all" for one partition would build a new file with one year."""
    import dagster as dg

    from pipelines.checks.check_report import root_cause
    from pipelines.definitions import build_definitions
    from pipelines.lifecycle.run_lock import release_run_lock

    settings = own_build
    sha_before = file_sha256(settings.published_db)
    job = build_definitions(settings).resolve_job_def("refresh_warehouse")
    try:
        result = job.execute_in_process(
            partition_key="2026", instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    finally:
        release_run_lock(settings)
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    message = root_cause(failure.event_specific_data.error)
    assert "must cover every fiscal year (2005–" in message and "2026–2026 only" in message
    assert file_sha256(settings.published_db) == sha_before
