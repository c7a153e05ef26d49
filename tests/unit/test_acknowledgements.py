"""Acknowledged differences: the reviewed file is read whole or refused naming line and column.

Figures are checked against the page and the published totals they accept (tests.source_figures
and data_raw/cited_account_figures.csv), not against what the parser returns.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.acknowledgements import (
    COLUMNS,
    parse_acknowledgements,
    read_acknowledgements,
)
from pipelines.sources.amounts import MAX_KRW_MILLION
from pipelines.sources.registry import ACKNOWLEDGEMENTS_NAME, read_registry
from tests.conftest import DATA_RAW
from tests.source_figures import HISTORY_FILE, PAGE_FILE, ROWS, TOTALS, YEARS

TODAY = dt.date(2026, 12, 6)
REGISTERED = (PAGE_FILE, HISTORY_FILE)
HEADER = ",".join(COLUMNS)
GOOD = {
    "fiscal_year": "2015",
    "line": "Total",
    "source": PAGE_FILE,
    "other_source": HISTORY_FILE,
    "other_stated_by": "KRIHS 국토정책Brief, 2017-06-12",
    "figure": "10,338,940 백만원",
    "other_figure": "10.4 조원",
    "reason": "rounded differently",
    "accepted_by": "a reviewer",
    "accepted_on": "2026-12-01",
}


def _csv(*rows: dict[str, str], header: str = HEADER) -> bytes:
    lines = [header]
    for row in rows:
        lines.append(",".join(f'"{row[column]}"' for column in COLUMNS))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _parse(data: bytes) -> list:
    return parse_acknowledgements(data, "ack.csv", REGISTERED, TODAY)


def _refused(data: bytes) -> SourceError:
    with pytest.raises(SourceError) as error:
        _parse(data)
    assert error.value.file == "ack.csv"
    return error.value


def test_the_project_s_file_accepts_the_page_s_2015_total_and_2019_jeju_account_against_cited():
    # Read as a run reads it today: the reviews are dated the day they were made.
    rows = parse_acknowledgements(
        (DATA_RAW / ACKNOWLEDGEMENTS_NAME).read_bytes(), "ack.csv", REGISTERED, dt.date.today()
    )
    assert [(row.fiscal_year, row.line_code, row.line_number) for row in rows] == [
        (2015, "total", 2),
        (2015, "total", 3),
        (2019, "jeju", 4),
    ]
    # The page's exact figures (its Total for 2015 twice, its Jeju account for 2019), and the
    # cited figures as the documents print them: 10.4 조원 (the KRIHS brief and the ministry's
    # memo) and 3395 억원 (the Jeju council's analysis, as 한라일보 reports it).
    page_2015 = dict(zip(YEARS, TOTALS["bnd_special_account"], strict=True))[2015]
    jeju_2019 = ROWS["Jeju Special Self-Governing Province Account"][1][YEARS.index(2019)]
    assert [row.figure_krw_million for row in rows] == [page_2015, page_2015, jeju_2019]
    assert [row.other_figure_krw_million for row in rows] == [10_400_000, 10_400_000, 339_500]
    assert [row.other_stated_by for row in rows] == [
        "국토연구원 (KRIHS) 국토정책Brief",
        "행정안전부 자치행정과 (Ministry of the Interior and Safety) memo",
        "제주도의회 예산결산특별전문위원실, as reported by 한라일보",
    ]
    with (DATA_RAW / HISTORY_FILE).open(encoding="utf-8", newline="") as cited_file:
        cited = list(csv.DictReader(cited_file))
    for row, other_figure in zip(rows, ("10.4 조원", "10.4 조원", "3395 억원"), strict=True):
        assert row.source == PAGE_FILE and row.other_source == HISTORY_FILE
        # names a figure the cited file holds: that year, that document, that figure as printed
        assert any(
            (figure["fiscal_year"], figure["stated_by"], f"{figure['amount']} {figure['unit']}")
            == (str(row.fiscal_year), row.other_stated_by, other_figure)
            for figure in cited
        ), row
        assert row.reason and row.accepted_by and row.accepted_on <= dt.date.today()


def test_a_good_row_gives_both_figures_in_krw_million_and_who_accepted_it_when():
    (row,) = _parse(_csv(GOOD))
    assert (row.figure_krw_million, row.other_figure_krw_million) == (10_338_940, 10_400_000)
    assert (row.figure_text, row.other_figure_text) == ("10,338,940 백만원", "10.4 조원")
    assert (row.accepted_by, row.accepted_on) == ("a reviewer", dt.date(2026, 12, 1))
    assert row.other_stated_by == "KRIHS 국토정책Brief, 2017-06-12"


def test_the_other_side_may_be_a_layout_s_budget_lines_and_name_nobody():
    (row,) = _parse(_csv({**GOOD, "other_source": "budget lines: ofd", "other_stated_by": ""}))
    assert (row.other_source, row.other_stated_by) == ("budget lines: ofd", None)


def test_an_empty_file_acknowledges_nothing():
    assert _parse(b"") == []
    assert _parse(f"{HEADER}\n".encode()) == []


def test_accepted_today_is_read_and_tomorrow_is_refused():
    (row,) = _parse(_csv({**GOOD, "accepted_on": TODAY.isoformat()}))
    assert row.accepted_on == TODAY
    error = _refused(_csv({**GOOD, "accepted_on": (TODAY + dt.timedelta(days=1)).isoformat()}))
    assert error.place == "line 2, column accepted_on"
    assert error.expected == "a day not after today (2026-12-06)"


def test_a_figure_at_the_warehouse_s_limit_is_read_and_one_past_it_refused():
    (row,) = _parse(_csv({**GOOD, "other_figure": f"{MAX_KRW_MILLION} 백만원"}))
    assert row.other_figure_krw_million == MAX_KRW_MILLION
    error = _refused(_csv({**GOOD, "other_figure": f"{MAX_KRW_MILLION + 1} 백만원"}))
    assert error.place == "line 2, column other_figure"
    assert error.expected == f"a figure of at most {MAX_KRW_MILLION:,} KRW million"


@pytest.mark.parametrize("column", [c for c in COLUMNS if c != "other_stated_by"])
def test_each_required_column_left_empty_is_named(column: str):
    error = _refused(_csv({**GOOD, column: ""}))
    assert (error.place, error.expected) == (f"line 2, column {column}", f"a value for {column}")


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("fiscal_year", "2015년도", "a year such as 2015"),
        ("line", "Grand total", "a budget line label listed in"),
        ("source", "unregistered.csv", "a file registered in sources.yml"),
        ("other_source", "budget lines:", "a file registered in sources.yml"),
        ("accepted_on", "06/12/2026", "the day it was accepted, as YYYY-MM-DD"),
        ("figure", "10,338,940", "a figure with its unit"),
        ("figure", "10,338,940 dollars", "a figure with its unit"),
        ("other_figure", "10.4.1 조원", "a figure with its unit"),
    ],
)
def test_each_bad_value_is_refused_naming_its_line_and_column(
    column: str, value: str, expected: str
):
    error = _refused(_csv(GOOD, {**GOOD, "fiscal_year": "2019", column: value}))
    assert error.place == f"line 3, column {column}"
    assert error.expected.startswith(expected)
    assert error.found == repr(value)


def test_the_same_comparison_acknowledged_twice_is_refused_naming_both_lines():
    error = _refused(_csv(GOOD, {**GOOD, "reason": "said again"}))
    assert error.place == "line 3"
    assert error.expected == "each comparison acknowledged once, but it repeats line 2"


def test_a_ragged_row_is_refused():
    data = _csv(GOOD) + b'2019,Total,"x"\n'
    error = _refused(data)
    assert (error.place, error.found) == ("line 3", "3 (ragged row)")


@pytest.mark.parametrize(
    ("header", "found"),
    [
        (HEADER.replace(",reason", ""), "no 'reason'"),
        (HEADER + ",note", "unknown 'note'"),
        (HEADER.replace("figure,other_figure", "other_figure,figure"), "in another order"),
    ],
)
def test_a_header_other_than_the_documented_one_is_refused(header: str, found: str):
    error = _refused(f"{header}\n".encode())
    assert error.place == "line 1"
    assert found in (error.found or "")


def test_the_csv_limits_apply_before_the_file_is_read(monkeypatch: pytest.MonkeyPatch):
    data = _csv(GOOD)
    monkeypatch.setenv("BND_LIMIT_FILE_BYTES", str(len(data)))
    assert len(_parse(data)) == 1
    monkeypatch.setenv("BND_LIMIT_FILE_BYTES", str(len(data) - 1))
    error = _refused(data)
    assert error.place == "whole file"
    assert (error.found or "").startswith(f"{len(data):,}; if the file is genuine, raise the limit")


def test_the_file_needs_no_registry_entry_and_is_read_by_its_name(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "sources.yml").write_text("sources: []\n", encoding="utf-8")
    assert read_acknowledgements(raw, REGISTERED, TODAY) is None
    (raw / ACKNOWLEDGEMENTS_NAME).write_bytes(_csv(GOOD))
    _, unregistered = read_registry(raw)
    assert unregistered == []
    read = read_acknowledgements(raw, REGISTERED, TODAY)
    assert read is not None and read.file == ACKNOWLEDGEMENTS_NAME and len(read.rows) == 1
    assert len(read.sha256) == 64


def test_a_symbolic_link_in_its_place_is_refused(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(_csv(GOOD))
    os.symlink(outside, raw / ACKNOWLEDGEMENTS_NAME)
    with pytest.raises(SourceError) as error:
        read_acknowledgements(raw, REGISTERED, TODAY)
    assert error.value.file == str(raw / ACKNOWLEDGEMENTS_NAME)
    assert error.value.expected == "a regular file inside the raw folder"


def test_amounts_are_exact_decimals():
    (row,) = _parse(_csv({**GOOD, "other_figure": "92,328 억원"}))
    assert row.other_figure_krw_million == Decimal("9232800")
