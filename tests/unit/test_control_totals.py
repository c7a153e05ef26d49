"""Control totals as published: the precision as printed, a ministry's own columns, and the
value-of-record and unit-slip fields of the registry."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.landing.raw_landing import parse_source
from pipelines.sources.control_totals import half_step_krw_million, parse_control_totals
from pipelines.sources.registry import (
    PHASE_AUTHORITY,
    VALUE_OF_RECORD_CRITERIA,
    load_registry,
    value_of_record,
)
from tests.source_figures import ROWS, YEARS
from tests.unit.test_table_formats import FIXTURES, source_for

HEADER = "fiscal_year,line,amount,unit,stated_by,precision\n"


def one(row: str, header: str = HEADER, **options) -> object:
    (total,) = parse_control_totals((header + row + "\n").encode(), "t.csv", **options)
    return total


@pytest.mark.parametrize(
    ("row", "tolerance"),
    [
        # 98.9 조원 published to 0.1 조원: half a step is 0.05 조원 = 50,000 KRW million, not the
        # 100,000 a user typing the published precision into the old half-step column got.
        ("2018,Total,98.9,조원,r,0.1", 50_000),
        ("2018,Total,98.9,조원,r,0.1 조원", 50_000),
        ('2018,Total,98.9,조원,r,"100,000 백만원"', 50_000),
        ("2018,Total,98.9,조원,r,1", 500_000),  # a report rounding to whole 조원
        ("2018,Total,98.9,조원,r,", 50_000),  # not stated: the last printed digit
        ('2018,Total,"98,899",억원,r,', 50),
        ('2018,Total,"9,889,905",KRW 1 million,r,', Decimal("0.5")),
        ('2018,Total,"98,900",억원,r,100', 5_000),  # printed to whole 억원, true to 100 억원
    ],
)
def test_the_published_precision_gives_half_a_step_as_tolerance(row: str, tolerance) -> None:
    assert one(row).precision_krw_million == tolerance


def test_the_tolerance_is_half_a_step_in_krw_million() -> None:
    assert half_step_krw_million(Decimal("0.1"), "조원") == 50_000
    assert half_step_krw_million(Decimal(1), "억원") == 50
    assert half_step_krw_million(Decimal(1), "KRW 1 million") == Decimal("0.5")


def test_the_precision_as_printed_is_kept() -> None:
    total = one("2018,Total,98.9,조원,r,0.1 조원")
    assert (total.precision_text, total.precision_step, total.precision_unit_label) == (
        "0.1 조원",
        Decimal("0.1"),
        "조원",
    )


@pytest.mark.parametrize("precision", ["-0.1", "0", "abc", "0.1 bananas", "1,00"])
def test_a_precision_that_is_not_one_is_named(precision: str) -> None:
    with pytest.raises(SourceError) as caught:
        one(f'2018,Total,98.9,조원,r,"{precision}"')
    assert caught.value.place == "line 2, column precision"
    assert "the precision as published" in caught.value.expected and precision in str(caught.value)


def test_the_old_half_step_column_is_refused_naming_the_new_one() -> None:
    header = "fiscal_year,line,amount,unit,stated_by,precision_krw_million\n"
    with pytest.raises(SourceError) as caught:
        one("2018,Total,98.9,조원,r,100000", header)
    assert caught.value.place == "line 1, column 'precision_krw_million'"
    assert "column 'precision'" in caught.value.expected and "half a step" in caught.value.expected


def test_a_ministry_file_in_its_own_columns_is_read_through_the_registry_mapping() -> None:
    data = (FIXTURES / "control_totals_ministry.csv").read_bytes()
    totals = parse_control_totals(
        data,
        "m.csv",
        columns={"year": "fiscal_year", "source": "stated_by", "remarks": "note"},
        line="Total",
    )
    assert [total.fiscal_year for total in totals] == [2009, 2012, 2018, 2019, 2022]
    assert {(total.line_code, total.unit_label, total.stated_by) for total in totals} == {
        ("total", "조원", "ministry statistics")
    }
    assert {total.precision_krw_million for total in totals} == {50_000}
    assert totals[2].amount == Decimal("9.9") and ROWS["Total"][1][YEARS.index(2018)] == 9889905
    assert totals[0].note == "a year before the page's table"


def test_missing_columns_may_come_from_the_registry_and_otherwise_are_named() -> None:
    data = b"year,amount\n2018,98.9\n"
    total = parse_control_totals(
        data,
        "m.csv",
        columns={"year": "fiscal_year"},
        unit="조원",
        line="Total",
        stated_by="a ministry",
    )[0]
    assert (total.unit_label, total.line_code, total.stated_by) == ("조원", "total", "a ministry")
    with pytest.raises(SourceError) as caught:
        parse_control_totals(data, "m.csv", columns={"year": "fiscal_year"})
    assert caught.value.place == "line 1"
    assert "'columns:'" in caught.value.expected
    assert caught.value.found == "no 'line', no 'unit', no 'stated_by'"


def test_a_header_the_file_does_not_have_or_cannot_place_is_named() -> None:
    data = "year,amount,unit,line,source,비고\n2018,98.9,조원,Total,r,x\n".encode()
    with pytest.raises(SourceError) as caught:
        parse_control_totals(data, "m.csv", columns={"year": "fiscal_year", "source": "stated_by"})
    assert caught.value.place == "line 1, column '비고'" and "'ignore'" in caught.value.expected
    (total,) = parse_control_totals(
        data, "m.csv", columns={"year": "fiscal_year", "source": "stated_by", "비고": "ignore"}
    )
    assert total.note is None
    with pytest.raises(SourceError) as caught:
        parse_control_totals(data, "m.csv", columns={"연도": "fiscal_year"})
    assert "'연도'" in caught.value.expected


def test_a_unit_contradicting_the_registry_is_named() -> None:
    with pytest.raises(SourceError, match=r"line 2, column unit: expected the unit sources\.yml"):
        one("2018,Total,98.9,조원,r,", unit="억원")


def register(raw_copy: Path, entry: str, defaults: str = "") -> None:
    text = (raw_copy / "sources.yml").read_text(encoding="utf-8")
    if defaults:
        text = text.replace("defaults:\n", f"defaults:\n{defaults}", 1)
    (raw_copy / "sources.yml").write_text(text + entry, encoding="utf-8")


def test_the_registry_maps_a_ministry_file_and_lands_its_totals(raw_copy: Path) -> None:
    shutil.copy(FIXTURES / "control_totals_ministry.csv", raw_copy)
    register(
        raw_copy,
        "  - file: control_totals_ministry.csv\n    format: control_totals\n    title: t\n"
        "    publisher: a ministry\n    line: Total\n    allow_unit_mismatch: true\n"
        "    columns: {year: fiscal_year, source: stated_by, remarks: note}\n",
    )
    page, _, ministry = load_registry(raw_copy)  # the page, the history's totals, the ministry
    assert (page.registry_order, ministry.registry_order) == (1, 3)
    assert (page.allow_unit_mismatch, ministry.allow_unit_mismatch) == (False, True)
    parsed = parse_source(ministry)
    assert len(parsed.totals) == 5 and parsed.totals[0].line_code == "total"


@pytest.mark.parametrize(
    ("entry", "place"),
    [
        ("    format: csv\n    columns: {year: fiscal_year}\n", "entry 3 under 'sources', columns"),
        (
            "    format: control_totals\n    columns: {year: when}\n",
            "entry 3 under 'sources', columns",
        ),
        (
            "    format: control_totals\n    allow_unit_mismatch: sometimes\n",
            "entry 3 under 'sources', allow_unit_mismatch",
        ),
    ],
)
def test_bad_control_total_fields_in_the_registry_are_named(
    raw_copy: Path, entry: str, place: str
) -> None:
    shutil.copy(FIXTURES / "control_totals.csv", raw_copy)
    register(raw_copy, f"  - file: control_totals.csv\n{entry}    title: t\n    publisher: p\n")
    with pytest.raises(SourceError) as caught:
        load_registry(raw_copy)
    assert caught.value.place == place


def test_the_value_of_record_rule_is_read_from_the_registry(raw_copy: Path) -> None:
    # The committed registry states the documented rule.
    rule = value_of_record(raw_copy)
    assert (rule.criteria, rule.phase_authority) == (VALUE_OF_RECORD_CRITERIA, PHASE_AUTHORITY)
    text = (raw_copy / "sources.yml").read_text(encoding="utf-8")
    (raw_copy / "sources.yml").write_text(
        text.replace(
            "criteria: [precision, phase, publication_date]",
            "criteria: [phase, publication_date, precision]",
        ),
        encoding="utf-8",
    )
    assert value_of_record(raw_copy).criteria == ("phase", "publication_date", "precision")


@pytest.mark.parametrize(
    "bad",
    [
        "criteria: [precision, phase]",
        "criteria: [precision, phase, publication_date, file_name]",
        "phase_authority: [settled, enacted, proposed]",
    ],
)
def test_a_broken_value_of_record_rule_stops_the_run_named(raw_copy: Path, bad: str) -> None:
    text = (raw_copy / "sources.yml").read_text(encoding="utf-8")
    key = bad.split(":")[0]
    lines = [
        f"    {bad}" if line.strip().startswith(f"{key}:") else line for line in text.splitlines()
    ]
    (raw_copy / "sources.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_registry(raw_copy)
    assert caught.value.place == f"defaults, value_of_record, {key}"


def test_the_control_totals_fixture_still_reads(tmp_path: Path) -> None:
    parsed = parse_source(source_for(FIXTURES / "control_totals.csv", "control_totals"))
    assert {total.precision_krw_million for total in parsed.totals} == {50_000}
