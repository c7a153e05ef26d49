"""What a published build offers besides its tables: the build record, exports (Parquet, the
Fiscal Data Package, CSV and a workbook for Excel), its schemas, old clients."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import textwrap
from collections import defaultdict
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.core.settings import DBT_TARGET_DIR, EXPECTATIONS_DIR, PROJECT_ROOT
from pipelines.core.sql import quote_identifier
from pipelines.lifecycle.column_names import column_names
from pipelines.lifecycle.excel_export import (
    BOM,
    COLUMNS_SHEET,
    TABLES_SHEET,
    WORKBOOK,
    csv_download,
    download_tables,
)
from pipelines.lifecycle.published_schemas import refresh_needs
from tests.conftest import DATA_RAW
from tests.integration.conftest import OLD_CLIENT_PYTHON, Build, run_cli
from tests.source_figures import (
    GURI_BOOK,
    HISTORY_FILE,
    LEAVES,
    PAGE_FILE,
    PAGE_SHA256,
    PROJECT_AREAS,
    TOTALS,
    YEARS,
)

FRICTIONLESS = PROJECT_ROOT / ".venv" / "bin" / "frictionless"


@pytest.fixture
def meta(published_build: Build) -> dict:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        cursor = con.execute("select * from marts.meta_build")
        (row,) = cursor.fetchall()
        return dict(zip([column[0] for column in cursor.description], row, strict=True))


def test_meta_build_says_which_build_from_what_and_what_was_checked(
    published_build: Build, meta: dict
) -> None:
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert meta["code_version"].startswith(head[:12])
    assert meta["run_id"].startswith(meta["build_id"].split("-")[1])
    assert meta["started_at_utc"] < meta["finished_at_utc"]
    # Every file of data_raw/ that decides a figure or a status (the README does not).
    expected = [{"file": PAGE_FILE, "sha256": PAGE_SHA256, "size_bytes": 5833}]
    for name in ("acknowledged_differences.csv", HISTORY_FILE, GURI_BOOK):
        path = DATA_RAW / name
        expected.append(
            {
                "file": name,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "size_bytes": path.stat().st_size,
            }
        )
    assert json.loads(meta["raw_files"]) == expected
    # The storage format DuckDB 1.x reads, and every mart's row count as it is in the file.
    assert meta["storage_version"] == "v1.0.0"
    counts = json.loads(meta["mart_row_counts"])
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        marts = {
            f"marts.{name}"
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert set(counts) == marts - {"marts.meta_build"}
    # Against the page: 5 leaf lines × 6 years, 11 project areas, 8 methods, 4 notes, 6 years.
    assert counts["marts.fct_budget"] == len(LEAVES) * len(YEARS)
    assert counts["marts.dim_project_area"] == len(PROJECT_AREAS) == 11
    assert counts["marts.dim_formulation_method"] == 8
    assert counts["marts.dim_budget_change_note"] == 4
    assert counts["marts.dim_year"] == len(YEARS)
    # One count of checks: every dbt data test of the project (its manifest; unit tests test
    # the code, in the test suite, not each build) and every GX expectation of the committed
    # suites, the same in meta_build, dq.json, the report's page and the run's summary line.
    manifest = json.loads((DBT_TARGET_DIR / "manifest.json").read_text(encoding="utf-8"))
    dbt_tests = sum(node["resource_type"] == "test" for node in manifest["nodes"].values())
    expectations = sum(
        len(json.loads(suite.read_text(encoding="utf-8"))["expectations"])
        for suite in (EXPECTATIONS_DIR / "gx" / "expectations").glob("*.json")
    )
    checks = dbt_tests + expectations
    summary = json.loads(meta["check_summary"])
    # Every check passes and none warns: the two published totals that disagree with the page
    # (10.4 조원 for 2015, 10조 5,395억 for 2019) are ACKNOWLEDGED differences
    # (data_raw/acknowledged_differences.csv), counted apart from the checks.
    assert summary == {
        "dbt": {
            "checks": dbt_tests,
            "passed": dbt_tests,
            "warned": 0,
            "failed": 0,
            "not_run": 0,
        },
        "gx": {
            "checks": expectations,
            "passed": expectations,
            "warned": 0,
            "failed": 0,
            "not_run": 0,
        },
    }
    assert (meta["checks"], meta["checks_passed"]) == (checks, checks)
    assert (meta["checks_warned"], meta["checks_failed"]) == (0, 0)
    reports = published_build.settings.reports_dir
    dq = json.loads((reports / "dq.json").read_text(encoding="utf-8"))
    assert dq["summary"]["checks"] == checks
    assert dq["acknowledged"] == 3
    acknowledged = [row for row in dq["comparisons"] if row["status"] == "ACKNOWLEDGED"]
    # 10.4 조원 for 2015 (the KRIHS brief, the ministry's memo) and the Jeju account's 3395억
    # for 2019, as data_raw/acknowledged_differences.csv accepts them, in its order
    assert sorted(
        (row["acknowledgement_locator"], row["fiscal_year"], row["other_amount_krw_million"])
        for row in acknowledged
    ) == [
        ("acknowledged_differences.csv:2", 2015, 10_400_000),
        ("acknowledged_differences.csv:3", 2015, 10_400_000),
        ("acknowledged_differences.csv:4", 2019, 339_500),
    ]
    page = (reports / "index.html").read_text(encoding="utf-8")
    assert f"<b>{checks}</b>checks" in page
    assert '<b class="status ACKNOWLEDGED">3</b></a>acknowledged (not warnings)' in page
    printed = (
        f"{checks} checks: {checks} passed, 0 warnings, 0 failed; 3 differences acknowledged "
        "(each one is in the report)"
    )
    assert printed in published_build.stdout.splitlines()
    assert meta["rolled_back_at_utc"] is None and meta["rolled_back_from_build_id"] is None
    # The history manifest keeps the same record.
    manifest = json.loads((published_build.settings.history_dir / "manifest.json").read_text())
    (entry,) = manifest["builds"]
    assert manifest["current_build_id"] == entry["build_id"] == meta["build_id"]
    assert entry["meta_build"]["check_summary"] == summary


def test_a_duckdb_1x_client_reads_the_published_warehouse(published_build: Build) -> None:
    assert OLD_CLIENT_PYTHON.is_file(), "the DuckDB 1.x environment is made by `make test`"
    script = textwrap.dedent(
        f"""
        import json, duckdb
        con = duckdb.connect({str(published_build.settings.published_db)!r}, read_only=True)
        rows = con.execute(
            "select fiscal_year, sum(amount_krw_million)::bigint from marts.fct_budget "
            "group by 1 order by 1"
        ).fetchall()
        print(json.dumps({{"version": duckdb.__version__, "totals": rows}}))
        """
    )
    completed = subprocess.run(
        [str(OLD_CLIENT_PYTHON), "-c", script], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    answer = json.loads(completed.stdout)
    assert answer["version"].startswith("1.")
    assert answer["totals"] == [
        list(pair) for pair in zip(YEARS, TOTALS["bnd_special_account"], strict=True)
    ]


def test_every_mart_is_exported_as_parquet(published_build: Build) -> None:
    export = published_build.settings.export_dir
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        marts = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        assert "fct_budget" in marts and "meta_build" in marts
        for name in marts:
            # The budget lines: one folder of files per fiscal year; with none in data_raw/ yet,
            # one file of no rows with the table's columns (readable, unlike an empty folder).
            lines = name == "fct_budget_line"
            parquet = export / (f"{name}/**/*.parquet" if lines else f"{name}.parquet")
            exported = con.execute(
                "select * from read_parquet($files) order by all", {"files": str(parquet)}
            ).fetchall()
            first = next((export / name).rglob("*.parquet")) if lines else parquet
            con.execute("select * from read_parquet($file) limit 0", {"file": str(first)})
            parquet_columns = [column[0] for column in con.description]
            table_columns = con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = $name order by ordinal_position",
                {"name": name},
            ).fetchall()
            assert parquet_columns == [column for (column,) in table_columns], name
            table = f"marts.{quote_identifier(name)}"
            assert exported == con.execute(f"select * from {table} order by all").fetchall()


def test_the_fiscal_data_package_is_valid_and_matches_the_page(published_build: Build) -> None:
    export = published_build.settings.export_dir
    completed = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(export / "datapackage.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(completed.stdout)
    assert report["valid"], json.dumps(report, indent=2)[:3000]
    assert completed.returncode == 0

    package = json.loads((export / "datapackage.json").read_text(encoding="utf-8"))
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert sorted(resources) == ["budget", "revenue"]
    resource = resources["budget"]
    fields = {field["name"] for field in resource["schema"]["fields"]}
    measure = package["model"]["measures"]["amount"]
    assert (measure["currency"], measure["factor"]) == ("KRW", 1_000_000)
    assert measure["source"] in fields
    dimensions = package["model"]["dimensions"]
    assert {"account", "level", "fiscal_period", "phase", "revenue_source"} <= set(dimensions)
    columns = {  # each resource's columns
        name: {field["name"] for field in item["schema"]["fields"]}
        for name, item in resources.items()
    }
    for dimension in dimensions.values():  # every attribute maps to a column of its resource
        for attribute in dimension["attributes"].values():
            assert attribute["source"] in columns[attribute.get("resource", "budget")]
        assert set(dimension["primaryKey"]) <= set(dimension["attributes"])
    assert package["fiscalPeriod"] == {"start": "2015-01-01", "end": "2020-12-31"}
    # The page's provenance as registered: no address or date is known, so none is given.
    assert package["sources"][1]["path"] == f"data_raw/{HISTORY_FILE}"
    assert package["sources"][:1] == [
        {
            "title": "Balanced National Development, Projects and Budget",
            "path": f"data_raw/{PAGE_FILE}",
            "sha256": PAGE_SHA256,
            "publisher": "not stated on the page; the budget table cites the Ministry of "
            "Economy and Finance",
            "licence": "not stated on the page",
        }
    ]

    totals: dict[int, int] = defaultdict(int)
    with (export / resource["path"]).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            totals[int(row["fiscal_year"])] += int(row[measure["source"]])
    assert tuple(totals[year] for year in YEARS) == TOTALS["bnd_special_account"]

    # The revenue, a measure of its own resource with direction revenue: 2005 as 매일신문
    # (연합) printed it on 2004-12-06 — 주세 2조9천억, 타회계 전입금 8천500억, 부담금 2천600억
    # "among others" of 5조5천억 — with the part it does not name apart, in KRW million.
    revenue = package["model"]["measures"]["revenue"]
    assert (revenue["direction"], revenue["resource"], revenue["factor"]) == (
        "revenue",
        "revenue",
        1_000_000,
    )
    with (export / resources["revenue"]["path"]).open(encoding="utf-8", newline="") as handle:
        rows = {
            row["revenue_source_code"]: (float(row[revenue["source"]]), row["is_computed"])
            for row in csv.DictReader(handle)
            if row["fiscal_year"] == "2005"
        }
    assert rows == {
        "liquor_tax": (2_900_000, "false"),
        "other_account_transfers": (850_000, "false"),
        "charges": (260_000, "false"),
        "not_itemised": (5_500_000 - 2_900_000 - 850_000 - 260_000, "true"),
    }


@pytest.mark.xdist_group("published_docs")  # beside `docs`, never during it
@pytest.mark.usefixtures("published_docs_alone")
def test_exports_and_reports_belong_to_the_published_build(published_build: Build, meta) -> None:
    settings = published_build.settings
    package = json.loads((settings.export_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert package["build_id"] == meta["build_id"]
    kept = settings.history_dir / meta["build_id"]
    assert sorted(path.name for path in kept.iterdir()) == [
        "bnd.duckdb",
        "build.json",
        "export",
        "reports",
    ]
    assert not any(Path(settings.build_dir).glob("bnd.duckdb*"))


@pytest.mark.xdist_group("published_docs")  # beside `docs`, never during it
@pytest.mark.usefixtures("published_docs_alone")
def test_published_docs_and_history_name_no_folder_of_the_build_machine(
    published_build: Build,
) -> None:
    """dbt writes absolute paths into its manifest; the published copies must not carry them."""
    settings = published_build.settings
    # `make run` has the docs of a new schema written in the background; `make docs` waits.
    completed = run_cli("docs", settings)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    published = [
        *sorted((settings.reports_dir / "dbt_docs").iterdir()),
        settings.history_dir / "manifest.json",
    ]
    assert [path.name for path in published] == [
        "catalog.json",
        "index.html",
        "manifest.json",
        "manifest.json",
    ]
    for path in published:
        text = path.read_text(encoding="utf-8")
        for folder in (PROJECT_ROOT, settings.warehouse_dir, settings.data_raw_dir):
            assert str(folder) not in text, f"{path} names {folder}"
    manifest = json.loads((settings.reports_dir / "dbt_docs" / "manifest.json").read_text())
    roots = {node["root_path"] for node in manifest["nodes"].values() if "root_path" in node}
    assert roots == {"./dbt_project"}


def _marts(published_db: Path) -> dict[str, list[tuple[str, str]]]:
    """Every mart's columns, in order: name and comment."""
    with duckdb.connect(str(published_db), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = 'marts' order by table_name, column_index"
        ).fetchall()
    marts: dict[str, list[tuple[str, str]]] = {}
    for table, column, comment in rows:
        marts.setdefault(table, []).append((column, comment))
    return marts


