"""Budget tables in the forms users really have: each loads, or its message names the real fault.

Every refusal is checked for the file, the place (line, column header, cell) and the fault itself
(formula, year, empty cell, ragged rows, encoding, delimiter), never only for "no such table".
Fixtures are written by ``tests/fixtures/budget_tables/make_fixtures.py`` (``message_cases``);
expected figures come from ``tests/source_figures.py``.
"""

from __future__ import annotations

import codecs
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pipelines.core.errors import SourceError
from pipelines.landing.raw_landing import ParsedPage, parse_source
from pipelines.sources.page_table import parse_budget_page
from pipelines.sources.reference import column_names
from pipelines.sources.registry import read_registry
from pipelines.sources.table_files import sniff_delimiter
from pipelines.sources.text_encoding import decode_text
from tests.source_figures import ROWS, YEARS
from tests.unit.test_table_formats import BAD, FIXTURES, parsed_figures, source_for

PAGE_FIGURES = {
    (label, year): Decimal(amount)
    for label, (_, amounts) in ROWS.items()
    for year, amount in zip(YEARS, amounts, strict=True)
}
HEADER = "Category,2015,2016,2017,2018,2019,2020"


def refusal(path: Path, **fields) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse_source(source_for(path, **fields))
    assert caught.value.file == str(path)
    return caught.value


def wide_csv(tmp_path: Path, name: str, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(["Unit: KRW 1 million", header, *rows]) + "\n", encoding="utf-8")
    return path


# --- long form: column names are a seed -------------------------------------------------------


def test_a_long_table_with_a_ministry_s_column_names_loads_with_the_unit_its_name_states() -> None:
    page = parse_source(source_for(FIXTURES / "long_krw_million_names.csv"))
    assert isinstance(page, ParsedPage)
    assert (page.table.shape, page.table.years, page.unit_label) == ("long", YEARS, "KRW million")
    assert page.unit_place == "line 1, column 3 (column name 'amount_krw_million')"
    assert parsed_figures(page) == PAGE_FIGURES


def test_the_long_column_names_come_from_the_seed_with_underscores_read_as_spaces() -> None:
    names = column_names()
    assert {key: (c.role, c.unit_label) for key, c in names.items() if key.startswith("amount")}[
        "amount krw million"
    ] == ("amount", "KRW million")
    assert names["fiscal year"].role == "year" and names["account"].role == "label"


def test_a_long_header_missing_a_role_names_the_roles_found_the_headers_and_the_seed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "account,fiscal_year,amount_krw_thousand\nTotal,2015,10338940000\n", encoding="utf-8"
    )
    error = refusal(path, unit="KRW 1 million")
    assert error.place == "line 1"
    assert "columns for label ('account') and year ('fiscal_year') but none for amount" in str(
        error
    )
    assert "'amount_krw_thousand'" in error.found
    assert "dbt_project/seeds/ref_column_names.csv" in error.hint
    assert "10338940000" not in str(error)  # a figure is never taken for a year header


def test_a_header_of_neither_shape_lists_the_roles_looked_for_and_the_headers_found(
    tmp_path: Path,
) -> None:
    path = tmp_path / "unknown.csv"
    path.write_text("acct,yr,amt\nTotal,FY15,10338940\n", encoding="utf-8")
    error = refusal(path, unit="KRW 1 million")
    assert error.place == "whole file"
    assert "label (account" in error.expected and "year (year" in error.expected
    assert "amount (amount" in error.expected
    assert "line 1: 'acct', 'yr', 'amt'" in error.found
    assert "fields separated by ','" in error.found
    assert "add its column names to dbt_project/seeds/ref_column_names.csv" in error.hint


def test_a_column_name_listed_for_two_roles_is_named_in_the_seed(tmp_path: Path) -> None:
    (tmp_path / "ref_column_names.csv").write_text(
        "column_name,role,unit_label\nfiscal year,year,\nFiscal_Year,amount,\n", encoding="utf-8"
    )
    with pytest.raises(
        SourceError, match=r"ref_column_names\.csv, line 3: .*also listed as 'year'"
    ):
        column_names(tmp_path)


# --- workbooks: formulas without a cached value -----------------------------------------------


