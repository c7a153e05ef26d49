"""Reading budget-line files: types, rules and errors that name the file, line and column."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest

from bench.generate import generate
from pipelines.core.checksums import file_identity
from pipelines.core.errors import SourceError
from pipelines.landing.budget_lines import land_lines
from pipelines.landing.line_files import available_years, find_line_files
from pipelines.lifecycle.run_inputs import changed_fiscal_years

HEADER = (
    "fiscal_year,account_code,level_code,organisation_kind,organisation_code,programme_code,"
    "phase,amount_krw_million"
)
GOOD = [
    '2018,local_autonomous,city_province,city_province,ORG0001,PRG00001,enacted,"1,200"',
    '2018,local_autonomous,city_province,city_province,ORG0001,PRG00002,enacted,"300"',
    '2018,local_autonomous,city_province,city_province,ORG0001,소계,enacted,"1,500"',
    "2018,local_support,account_whole,central_agency,ORG0250,PRG00003,proposed,7",
]


def _raw(tmp_path: Path, rows: list[str], header: str = HEADER, year: int = 2018) -> Path:
    folder = tmp_path / "raw" / "budget_lines" / str(year)
    folder.mkdir(parents=True)
    (folder / "lines.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return tmp_path / "raw"


def _land(raw: Path, years: list[int]):
    with duckdb.connect() as con:
        landed = land_lines(con, find_line_files(raw, years), years)
        rows = con.execute(
            "select programme_code, amount_krw_million, is_subtotal from raw.budget_lines "
            "order by all"
        ).fetchall()
    return landed, rows


def test_amounts_with_thousands_separators_and_subtotal_rows(tmp_path: Path) -> None:
    landed, rows = _land(_raw(tmp_path, GOOD), [2018])
    assert (landed.line_count, landed.subtotal_count) == (3, 1)
    assert rows == [
        ("PRG00001", 1200, False),
        ("PRG00002", 300, False),
        ("PRG00003", 7, False),
        ("소계", 1500, True),
    ]
    assert list(landed.files) == ["budget_lines/2018/lines.csv"]


@pytest.mark.parametrize(
    ("line", "column", "expected"),
    [
        ('"x12",enacted', "amount_krw_million", "an amount in KRW million"),
        ("-5,enacted", "amount_krw_million", "an amount of 0 or more"),
        ("5,enactd", "phase", "proposed, enacted, supplementary_<n> or settled"),
    ],
)
def test_a_bad_cell_is_named_by_file_line_and_column(
    tmp_path: Path, line: str, column: str, expected: str
) -> None:
    amount, phase = line.rsplit(",", 1)
    bad = f"2018,local_autonomous,si_gun_gu,si_gun_gu,ORG0020,PRG00009,{phase},{amount}"
    raw = _raw(tmp_path, [*GOOD[:2], bad, *GOOD[2:]])
    with pytest.raises(SourceError) as error:
        _land(raw, [2018])
    assert error.value.file == str(raw / "budget_lines" / "2018" / "lines.csv")
    assert error.value.place == f"line 4, column {column}"
    assert expected in error.value.expected


def test_an_account_with_a_level_it_does_not_have_is_refused(tmp_path: Path) -> None:
    bad = "2018,local_support,city_province,central_agency,ORG0250,PRG00004,enacted,9"
    raw = _raw(tmp_path, [*GOOD, bad])
    with pytest.raises(SourceError, match=r"line 6, column account_code, level_code"):
        _land(raw, [2018])


def test_a_line_of_another_year_than_its_folder_is_refused(tmp_path: Path) -> None:
    raw = _raw(tmp_path, [GOOD[0].replace("2018", "2019", 1), *GOOD[1:]])
    with pytest.raises(SourceError, match=r"line 2, column fiscal_year: expected the fiscal year"):
        _land(raw, [2018])


def test_a_missing_column_is_refused_by_name(tmp_path: Path) -> None:
    header = HEADER.replace(",organisation_kind", "")
    rows = [
        row.replace(",city_province,ORG", ",ORG").replace(",central_agency,", ",") for row in GOOD
    ]
    with pytest.raises(
        SourceError, match=r"header: expected the columns .* no column organisation_kind"
    ):
        _land(_raw(tmp_path, rows, header), [2018])


def test_folders_are_fiscal_years_and_files_csv_or_parquet(tmp_path: Path) -> None:
    raw = _raw(tmp_path, GOOD)
    assert available_years(raw) == [2018]
    assert find_line_files(raw, [2017, 2019]) == []  # a year without a folder has no lines
    (raw / "budget_lines" / "2018" / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(SourceError, match=r"notes\.txt, whole file: expected a \.csv or \.parquet"):
        find_line_files(raw, [2018])
    (raw / "budget_lines" / "2018" / "notes.txt").unlink()
    (raw / "budget_lines" / "latest").mkdir()
    with pytest.raises(SourceError, match=r"latest, name: expected one folder per fiscal year"):
        find_line_files(raw, [2018])


def test_csv_and_parquet_files_land_the_same_lines(tmp_path: Path) -> None:
    folders = generate(5_000, tmp_path)
    landed = {}
    for fmt, raw in folders.items():
        with duckdb.connect() as con:
            years = available_years(raw)
            land_lines(con, find_line_files(raw, years), years)
            landed[fmt] = con.execute(
                "select fiscal_year, count(*), sum(amount_krw_million), count(*) filter "
                "(where is_subtotal) from raw.budget_lines group by 1 order by 1"
            ).fetchall()
    assert landed["csv"] == landed["parquet"]
    assert sum(count - subtotals for _, count, _, subtotals in landed["csv"]) == 5_000


def test_the_sensor_reprocesses_fiscal_years_only_when_only_line_files_changed() -> None:
    before = {
        "sources.yml": "a",
        "page.txt": "b",
        "budget_lines/2025/x.csv": "c",
        "budget_lines/2026/x.csv": "d",
    }
    assert changed_fiscal_years(before, {**before, "budget_lines/2026/x.csv": "e"}) == [2026]
    assert changed_fiscal_years(before, {**before, "budget_lines/2027/x.csv": "f"}) == [2027]
    removed = {name: digest for name, digest in before.items() if "2025" not in name}
    assert changed_fiscal_years(before, removed) == [2025]
    assert changed_fiscal_years(before, {**before, "page.txt": "g"}) is None  # a full refresh
    assert changed_fiscal_years(None, before) is None


def test_the_sensor_hashes_only_files_whose_size_time_or_inode_changed(tmp_path: Path) -> None:
    from pipelines.core.checksums import file_sha256
    from pipelines.lifecycle.run_inputs import raw_file_states

    raw = _raw(tmp_path, GOOD)
    (raw / "sources.yml").write_text("sources: []\n", encoding="utf-8")
    states = raw_file_states(raw)
    year_file = "budget_lines/2018/lines.csv"
    assert states[year_file][0] == file_sha256(raw / year_file)
    # A known file with the same size, time and inode keeps its known digest (it is not read) …
    known = {name: ["known", *state[1:]] for name, state in states.items()}
    assert {state[0] for state in raw_file_states(raw, known).values()} == {"known"}
    # … and one whose time changed is read again, whatever the cursor says.
    path = raw / year_file
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    again = raw_file_states(raw, known)
    assert again[year_file][0] == file_sha256(path) and again["sources.yml"][0] == "known"


def test_a_file_whose_recorded_state_is_unchanged_is_not_hashed_again(tmp_path: Path) -> None:
    # The run's inputs recorded every file's sha256 with its size, time and inode before the run:
    # while those are unchanged the recorded sha256 is kept; any change reads the file again.
    raw = _raw(tmp_path, GOOD)
    path = raw / "budget_lines" / "2018" / "lines.csv"
    name = "budget_lines/2018/lines.csv"
    recorded = {name: ["sha256 as recorded before the run", *file_identity(path)]}
    files = find_line_files(raw, [2018])

    with duckdb.connect() as con:
        kept = land_lines(con, files, [2018], recorded)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    with duckdb.connect() as con:
        again = land_lines(con, files, [2018], recorded)

    assert kept.files == {name: "sha256 as recorded before the run"}
    assert again.files == {name: hashlib.sha256(path.read_bytes()).hexdigest()}