def test_every_fact_and_dimension_is_a_csv_that_excel_opens_as_utf8(published_build: Build) -> None:
    settings = published_build.settings
    marts = _marts(settings.published_db)
    tables = download_tables(list(marts))
    assert {"fct_budget", "dim_account", "bridge_budget_formulation_method"} <= set(tables)
    assert "meta_build" not in tables
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        for table in tables:
            path = settings.export_dir / csv_download(table)
            files = sorted(path.rglob("*.csv")) if path.is_dir() else [path]
            assert files, table
            rows = []
            for file in files:
                assert file.read_bytes().startswith(BOM.encode()), file
                with file.open(encoding="utf-8-sig", newline="") as handle:
                    reader = csv.reader(handle)
                    assert next(reader) == [column for column, _ in marts[table]], file
                    rows += list(reader)
            count = con.execute(f"select count(*) from marts.{quote_identifier(table)}")
            assert len(rows) == count.fetchone()[0], table
        # Hangul as it is in the mart
        with (settings.export_dir / "csv" / "dim_account.csv").open(encoding="utf-8-sig") as handle:
            names = {row["name_ko"] for row in csv.DictReader(handle)}
        expected = con.execute("select name_ko from marts.dim_account").fetchall()
        assert names == {name for (name,) in expected}
        assert "국가균형발전특별회계" in names
    # The Fiscal Data Package's CSV stays plain UTF-8: frictionless reads it (test above).
    assert not (settings.export_dir / "budget.csv").read_bytes().startswith(BOM.encode())


