"""Which rows of a publisher's file are the special account's: never left out by a name.

A row under a name the special account had in another era, in a year it did not have that name,
stops the run (it is not "another 회계"); the same lines registered twice are refused naming both
files; the rows of other 회계 are listed by 회계 with their counts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.core.errors import SourceError
from pipelines.landing.budget_lines import LandedLines, land_lines
from pipelines.landing.line_files import find_line_files
from pipelines.sources.profiles import publisher_layouts
from tests.conftest import DATA_RAW
from tests.publisher_files import (
    API_HEADER,
    PORTAL_HEADER,
    detail_rows_2016,
    register_line_file,
    write_api_json,
    write_csv,
)

OFD = "open_fiscal_data_detail_budget"


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir(parents=True)
    shutil.copytree(DATA_RAW / "profiles", raw / "profiles")
    (raw / "sources.yml").write_text("sources: []\n", encoding="utf-8")
    return raw


def _land(raw: Path, years: list[int]) -> LandedLines:
    layouts = publisher_layouts(raw)
    with duckdb.connect() as con:
        return land_lines(con, find_line_files(raw, years, layouts), years, None, layouts, raw)


def _rows_of(year: int, account: str) -> list[list[str]]:
    """The 2016 detail's rows moved to ``year`` with the special account written ``account``."""
    rows = detail_rows_2016()
    for row in rows:
        row[0] = str(year)
        if row[2] == "지역발전특별회계":
            row[2] = account
    return rows


@pytest.mark.parametrize(
    ("year", "name", "used"),
    [
        # the tester's case: 2020 lines under the 2015–2018 name
        (2020, "지역발전특별회계", "2015–2018"),
        # the first form's name, before the 2010 reform and after 2018 (two eras)
        (2012, "국가균형발전특별회계", "2005–2009, 2019–2024"),
        # the name of 2010–2014, written with its middle dot as published
        (2016, "광역·지역발전특별회계", "2010–2014"),
        # today's name, in a year before the 2023 statute
        (2022, "지역균형발전특별회계", "2023–today"),
    ],
)
def test_a_name_of_the_account_in_a_year_it_did_not_have_it_stops_the_run(
    tmp_path: Path, year: int, name: str, used: str
) -> None:
    raw = _raw(tmp_path)
    file = write_csv(raw / "budget_lines" / str(year) / "d.csv", API_HEADER, _rows_of(year, name))
    register_line_file(raw, f"budget_lines/{year}/d.csv", OFD, "천원")
    with pytest.raises(SourceError) as error:
        _land(raw, [year])
    assert error.value.file == str(file)
    # The first row of the special account is the file's second line (after the header).
    assert error.value.place == "line 2, column FSCL_NM"
    assert error.value.found == f"{name!r}, its name in {used}"
    assert f"the special account's name in {year}" in error.value.expected


def test_the_name_at_the_edge_of_its_years_is_read(tmp_path: Path) -> None:
    """2018 is the last year of 지역발전특별회계 and 2019 the first of its successor's: both
    land; one year past each edge stops (above)."""
    raw = _raw(tmp_path)
    for year, name in ((2018, "지역발전특별회계"), (2019, "국가균형발전특별회계")):
        rows = _rows_of(year, name)
        if year == 2019:  # the 계정 of 2019 are today's
            renamed = {"경제발전계정": "지역지원계정", "생활기반계정": "지역자율계정"}
            for row in rows:
                row[3] = renamed.get(row[3], row[3])
        write_csv(raw / "budget_lines" / str(year) / "d.csv", API_HEADER, rows)
        register_line_file(raw, f"budget_lines/{year}/d.csv", OFD, "천원")
    landed = _land(raw, [2018, 2019])
    assert landed.line_count == 2 * 16
    assert landed.excluded == {"일반회계": 2, "농어촌구조개선특별회계": 2}


def test_rows_of_other_accounts_are_listed_by_account_with_their_counts(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    rows = detail_rows_2016()
    rows.append([*rows[-1][:2], "일반회계", *rows[-1][3:8], "다른세부사업9", *rows[-1][9:]])
    write_csv(raw / "budget_lines" / "2016" / "d.csv", API_HEADER, rows)
    register_line_file(raw, "budget_lines/2016/d.csv", OFD, "천원")
    landed = _land(raw, [2016])
    assert landed.excluded == {"일반회계": 2, "농어촌구조개선특별회계": 1}
    assert landed.excluded_by_account() == "일반회계 2, 농어촌구조개선특별회계 1"


def test_the_same_download_registered_twice_is_refused_naming_both_files(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    folder = raw / "budget_lines" / "2016"
    write_api_json(folder / "a_api.json", detail_rows_2016())
    second = write_csv(folder / "b_portal.csv", PORTAL_HEADER, detail_rows_2016())
    register_line_file(raw, "budget_lines/2016/a_api.json", OFD, "천원")
    register_line_file(raw, "budget_lines/2016/b_portal.csv", OFD, "천원")
    with pytest.raises(SourceError) as error:
        _land(raw, [2016])
    assert error.value.file == str(second)
    assert "budget_lines/2016/a_api.json gives too" in error.value.found
    assert "one file per fiscal year, phase and layout" in error.value.expected


def test_two_files_of_one_year_for_different_organisations_are_both_read(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    folder = raw / "budget_lines" / "2016"
    rows = [row for row in detail_rows_2016() if row[2] == "지역발전특별회계"]
    write_csv(folder / "a.csv", API_HEADER, rows[:4])
    write_csv(folder / "b.csv", API_HEADER, rows[4:])
    assert {row[1] for row in rows[:4]}.isdisjoint(row[1] for row in rows[4:])
    for name in ("a.csv", "b.csv"):
        register_line_file(raw, f"budget_lines/2016/{name}", OFD, "천원")
    assert _land(raw, [2016]).line_count == 16