def test_a_formula_without_a_cached_value_is_named_by_its_cell_with_the_fix() -> None:
    error = refusal(BAD / "formula_no_value.xlsx")
    assert error.place == "sheet 'Sheet1', cell B4"
    assert "a formula (=B5+B6+B9+B10) with no cached value at Sheet1!B4" in error.found
    assert "and 5 more such cells" in error.found
    assert "does not compute formulas" in error.found
    assert "spreadsheet program" in error.hint and "paste values" in error.hint
    assert "notes" not in str(error)


# --- years, empty cells, ragged rows ----------------------------------------------------------


def test_a_year_out_of_range_is_named_with_the_accepted_range() -> None:
    error = refusal(BAD / "year_1875.csv")
    assert error.place == "line 2, column 2"
    assert error.found == "the year '1875'" and "1900–2099" in error.expected
    assert "ragged" not in str(error) and "short" not in str(error)


def test_a_year_out_of_range_in_a_long_table_and_on_the_page(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("account,year,amount\nTotal,1875,1\n", encoding="utf-8")
    error = refusal(path, unit="KRW 1 million")
    assert (error.place, error.found) == ("line 2, column 2 (year)", "the year '1875'")
    assert "1900–2099" in error.expected
    page = "Budget for X (Unit: KRW 1 million)\nCategory 1875 2016\nTotal 1 2\nReference : Y\n"
    with pytest.raises(SourceError) as caught:
        parse_budget_page(page, "page.txt")
    assert caught.value.place == "line 2" and "the year '1875'" in caught.value.found


def test_an_empty_cell_is_named_by_line_and_column_header() -> None:
    error = refusal(BAD / "empty_cell.csv")
    assert error.place == "line 5, column 5 (2018)"
    assert error.found == "1 empty cell: line 5, column 5 (2018)"


def test_an_empty_label_and_a_row_of_empty_amounts_are_named_by_their_cells(
    tmp_path: Path,
) -> None:
    path = wide_csv(
        tmp_path,
        "empties.csv",
        ["Total,1,2,3,4,5,6", ",1,2,3,4,5,6", "Local Support Account,,,,,,", "Jeju,1,2,3,4,5,6"],
    )
    error = refusal(path)
    # The label of line 4 is empty; line 5's amounts are empty although rows of figures follow.
    assert error.place == "line 4, column 1 (Category)"
    assert "only notes" not in str(error)


def test_figures_below_a_note_are_still_named_as_such(tmp_path: Path) -> None:
    path = wide_csv(
        tmp_path, "notes.csv", ["Total,1,2,3,4,5,6", "* provisional", "Jeju,1,2,3,4,5,6"]
    )
    error = refusal(path)
    assert error.place == "line 5"
    assert "the notes begin at line 4: '* provisional'" in error.expected


def test_every_ragged_row_is_named_not_only_the_first() -> None:
    error = refusal(BAD / "ragged_rows.csv")
    assert error.place == "line 4"
    assert error.found.startswith("3 ragged rows: line 4 with 6 cells")
    assert "line 6 with 8 cells" in error.found and "line 8 with 5 cells" in error.found


def test_many_ragged_rows_are_listed_up_to_ten_and_counted(tmp_path: Path) -> None:
    path = wide_csv(tmp_path, "many.csv", [f"Row {n},1,2,3" for n in range(14)])
    error = refusal(path)
    assert error.found.startswith("14 ragged rows: line 3 with 4 cells")
    assert "line 12 with 4 cells" in error.found and "line 13 with" not in error.found
    assert error.found.endswith("; and 4 more")


# --- delimiters and encodings -----------------------------------------------------------------


def test_a_semicolon_csv_with_a_title_line_loads() -> None:
    page = parse_source(source_for(FIXTURES / "semicolon_title.csv"))
    assert (page.unit_label, page.table.years) == ("백만원", YEARS)
    assert parsed_figures(page) == PAGE_FIGURES


def test_the_delimiter_is_sniffed_on_the_table_rows_not_the_title() -> None:
    text = "Budget, in KRW million; by account\nCategory;2015;2016\nTotal;1;2\nJeju;3;4\n"
    assert sniff_delimiter(text) == (";", "lines 2–4")
    assert sniff_delimiter("one\ntwo\n") == (",", "no line splits into fields")


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("utf16le_bom.csv", "UTF-16 LE (by its byte-order mark)"),
        ("utf16be_no_bom.csv", "UTF-16 BE (no byte-order mark; recognised by its NUL bytes)"),
    ],
)
def test_utf16_text_is_read_with_or_without_a_byte_order_mark(name: str, how: str) -> None:
    data = (FIXTURES / name).read_bytes()
    assert decode_text(data, name)[1].how == how
    page = parse_source(source_for(FIXTURES / name))
    assert parsed_figures(page) == PAGE_FIGURES