def test_the_workbook_has_korean_and_english_headers_and_describes_every_column(
    published_build: Build,
) -> None:
    settings = published_build.settings
    marts = _marts(settings.published_db)
    tables = download_tables(list(marts))
    book = openpyxl.load_workbook(settings.export_dir / WORKBOOK, read_only=True)
    # The seed build is small: every fact and dimension has its sheet, after the two describing
    # them (a sheet's name is cut to Excel's 31 characters).
    assert book.sheetnames == [TABLES_SHEET, COLUMNS_SHEET, *(table[:31] for table in tables)]
    budget = list(book["fct_budget"].iter_rows(values_only=True))
    assert budget[0][0] == "회계연도 / Fiscal year"
    assert "금액(백만원) / Amount (KRW million)" in budget[0]
    assert len(budget) == 1 + len(LEAVES) * len(YEARS)
    (formulator,) = book["fct_special_account_by_formulat"].iter_rows(max_row=1, values_only=True)
    assert formulator[0] == "회계연도 / Fiscal year"
    columns = list(book[COLUMNS_SHEET].iter_rows(values_only=True))
    assert columns[0][:6] == (
        "표 / Table",
        "열 / Column",
        "한국어 이름 / Korean name",
        "영어 이름 / English name",
        "자료형 / Type",
        "설명 / Description",
    )
    described = {(row[0], row[1]): row for row in columns[1:]}
    expected = {(table, column): comment for table in tables for column, comment in marts[table]}
    assert set(described) == set(expected)
    words = column_names()
    for (table, column), comment in expected.items():
        row = described[(table, column)]
        assert (row[2], row[3]) == (words[column].ko, words[column].en), (table, column)
        assert row[5] == comment, (table, column)
    listed = [row[0] for row in book[TABLES_SHEET].iter_rows(values_only=True) if row]
    assert set(tables) <= set(listed)
    assert not [
        cell.coordinate
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if getattr(cell, "data_type", None) == "f"
    ]


