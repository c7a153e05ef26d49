"""The page parser against the published page and against malformed variants of it."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.page_table import BudgetCell, parse_amount, parse_budget_page
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


# --- each refusal names its place, what was expected and what was found ------------------------

TITLE = "Budget for the Special Accounts for Balanced National Development (Unit: KRW 1 million)"
HEADER = "Category 2015 2016 2017 2018 2019 2020"
TOTAL = "Total 10,338,940 9,973,926 9,462,271 9,889,905 10,748,531 9,232,811"  # line 54
ROW_EXPECTED = "a row label followed by 6 amounts (one per year 2015–2020)"
HEADER_EXPECTED = "a header row of years below the title, such as 'Category 2015 2016 …'"
REFERENCE_EXPECTED = "the reference line 'Reference : <publisher>' right below the table's rows"


def refusal(text: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse_budget_page(text, "data_raw/page.txt")
    assert caught.value.file == "data_raw/page.txt"
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "place", "expected", "found"),
    [
        (
            "Local Support Account 5,368,589 ",
            "Local Support Account ",
            "line 55, column 2015",  # "Account" stands where 2015's amount should
            ROW_EXPECTED,
            "'Account' in 'Local Support Account 4,918,356 4,728,768 4,203,522 4,760,211 "
            "6,613,132'",
        ),
        (
            "9,889,905",
            "9,889,9O5",
            "line 54, column 2018",
            ROW_EXPECTED,
            f"'9,889,9O5' in {TOTAL.replace('9,889,905', '9,889,9O5')!r}",
        ),
        (
            "9,462,271 9,889,905",
            "9,462,27l 9,889,9O5",
            "line 54, column 2017",  # the first of two
            ROW_EXPECTED,
            f"'9,462,27l' in {TOTAL.replace('9,462,271 9,889,905', '9,462,27l 9,889,9O5')!r}",
        ),
        ("Total 10,338,940", "10,338,940", "line 54", ROW_EXPECTED, repr(TOTAL[6:])),
        (
            "Total 10,338,940 9,973,926 9,462,271 9,889,905",
            "10,338,940 9,973,926 9,462,271 9,889,9O5",
            "line 54, column ?",  # no label: the amounts cannot be placed in their columns
            ROW_EXPECTED,
            f"'9,889,9O5' in {TOTAL[6:].replace('9,889,905', '9,889,9O5')!r}",
        ),
        (
            TOTAL,
            "Total 10,338,940",
            "line 54, column ?",
            ROW_EXPECTED,
            "'Total' in 'Total 10,338,940'",
        ),
        ("Category", "Cate\x00gory", "line 53", "text", "a NUL byte (binary data?)"),
        (
            "Category 2015 2016 2017",
            "Category 2015 2015 2017",
            "line 53",
            "each year once in the header",
            "years 2015 2015 2017 2018 2019 2020",
        ),
        (
            "Category 2015 2016",
            "Category 1875 1899",
            "line 53",
            "fiscal years 1900–2099 in the header",
            "the year '1899' in 'Category 1875 1899 2017 2018 2019 2020'",
        ),
        (
            TITLE,
            "Budget overview",
            "whole file",
            "a table title line 'Budget … (Unit: …)'",
            "no such line",
        ),
        (
            TITLE,
            f"{TITLE}\n\n{TITLE}",
            "lines 50, 52",
            "exactly one budget table title",
            "2 titles",
        ),
        (HEADER + "\n", "", "lines 51–55", HEADER_EXPECTED, "none"),  # figures before a header
        (HEADER, f"{HEADER} Notes", "lines 51–55", HEADER_EXPECTED, "none"),
        (TITLE, TITLE + "\n\n\n", "lines 51–55", HEADER_EXPECTED, "none"),  # header on line 56
        (
            "Reference : ",
            "Source - ",
            "line 62",
            REFERENCE_EXPECTED,
            "'Source - The Ministry of Economy and Finance'",
        ),
        (
            "\nSejong Special",
            "\n\nSejong Special",
            "line 60",
            REFERENCE_EXPECTED,
            "'Sejong Special Self-Governing City Account 102,218 103,694 102,649 100,428 "
            "103,496 72,808'",
        ),
    ],
    ids=[
        "an amount missing",
        "a letter in an amount",
        "two letters",
        "no label",
        "no label and a letter",
        "one amount",
        "a NUL byte",
        "a year twice",
        "a year out of range",
        "no title",
        "two titles",
        "no header",
        "a word after the years",
        "a header 6 lines below the title",
        "no reference",
        "a blank line inside the table",
    ],
)
def test_a_refusal_names_its_place_what_was_expected_and_what_was_found(
    page_text: str, old: str, new: str, place: str, expected: str, found: str
) -> None:
    assert old in page_text
    error = refusal(page_text.replace(old, new, 1))
    assert (error.place, error.expected, error.found) == (place, expected, found)


def test_a_header_without_rows_is_named_on_the_line_below_it(page_text: str) -> None:
    rows = page_text[page_text.index(TOTAL) : page_text.index("\n\nReference") + 1]
    error = refusal(page_text.replace(rows, ""))
    assert (error.place, error.expected, error.found) == (
        "line 54",
        "at least one table row below the header",
        "none",
    )


@pytest.mark.parametrize(("end", "line"), [("", "line 60"), ("\n", "line 61"), ("\n\n", "line 62")])
def test_a_table_running_to_the_end_of_the_file_is_named_there(
    page_text: str, end: str, line: str
) -> None:
    error = refusal(page_text[: page_text.index("\n\nReference")] + end)
    assert (error.place, error.expected, error.found) == (
        line,
        REFERENCE_EXPECTED,
        "the end of the file",
    )


def test_the_header_may_stand_five_lines_below_the_title(page_text: str) -> None:
    table = parse_budget_page(page_text.replace(TITLE, TITLE + "\n\n"), "page.txt")
    assert (table.title_line, table.header_line, table.cells[0].line_number) == (50, 55, 56)
    assert table.unit_place == "line 50"


def test_the_header_may_stand_right_below_the_title_and_have_a_label_of_words(
    page_text: str,
) -> None:
    caption = page_text.splitlines()[51]  # line 52, the page's Korean caption
    text = page_text.replace(
        f"{TITLE}\n\n{caption}\n{HEADER}", f"{TITLE}\nAccount and level{HEADER[8:]}"
    )
    table = parse_budget_page(text, "page.txt")
    assert (table.header_line, table.header_label, table.years) == (51, "Account and level", YEARS)


def test_the_reference_is_kept_as_printed_to_its_last_letter(page_text: str) -> None:
    text = page_text.replace(REFERENCE, f"{REFERENCE}, Annex IX").replace("\n", "\r\n")
    assert parse_budget_page(text, "page.txt").reference == f"{REFERENCE}, Annex IX"


@pytest.mark.parametrize(("blank", "line"), [("\n", 61), ("\n\n", 62), ("\n\n\n\n", 64)])
def test_the_reference_line_may_follow_the_rows_after_blank_lines(
    page_text: str, blank: str, line: int
) -> None:
    text = page_text.replace("\n\nReference", blank + "Reference")
    table = parse_budget_page(text, "page.txt")
    assert (table.reference, table.reference_line) == (REFERENCE, line)
    assert len(table.cells) == len(ROWS) * len(YEARS)


def test_a_page_table_is_a_wide_table_of_whole_amounts_placed_by_line_and_year(
    page_text: str,
) -> None:
    table = parse_budget_page(page_text, "page.txt")
    assert (table.shape, table.table_place, table.unit_place, table.context) == (
        "wide",
        None,
        "line 50",
        (),
    )
    total_2015 = table.cells[0]
    assert (total_2015.row_number, total_2015.row_label, total_2015.amount) == (
        1,
        "Total",
        10338940,
    )
    assert {cell.decimals for cell in table.cells} == {0}
    jeju_2017 = next(c for c in table.cells if c.line_number == 60 and c.fiscal_year == 2017)
    assert (jeju_2017.where, jeju_2017.where_row) == ("line 60, column 2017", "line 60")
    assert jeju_2017.locator("data_raw/page.txt") == "data_raw/page.txt:60 [2017]"


def test_a_cell_placed_in_a_workbook_says_its_sheet_and_cell() -> None:
    cell = BudgetCell(
        row_number=7,
        row_label="Jeju Special Self-Governing Province Account",
        line_number=7,
        column_label="2017",
        fiscal_year=2017,
        amount_text="325,981",
        amount=325981,
        place="sheet 'Budget', cell D7",
        position="Budget!D7",
        row_place="sheet 'Budget', row 7",
    )
    assert (cell.where, cell.where_row) == ("sheet 'Budget', cell D7", "sheet 'Budget', row 7")
    assert cell.locator("budget.xlsx") == "budget.xlsx:Budget!D7 [2017]"


def test_a_parsed_table_is_a_value_that_cannot_change(page_text: str) -> None:
    table = parse_budget_page(page_text, "page.txt")
    assert len({table, parse_budget_page(page_text, "page.txt"), *table.cells[:2]}) == 3
    with pytest.raises(FrozenInstanceError):
        table.cells[0].amount = 0  # type: ignore[misc]


def test_an_amount_token_that_is_none_is_named() -> None:
    with pytest.raises(ValueError, match=r"^not an amount: '9,889,9O5'$"):
        parse_amount("9,889,9O5")