def test_binary_data_with_nul_bytes_is_still_refused_and_the_encoding_field_is_named() -> None:
    error = refusal(BAD / "binary_junk.csv")
    assert (error.place, error.found) == ("line 2", "a NUL byte (binary data?)")
    assert "`encoding: <name>`" in error.hint


@pytest.mark.parametrize(
    ("name", "garbled", "korean"),
    [
        ("mojibake_latin1.csv", "±¸ºÐ", "국가균형발전특별회계 예산 추이"),
        ("mojibake_utf8_as_cp949.csv", "援щ텇", "'구분' as utf-8 bytes taken for cp949"),
    ],
)
def test_mis_decoded_korean_labels_are_named_as_an_encoding_fault(
    name: str, garbled: str, korean: str
) -> None:
    error = refusal(BAD / name)
    assert error.place == "whole file"
    assert garbled in error.found and "read as UTF-8" in error.found
    assert error.hint.startswith("The labels look mis-decoded") and korean in error.hint
    assert "save it again from the original" in error.hint


def test_a_wrongly_declared_encoding_is_named_with_the_one_to_declare() -> None:
    error = refusal(FIXTURES / "seven_rows_cp949_eok.csv", encoding="latin-1")
    assert "read as iso8859-1 (declared in sources.yml)" in error.found
    assert "declare it with `encoding: cp949` in its sources.yml entry" in error.hint


def test_a_declared_encoding_reads_the_file_and_undecodable_bytes_are_named() -> None:
    page = parse_source(source_for(FIXTURES / "seven_rows_cp949_eok.csv", encoding="cp949"))
    assert page.table.cells[0].row_label == "합계"
    error = refusal(FIXTURES / "seven_rows_cp949_eok.csv", encoding="utf-8")
    assert error.place == "line 1, byte 0" and "that are not utf-8" in error.found


def test_the_registry_encoding_field_is_checked(raw_copy: Path) -> None:
    registry = raw_copy / "sources.yml"
    (raw_copy / "t.csv").write_bytes((FIXTURES / "seven_rows_cp949_eok.csv").read_bytes())
    entry = "  - file: t.csv\n    format: csv\n    title: t\n    publisher: p\n"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text + entry + "    encoding: EUC-KR\n", encoding="utf-8")
    sources, _ = read_registry(raw_copy)
    assert sources[-1].encoding == codecs.lookup("euc-kr").name
    registry.write_text(text + entry + "    encoding: klingon\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"entry \d+ under 'sources', encoding: .*'klingon'"):
        read_registry(raw_copy)


# --- the entry to add for an unregistered file ------------------------------------------------


@pytest.mark.parametrize("name", ["budget_2021.csv", "a: b #1.xlsx", "예산 2021.html", "notes"])
def test_the_entry_printed_for_an_unregistered_file_is_clean_yaml_naming_it(
    raw_copy: Path, name: str
) -> None:
    (raw_copy / name).write_text("x\n", encoding="utf-8")
    _, (error,) = read_registry(raw_copy)
    message = str(error)
    prose, _, block = message.partition("under 'sources:' in ")
    assert "an unregistered file" in prose
    entry_lines = block.split("\n")[1:]
    assert entry_lines[0].startswith("  - file: ")
    (entry,) = yaml.safe_load("\n".join(entry_lines))
    assert entry["file"] == name
    assert {"format", "title", "publisher", "publication_date", "phase"} <= set(entry)
    assert not re.search(r"found|unregistered", "\n".join(entry_lines))
