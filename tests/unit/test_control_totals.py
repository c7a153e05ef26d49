"""Control totals as published: the precision as printed, a ministry's own columns, and the
value-of-record and unit-slip fields of the registry."""

from __future__ import annotations

import shutil
from dataclasses import FrozenInstanceError
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.core.limits import LimitError
from pipelines.landing.raw_landing import parse_source
from pipelines.landing.rejections import RejectedFilesError, parse_every
from pipelines.sources.control_totals import (
    ControlTotal,
    half_step_krw_million,
    parse_control_totals,
)
from pipelines.sources.registry import (
    PHASE_AUTHORITY,
    VALUE_OF_RECORD_CRITERIA,
    load_registry,
    value_of_record,
)
from tests.conftest import DATA_RAW
from tests.source_figures import ROWS, YEARS
from tests.unit.test_table_formats import FIXTURES, source_for

# The number an entry appended to the committed registry gets (its place in messages).
APPENDED = len(load_registry(DATA_RAW)) + 1

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
    assert (caught.value.place, caught.value.found) == ("line 2, column precision", repr(precision))
    assert caught.value.expected == (
        "the precision as published: a positive step of the last printed digit in the figure's "
        "unit (0.1 for 98.9 조원), optionally with a unit of dbt_project/seeds/ref_units.csv "
        "('0.1 조원')"
    )


def test_a_precision_may_omit_the_zero_before_its_point() -> None:
    assert one("2018,Total,98.9,조원,r,.5").precision_krw_million == 250_000


def test_the_old_half_step_column_is_refused_naming_the_new_one() -> None:
    header = "fiscal_year,line,amount,unit,stated_by,precision_krw_million\n"
    with pytest.raises(SourceError) as caught:
        one("2018,Total,98.9,조원,r,100000", header)
    assert caught.value.place == "line 1, column 'precision_krw_million'"
    assert caught.value.expected.startswith("no column 'precision_krw_million' (it held half a")
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
    assert (caught.value.place, caught.value.found) == ("line 1, column '비고'", "'비고'")
    assert caught.value.expected == (
        "a column named one of fiscal_year, line, amount, unit, stated_by, phase, precision, "
        "note, or mapped to one (or to 'ignore') under 'columns:' in its sources.yml entry"
    )
    (total,) = parse_control_totals(
        data, "m.csv", columns={"year": "fiscal_year", "source": "stated_by", "비고": "ignore"}
    )
    assert total.note is None
    with pytest.raises(SourceError) as caught:
        parse_control_totals(data, "m.csv", columns={"연도": "fiscal_year", "출처": "stated_by"})
    assert (caught.value.place, caught.value.expected, caught.value.found) == (
        "line 1",
        "the headers that sources.yml maps under 'columns:' ('연도', '출처')",
        "the headers 'year', 'amount', 'unit', 'line', 'source', '비고'",
    )


def test_a_mapped_header_is_found_whatever_its_spacing() -> None:
    data = "Fiscal  Year ,line,amount,unit, Stated\tby\n2018,Total,98.9,조원,r\n".encode()
    columns = {"Fiscal Year": "fiscal_year", "Stated by": "stated_by"}
    (total,) = parse_control_totals(data, "m.csv", columns=columns)
    assert (total.fiscal_year, total.stated_by) == (2018, "r")


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
    page, *_, ministry = load_registry(raw_copy)  # the page, … (committed), the ministry's
    assert (page.registry_order, ministry.registry_order) == (1, APPENDED)
    assert (page.allow_unit_mismatch, ministry.allow_unit_mismatch) == (False, True)
    parsed = parse_source(ministry)
    assert len(parsed.totals) == 5 and parsed.totals[0].line_code == "total"


