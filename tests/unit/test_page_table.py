"""The page parser against the published page and against malformed variants of it."""

from __future__ import annotations

import re

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.page_table import parse_amount, parse_budget_page
from tests.source_figures import (
    HEADER_LINE,
    REFERENCE,
    REFERENCE_LINE,
    ROWS,
    TITLE_LINE,
    UNIT,
    YEARS,
)


def test_published_page_parses_to_the_printed_table(page_text: str) -> None:
    table = parse_budget_page(page_text, "page.txt")

    assert table.title == "Budget for the Special Accounts for Balanced National Development"
    assert table.unit_label == UNIT
    assert table.years == YEARS
    assert table.header_label == "Category"
    assert (table.title_line, table.header_line) == (TITLE_LINE, HEADER_LINE)
    assert (table.reference, table.reference_line) == (REFERENCE, REFERENCE_LINE)
    assert table.row_labels == tuple(ROWS)
    parsed = {}
    for cell in table.cells:
        parsed.setdefault(cell.row_label, (cell.line_number, []))[1].append(cell.amount)
    assert {label: (line, tuple(amounts)) for label, (line, amounts) in parsed.items()} == ROWS


def test_every_cell_keeps_its_line_and_year_column(page_text: str) -> None:
    table = parse_budget_page(page_text, "page.txt")
    jeju_2017 = next(
        cell
        for cell in table.cells
        if cell.row_label.startswith("Jeju") and cell.fiscal_year == 2017
    )
    assert (jeju_2017.line_number, jeju_2017.column_label, jeju_2017.amount_text) == (
        60,
        "2017",
        "325,981",
    )
    assert jeju_2017.row_number == 7


def test_windows_line_endings_and_extra_spaces_parse_the_same(page_text: str) -> None:
    variant = page_text.replace("Total 10,338,940", "Total\t 10,338,940   ").replace("\n", "\r\n")
    assert parse_budget_page(variant, "v.txt") == parse_budget_page(page_text, "p.txt")


@pytest.mark.parametrize(
    "header",
    [
        "Category 2015년 2016년 2017년 2018년 2019년 2020년",
        "구분 FY2015 FY2016 FY2017 FY2018 FY2019 FY2020",
    ],
)
def test_year_headers_in_other_spellings(page_text: str, header: str) -> None:
    variant = page_text.replace("Category 2015 2016 2017 2018 2019 2020", header)
    table = parse_budget_page(variant, "v.txt")
    assert table.years == YEARS
    assert table.cells[0].column_label == header.split()[1]


def _error(text: str) -> str:
    with pytest.raises(SourceError) as caught:
        parse_budget_page(text, "data_raw/page.txt")
    message = str(caught.value)
    assert message.startswith("data_raw/page.txt, ")
    return message


def test_a_row_missing_an_amount_names_its_line(page_text: str) -> None:
    variant = page_text.replace("Local Support Account 5,368,589 ", "Local Support Account ")
    message = _error(variant)
    assert "line 55" in message
    assert "6 amounts" in message and "2015–2020" in message


def test_a_non_numeric_amount_names_line_and_year_column(page_text: str) -> None:
    variant = page_text.replace("9,889,905", "9,889,9O5")
    message = _error(variant)
    assert "line 54, column 2018" in message
    assert "9,889,9O5" in message


def test_a_missing_header_is_reported_below_the_title(page_text: str) -> None:
    variant = page_text.replace("Category 2015 2016 2017 2018 2019 2020\n", "")
    message = _error(variant)
    assert "header row of years" in message
    assert re.search(r"lines 51–\d+", message)


def test_duplicate_years_in_the_header(page_text: str) -> None:
    variant = page_text.replace("Category 2015 2016 2017", "Category 2015 2015 2017")
    assert "each year once" in _error(variant)


def test_no_title_and_two_titles(page_text: str) -> None:
    title = (
        "Budget for the Special Accounts for Balanced National Development (Unit: KRW 1 million)"
    )
    assert "no such line" in _error(page_text.replace(title, "Budget overview"))
    doubled = page_text.replace(title, f"{title}\n\n{title}")
    assert "lines 50, 52" in _error(doubled)


def test_header_without_rows(page_text: str) -> None:
    start = page_text.index("Total 10,338,940")
    end = page_text.index("\n\nReference")
    assert "at least one table row" in _error(page_text[:start] + page_text[end + 1 :])


def test_nul_byte_is_rejected_with_its_line(page_text: str) -> None:
    message = _error(page_text.replace("Category", "Cate\x00gory"))
    assert "line 53" in message and "NUL" in message


def test_a_missing_reference_line_is_reported(page_text: str) -> None:
    message = _error(page_text.replace("Reference : ", "Source - "))
    assert "line 62" in message and "reference line" in message


def test_a_blank_line_inside_the_table_is_reported_not_silently_truncated(page_text: str) -> None:
    variant = page_text.replace("\nSejong Special", "\n\nSejong Special")
    message = _error(variant)
    assert "line 60" in message and "reference line" in message and "Sejong" in message


def test_full_width_digits_are_not_read_as_amounts(page_text: str) -> None:
    message = _error(page_text.replace("102,218", "１０２,２１８"))
    assert "line 59, column 2015" in message


@pytest.mark.parametrize(
    ("text", "value"),
    [("10,338,940", 10338940), ("72808", 72808), ("0", 0), ("-1,000", -1000)],
)
def test_parse_amount(text: str, value: int) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["1,00", "10,338,94", "1.5", "", "12a", "1,000,"])
def test_parse_amount_rejects_malformed_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)