def test_every_column_of_the_downloads_has_korean_and_english_words(
    published_build: Build,
) -> None:
    """``column_names.csv`` is the one place of the headers' words: a mart's new column needs its
    row there."""
    marts = _marts(published_build.settings.published_db)
    columns = {column for table in download_tables(list(marts)) for column, _ in marts[table]}
    words = column_names()
    assert sorted(columns - set(words)) == []
    assert all(name.ko and name.en and name.ko != name.en for name in words.values())


def test_the_published_file_holds_marts_audit_raw_and_what_a_refresh_builds_on(
    published_build: Build,
) -> None:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        schemas = con.execute(
            "select schema_name from duckdb_schemas() "
            "where database_name = current_database() and not internal order by 1"
        ).fetchall()
        others = set(
            con.execute(
                """select schema_name, table_name from duckdb_tables()
                   where schema_name not in ('marts', 'audit', 'raw')
                   union all
                   select schema_name, view_name from duckdb_views()
                   where not internal and schema_name not in ('marts', 'audit', 'raw')"""
            ).fetchall()
        )
    manifest = json.loads((DBT_TARGET_DIR / "manifest.json").read_text(encoding="utf-8"))
    needed = refresh_needs(manifest)
    # Nothing but the incremental tables a refresh of fiscal years adds to (what else it reads
    # it builds again first; checked to work by test_budget_lines.py): three tables of one
    # schema, no seed, no view.
    assert others == needed
    assert {s for s, _ in needed} == {"intermediate"} and len(needed) == 3
    assert {name for (name,) in schemas} == {"marts", "audit", "raw", "intermediate"}
    assert ("reference", "ref_units") not in others
    assert ("staging", "stg_raw__budget_cells") not in others