@pytest.mark.parametrize(
    ("entry", "place"),
    [
        (
            "    format: csv\n    columns: {year: fiscal_year}\n",
            f"entry {APPENDED} under 'sources', columns",
        ),
        (
            "    format: control_totals\n    columns: {year: when}\n",
            f"entry {APPENDED} under 'sources', columns",
        ),
        (
            "    format: control_totals\n    allow_unit_mismatch: sometimes\n",
            f"entry {APPENDED} under 'sources', allow_unit_mismatch",
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


# --- every refusal names the file and its place ----------------------------------------------

FILE = "data_raw/totals.csv"
# Figures of the page (tests.source_figures), in KRW million.
LOCAL_SUPPORT_2018 = ROWS["Local Support Account"][1][YEARS.index(2018)]  # 4,203,522
JEJU_2017 = ROWS["Jeju Special Self-Governing Province Account"][1][YEARS.index(2017)]  # 325,981


def refused(text: str, **options) -> SourceError:
    """``text`` read as a control-totals file must be refused; the message opens with the file."""
    with pytest.raises(SourceError) as caught:
        parse_control_totals(text.encode(), FILE, **options)
    assert str(caught.value).startswith(f"{FILE}, {caught.value.place}: expected ")
    assert caught.value.file == FILE
    return caught.value


def test_a_row_is_read_whole_with_its_line_and_every_field() -> None:
    text = (
        "fiscal_year,line,amount,unit,stated_by,phase,precision,note\n"
        '2018,Local Support Account,"4,203,522",KRW 1 million,MOEF,enacted,,as on the page\n'
        "\n"  # a blank line is skipped, and still counted in the lines below
        "FY2017,제주특별자치도계정,325981,백만원,MOEF,supplementary_1,1000,\n"
    )
    first, second = parse_control_totals(text.encode(), FILE)
    assert first == ControlTotal(
        line_number=2,
        fiscal_year=2018,
        line_label="Local Support Account",
        line_code="local_support",
        amount_text="4,203,522",
        amount=Decimal(LOCAL_SUPPORT_2018),
        decimals=0,
        unit_label="KRW 1 million",
        stated_by="MOEF",
        phase="enacted",
        note="as on the page",
        precision_text=None,
        precision_step=Decimal(1),
        precision_unit_label="KRW 1 million",
    )
    assert (second.line_number, second.fiscal_year, second.line_code) == (4, 2017, "jeju")
    assert (second.amount, second.unit_label, second.phase) == (
        JEJU_2017,
        "백만원",
        "supplementary_1",
    )
    assert (second.note, second.precision_text, second.precision_krw_million) == (None, "1000", 500)


def test_a_control_total_is_a_value_that_cannot_change() -> None:
    total = one("2018,Total,98.9,조원,r,")
    assert len({total, one("2018,Total,98.9,조원,r,")}) == 1
    with pytest.raises(FrozenInstanceError):
        total.amount = Decimal(0)  # type: ignore[misc]


def test_spaces_in_headers_and_values_are_those_of_the_words() -> None:
    text = (
        ' fiscal_year , line ,amount,unit,stated_by\n2018,"Local  Support\n Account",1,억원,a  b\n'
    )
    (total,) = parse_control_totals(text.encode(), FILE)
    assert (total.line_code, total.line_label, total.stated_by) == (
        "local_support",
        "Local Support Account",
        "a b",
    )
    assert total.line_number == 3  # the row ends on line 3, inside its quoted label


@pytest.mark.parametrize("text", ["", " \n\n\t\n"])
def test_an_empty_file_is_refused_as_a_whole(text: str) -> None:
    error = refused(text)
    assert (error.place, error.expected, error.found) == (
        "whole file",
        "content",
        "an empty or blank file",
    )


def test_a_ragged_row_is_named_by_its_line_and_its_count_of_fields() -> None:
    error = refused(HEADER + "2018,Total,98.9,조원,r,0.1\n2019,Total,10.7,조원,r\n")
    assert (error.place, error.expected, error.found) == ("line 3", "6 fields", "5 (ragged row)")


def test_a_duplicate_row_is_named_with_the_line_it_repeats() -> None:
    rows = [
        "2018,Total,98.9,조원,r,0.1",
        "2018,Total,98.9,조원,another report,0.1",  # the same figure stated by someone else
        "2019,Total,10.7,조원,r,0.1",
        "2018,합계,9.9,조원,r,",  # the line 2 figure again, under its Korean label
    ]
    error = refused(HEADER + "\n".join(rows) + "\n")
    assert (error.place, error.expected, error.found) == (
        "line 5",
        "each figure once, but it repeats line 2",
        "a duplicate row",
    )
    assert len(parse_control_totals((HEADER + "\n".join(rows[:3])).encode(), FILE)) == 3


@pytest.mark.parametrize("below", ["", "\n", ",,,,,\n , ,,,,\n"])
def test_a_header_without_rows_is_refused_at_line_2(below: str) -> None:
    error = refused(HEADER + below)
    assert (error.place, error.expected, error.found) == (
        "line 2",
        "at least one control total below the header",
        "none",
    )


def test_a_column_twice_is_named_by_its_second_header() -> None:
    error = refused("fiscal_year,line,amount,unit,stated_by,amount\n2018,Total,1,조원,r,2\n")
    assert (error.place, error.expected, error.found) == (
        "line 1, column 'amount'",
        "one column for amount",
        "a second one",
    )
    # A header the registry maps onto a field the file also has by name.
    error = refused(
        "year,fiscal_year,line,amount,unit,stated_by\n2018,2018,Total,1,조원,r\n",
        columns={"year": "fiscal_year"},
    )
    assert (error.place, error.expected) == (
        "line 1, column 'fiscal_year'",
        "one column for fiscal_year",
    )


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (",Total,98.9,조원,r,", "fiscal_year"),
        ("2018,,98.9,조원,r,", "line"),
        ("2018,Total, ,조원,r,", "amount"),
        ("2018,Total,98.9,,r,", "unit"),
        ("2018,Total,98.9,조원,,", "stated_by"),
    ],
)
def test_a_missing_value_is_named_by_its_line_and_column(row: str, column: str) -> None:
    error = refused(HEADER + "2019,Total,10.7,조원,r,\n" + row + "\n")
    assert (error.place, error.expected, error.found) == (
        f"line 3, column {column}",
        f"a value for {column}",
        "''",
    )


def test_a_missing_value_is_named_by_the_file_s_own_header() -> None:
    error = refused(
        "year,line,amount,unit,source\n2018,Total,98.9,조원,\n",
        columns={"year": "fiscal_year", "source": "stated_by"},
    )
    assert (error.place, error.expected) == ("line 2, column source", "a value for stated_by")


@pytest.mark.parametrize(
    "header", ["line,amount,unit,stated_by", "fiscal_year,line,unit,stated_by"]
)
def test_a_header_without_the_year_or_the_amount_is_named_not_a_key_error(header: str) -> None:
    missing = "fiscal_year" if "fiscal_year" not in header else "amount"
    error = refused(f"{header}\nTotal,98.9,조원,r\n", unit="조원", line="Total", stated_by="r")
    assert (error.place, error.found) == ("line 1", f"no {missing!r}")
    assert error.expected.startswith(
        "a header with the columns fiscal_year, line, amount, unit, stated_by (optional: phase, "
        "precision, note), or a mapping"
    )


def test_a_year_that_is_no_year_is_named() -> None:
    error = refused(HEADER + "2018,Total,98.9,조원,r,\n2O19,Total,10.7,조원,r,\n")
    assert (error.place, error.expected, error.found) == (
        "line 3, column fiscal_year",
        "a year such as 2018",
        "'2O19'",
    )


def test_a_budget_line_the_seed_does_not_list_is_named() -> None:
    error = refused(HEADER + "2018,Local Support,98.9,조원,r,\n")
    assert (error.place, error.found) == ("line 2, column line", "'Local Support'")
    assert error.expected == (
        "a budget line label listed in dbt_project/seeds/ref_budget_line_aliases.csv"
    )


def test_an_unknown_unit_is_named_in_the_file_or_in_the_registry() -> None:
    error = refused(HEADER + "2018,Total,98.9,bananas,r,\n")
    assert (error.place, error.expected, error.found) == (
        "line 2, column unit",
        "a unit listed in dbt_project/seeds/ref_units.csv",
        "'bananas'",
    )
    error = refused("fiscal_year,line,amount,stated_by\n2018,Total,98.9,r\n", unit="bananas")
    assert (error.place, error.found) == ("line 2, unit (sources.yml)", "'bananas'")


def test_a_unit_the_registry_states_too_is_accepted() -> None:
    assert one("2018,Total,98.9,조원,r,", unit="조원").unit_label == "조원"


@pytest.mark.parametrize("amount", ["9,889,9O5", "98.9.1", "(98.9", "1,00", "１０２"])
def test_an_amount_that_is_no_number_is_named(amount: str) -> None:
    error = refused(HEADER + f'2018,Total,"{amount}",조원,r,\n')
    assert (error.place, error.expected, error.found) == (
        "line 2, column amount",
        "an amount such as 9,889,905 or 98.9",
        repr(amount),
    )


@pytest.mark.parametrize(
    ("amount", "unit"),
    [
        ("-1", "KRW 1 million"),
        ("(98.9)", "조원"),
        ("1,000,000,000,001", "KRW 1 million"),  # one past 10^12 KRW million
        ("1,000,000.000001", "조원"),  # 10^12 + 1 KRW million, printed in 조원
        ("10,000,000,001", "억원"),  # 10^12 + 100 KRW million
    ],
)
def test_a_negative_or_too_large_total_is_named(amount: str, unit: str) -> None:
    error = refused(HEADER + f'2018,Total,"{amount}",{unit},r,\n')
    assert (error.place, error.expected, error.found) == (
        "line 2, column amount",
        "a non-negative amount of at most 1,000,000,000,000 KRW million",
        repr(amount),
    )


@pytest.mark.parametrize(
    ("amount", "unit"),
    [
        ("0", "KRW 1 million"),
        ("-", "조원"),
        ("1,000,000,000,000", "KRW 1 million"),  # 10^12 KRW million: the most an amount holds
        ("1,000,000", "조원"),
        ("10,000,000,000", "억원"),
    ],
)
def test_zero_and_the_largest_total_are_accepted(amount: str, unit: str) -> None:
    assert one(f'2018,Total,"{amount}",{unit},r,').amount_text == amount


@pytest.mark.parametrize("phase", ["finished", "supplementary_0", "Enacted"])
def test_a_phase_that_is_none_is_named(phase: str) -> None:
    header = "fiscal_year,line,amount,unit,stated_by,phase\n"
    error = refused(header + f"2018,Total,98.9,조원,r,{phase}\n")
    assert (error.place, error.expected, error.found) == (
        "line 2, column phase",
        "proposed, enacted, supplementary_<n>, final, settled or nothing",
        repr(phase),
    )


def test_a_quoted_field_past_csv_s_field_limit_is_named_by_its_line() -> None:
    # The field opens on line 2 and holds 1,001 characters per line (1,000 x and the line
    # break): it passes csv's 131,072 while line 132 is read (131 × 1,001 = 131,131).
    text = HEADER + '2018,Total,98.9,조원,"' + "x" * 1_000 + "\n" + ("x" * 1_000 + "\n") * 200
    error = refused(text + '",\n')
    assert (error.place, error.expected) == ("line 132", "CSV fields of at most 131,072 characters")
    assert "field larger than field limit (131072)" in error.found


def test_a_line_past_the_csv_line_limit_is_refused_before_csv_reads_it() -> None:
    with pytest.raises(LimitError) as caught:
        parse_control_totals(
            (HEADER + '2018,Total,98.9,조원,"' + "x" * 140_000 + '",\n').encode(), FILE
        )
    assert (caught.value.limit.name, caught.value.place) == ("LINE_BYTES", "line 2")


def test_unreadable_control_totals_are_collected_with_the_other_rejections(tmp_path: Path) -> None:
    no_year = tmp_path / "no_year.csv"
    no_year.write_text("line,amount,unit,stated_by\nTotal,98.9,조원,r\n", encoding="utf-8")
    long_field = tmp_path / "long_field.csv"
    long_field.write_text(HEADER + '2018,Total,98.9,조원,"' + "x\n" * 70_000 + '",\n')
    good = FIXTURES / "control_totals.csv"
    sources = [source_for(path, "control_totals") for path in (no_year, good, long_field)]
    with pytest.raises(RejectedFilesError) as caught:
        parse_every(sources, parse_source, tmp_path / "reports", tmp_path)
    assert [(error.file, error.place) for error in caught.value.errors] == [
        (str(no_year), "line 1"),
        (str(long_field), "line 65538"),  # character 131,073 is the x of line 2 + 65,536
    ]
