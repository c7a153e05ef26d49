"""The grain test (``unique_combination``, grouping by one hash first) still finds every duplicate.

The budget lines' grain has no primary key (an index over seven columns of millions of rows would
cost more than the build), so this dbt test is its only guard. It groups the rows by a hash of
the columns and then groups again, by the columns themselves, only the rows whose hash repeats:
a true duplicate must fail it, naming its columns, and rows that differ in any one column of the
grain must pass.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.integration.conftest import Build, dbt_on_copy

LINE = {
    "fiscal_year": 2019,
    "account_code": "regional_support",
    "level_code": "local",
    "organisation_code": "ORG-1",
    "programme_code": "P-1",
    "phase": "enacted",
    "source_file": "budget_lines/2019/lines.csv",
    "amount_krw_million": 5,
    "line_source": "warehouse",
}


def insert_lines(build_db: Path, lines: list[dict]) -> None:
    """``lines`` into the copy's fact, and their fiscal years into the landing's years of the run
    (the lines' tests look at the years a run reprocessed)."""
    columns = list(LINE)
    with duckdb.connect(str(build_db)) as con:
        for line in lines:
            con.execute(
                f"insert into marts.fct_budget_line ({', '.join(columns)}) "
                f"values ({', '.join('?' for _ in columns)})",
                [line[column] for column in columns],
            )
    with duckdb.connect(str(build_db.with_name("landing.duckdb"))) as con:
        for year in sorted({line["fiscal_year"] for line in lines}):
            con.execute("insert into raw.run_fiscal_years (fiscal_year) values (?)", [year])


def grain_test_result(published_build: Build, folder: Path, lines: list[dict]) -> dict:
    dbt = dbt_on_copy(published_build.settings.published_db, folder)
    insert_lines(dbt.build_db, lines)
    completed = dbt.run("test", "--select", "fct_budget_line,test_name:unique_combination")
    (result,) = dbt.results().values()  # the grain test of the lines, and no other
    assert result["unique_id"].startswith("test.bnd.unique_combination_fct_budget_line_fiscal_year")
    result["stdout"] = completed.stdout
    return result


def test_a_line_repeated_in_its_grain_fails_naming_the_line(
    published_build: Build, tmp_path: Path
) -> None:
    other = {**LINE, "organisation_code": "ORG-2", "amount_krw_million": 7}
    result = grain_test_result(published_build, tmp_path, [LINE, LINE, LINE, other])

    assert result["status"] == "fail"
    assert result["failures"] == 1  # one combination, repeated three times


def test_lines_differing_in_any_one_column_of_the_grain_pass(
    published_build: Build, tmp_path: Path
) -> None:
    grain = [column for column in LINE if column not in ("amount_krw_million", "line_source")]
    variants = [
        {**LINE, column: 2020 if column == "fiscal_year" else f"{LINE[column]}-other"}
        for column in grain
    ]
    result = grain_test_result(published_build, tmp_path, [LINE, *variants])

    assert result["status"] == "pass", result["stdout"][-3000:]
    assert result["failures"] == 0
