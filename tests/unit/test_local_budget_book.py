"""Local budget books: the special account as a funding column of each line.

Books are written in the real layout (``tests.local_books``: one or two header rows, XLSX and
cp949 CSV, a 본예산 and a 추경, the funding column under the names of several eras). Each refusal
has its own case and names the file and the row or cell; each limit is tested at its edge. The
real book in ``data_raw/`` is checked against counts read from it without the parser."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.amounts import MAX_KRW_MILLION
from pipelines.sources.local_budget_book import (
    MAX_ROUND,
    LocalBook,
    marker_depth,
    parse_local_budget_book,
    phase_of,
)
from pipelines.sources.local_governments import government_of
from tests.local_books import Book, Row, sample_rows, write_csv, write_xlsx
from tests.source_figures import GURI_BOOK

DATA_RAW = Path(__file__).resolve().parents[2] / "data_raw"
GURI = DATA_RAW / GURI_BOOK


def read(path: Path, **options) -> LocalBook:
    return parse_local_budget_book(path.read_bytes(), str(path), **options)


def written(tmp_path: Path, book: Book, kind: str = "xlsx") -> Path:
    if kind == "xlsx":
        return write_xlsx(tmp_path / "book.xlsx", book)
    return write_csv(tmp_path / "book.csv", book)


def refusal(tmp_path: Path, book: Book, kind: str = "xlsx", **options) -> SourceError:
    path = written(tmp_path, book, kind)
    with pytest.raises(SourceError) as caught:
        read(path, **options)
    assert caught.value.file == str(path)
    return caught.value


# --- what a book gives ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("two_rows", [True, False])
def test_a_supplementary_book_gives_its_lines_of_the_account(
    tmp_path: Path, kind: str, two_rows: bool
) -> None:
    book = read(written(tmp_path, Book(rows=sample_rows(), two_row_header=two_rows), kind))
    assert (book.fiscal_year, book.phase) == (2025, "supplementary_3")
    assert book.phase_printed == "추경3회"
    assert book.split_basis == "change"
    assert book.header_rows == (2 if two_rows else 1)
    assert book.unit_label == "천원"
    assert book.special_account_column == "지역균형발전특별회계보조금"
    assert book.account_name_that_year == "지역균형발전특별회계"
    roles = [row.role for row in book.rows]
    assert roles == ["heading", "line", "line", "line", "line"]
    # 천원 → KRW million: 400 천원 is 0.4, 1,270,000 천원 is 1,270
    assert [row.special_account for row in book.rows] == [
        Decimal(0),
        Decimal("0.4"),
        Decimal("0.4"),
        Decimal(1270),
        Decimal(0),
    ]
    second = book.rows[1]
    assert (second.budget, second.prior, second.change) == (
        Decimal("12.8"),
        Decimal(12),
        Decimal("0.8"),
    )
    assert second.local_account == "일반회계"
    assert second.basis == "ｏ1호 운영비" and second.marker_depth == 1
    assert dict((source, amount) for _, source, amount in second.funding)["own_revenue"] == Decimal(
        "0.4"
    )


def test_an_enacted_book_splits_the_budget(tmp_path: Path) -> None:
    rows = [Row("가상 사업(시험)", "○사업비", 5000, 0, special=3000, national=1000)]
    book = read(written(tmp_path, Book(phase="본예산", rows=rows, split_change=False), "csv"))
    assert (book.phase, book.split_basis) == ("enacted", "budget")
    assert book.rows[0].special_account == Decimal(3)


def test_an_enacted_book_without_a_group_over_its_funding_splits_the_budget(
    tmp_path: Path,
) -> None:
    # one header row: nothing says what the funding splits, so the phase decides
    rows = [Row("가상 사업(시험)", "○사업비", 5000, 4000, special=3000, national=2000)]
    book = Book(phase="본예산", rows=rows, split_change=False, two_row_header=False)
    assert read(written(tmp_path, book)).split_basis == "budget"


@pytest.mark.parametrize(
    ("year", "label", "account"),
    [
        (2007, "국가균형발전특별회계보조금", "국가균형발전특별회계"),
        (2012, "광역·지역발전특별회계보조금", "광역·지역발전특별회계"),
        (2012, "광특보조금", "광역·지역발전특별회계"),
        (2016, "지역발전특별회계보조금", "지역발전특별회계"),
        (2016, "지특보조금", "지역발전특별회계"),
        (2021, "균특보조금", "국가균형발전특별회계"),
        (2023, "균특보조금", "국가균형발전특별회계 / 지역균형발전특별회계"),
        (2026, "균특보조금", "지역균형발전특별회계"),
    ],
)
def test_the_funding_column_is_read_under_each_era_name(
    tmp_path: Path, year: int, label: str, account: str
) -> None:
    book = read(written(tmp_path, Book(year=year, special_label=label, rows=sample_rows())))
    assert book.special_account_column == label
    assert book.account_name_that_year == account
    assert sum(row.special_account for row in book.rows) == Decimal("1270.8")


@pytest.mark.parametrize(
    ("year", "label", "known"),
    [
        (2016, "지역균형발전특별회계보조금", "2023–"),
        (2022, "지역균형발전특별회계보조금", "2023–"),
        (2015, "균특보조금", "2005–2009"),
        (2010, "국가균형발전특별회계보조금", "2019–2024"),
        (2019, "지특보조금", "2015–2018"),
    ],
)
def test_a_funding_column_named_after_another_era_stops_the_run(
    tmp_path: Path, year: int, label: str, known: str
) -> None:
    error = refusal(tmp_path, Book(year=year, special_label=label, rows=sample_rows()))
    assert error.place == "sheet 'Sheet0', cell M5"
    assert label in error.expected and known in error.expected
    assert error.found == f"a book of {year}"


def test_the_real_book_gives_its_lines(tmp_path: Path) -> None:
    """구리시 2025 제3회 추경: counts read from the workbook by the research note (73 headings,
    1,510 lines) and the special account's column summed here with openpyxl, not the parser."""
    import openpyxl

    sheet = openpyxl.load_workbook(GURI, data_only=True).worksheets[0]
    column = [row[12] for row in sheet.iter_rows(min_row=6, values_only=True)]
    assert sheet.cell(5, 13).value == "지역균형발전특별회계보조금"
    book = read(GURI)
    lines = [row for row in book.rows if row.role == "line"]
    assert (len(lines), sum(row.role == "heading" for row in book.rows)) == (1510, 73)
    assert sum(row.special_account != 0 for row in lines) == 12
    assert sum(row.special_account for row in lines) * 1000 == sum(column)
    assert (book.phase, book.split_basis, book.header_rows) == ("supplementary_3", "change", 2)


def test_a_printed_total_is_kept_apart_from_the_lines(tmp_path: Path) -> None:
    rows = [*sample_rows(), Row("", "", 1364600, 1086000, special=1270800, label="합계")]
    book = read(written(tmp_path, Book(rows=rows)))
    assert [row.role for row in book.rows][-1] == "total"
    assert book.rows[-1].special_account == Decimal("1270.8")


def test_a_marker_without_deeper_rows_is_a_line(tmp_path: Path) -> None:
    # the heading's children belong to another 통계목: it is a line, and must add up
    rows = [Row("가상 사업(시험)", "○운영비", 1000, 0), Row("가상 사업(시험)", "ｏ1호", 500, 0,
            item_code="201-01")]  # fmt: skip
    assert [row.role for row in read(written(tmp_path, Book(rows=rows))).rows] == ["line", "line"]


@pytest.mark.parametrize(
    ("text", "phase"),
    [
        ("본예산", "enacted"),
        ("본 예산", "enacted"),
        ("추경3회", "supplementary_3"),
        ("제3회 추경", "supplementary_3"),
        ("3회추경", "supplementary_3"),
        ("추경 3차", "supplementary_3"),
        ("제2회 추가경정예산", "supplementary_2"),
        ("추경1회", "supplementary_1"),
        (f"추경{MAX_ROUND}회", f"supplementary_{MAX_ROUND}"),
        (f"추경{MAX_ROUND + 1}회", None),
        ("추경0회", None),
        ("추경", None),
        ("기금계획변경1", None),
        ("", None),
    ],
)
def test_the_phase_is_read_from_the_budget_kind(text: str, phase: str | None) -> None:
    assert phase_of(text) == phase


@pytest.mark.parametrize(
    ("basis", "depth"),
    [
        ("○운영비", 0),
        ("ｏ1호", 1),
        ("ㆍ세부", 2),
        ("-내역", 3),
        ("˚비고", 4),
        ("운영비", None),
        ("", None),
    ],
)
def test_the_level_of_a_basis_is_its_marker(basis: str, depth: int | None) -> None:
    assert marker_depth(basis) == depth


# --- refusals, each by its own case -----------------------------------------------------------


def test_a_row_whose_funding_does_not_add_up_stops_the_run(tmp_path: Path) -> None:
    rows = [*sample_rows(), Row("가상 사업(시험)", "○사업비", 9000, 4000, special=1000, own=3000)]
    error = refusal(tmp_path, Book(rows=rows))
    assert error.place == "sheet 'Sheet0', row 11"
    assert error.expected == "the funding columns to add up to 비교증감 (5,000)"
    assert error.found.endswith("= 4,000") and "지역균형발전특별회계보조금" in error.found


def test_an_enacted_row_whose_funding_does_not_add_up_to_its_budget_stops_the_run(
    tmp_path: Path,
) -> None:
    rows = [Row("가상 사업(시험)", "사업비", 5000, 0, special=3000, own=1000)]
    error = refusal(tmp_path, Book(phase="본예산", rows=rows, split_change=False), "csv")
    assert error.place == "line 5"
    assert error.expected == "the funding columns to add up to 예산액 (5,000)"


def test_an_unknown_column_stops_the_run(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(rows=sample_rows(), extra_columns=("비고",)))
    assert error.place == "sheet 'Sheet0', cell L4"
    assert error.found == "'비고'" and "ref_local_book_columns.csv" in error.expected


def test_a_book_without_the_special_account_column_stops_the_run(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(special_label="지방채", rows=sample_rows()))
    assert error.place == "sheet 'Sheet0', row 4"
    assert error.expected.startswith("one funding column of the special account (")
    assert error.found == "0"


def test_a_book_with_two_columns_of_the_account_stops_the_run(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(rows=sample_rows(), extra_columns=("균특보조금",)))
    assert error.place == "sheet 'Sheet0', row 4"
    assert error.found == "2: 균특보조금, 지역균형발전특별회계보조금"


def test_a_column_named_twice_stops_the_run(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(rows=sample_rows(), extra_columns=("세부사업명",)))
    assert error.place == "sheet 'Sheet0', cell L4"
    assert error.expected == "one column of detail_project"


def test_a_book_without_a_header_stops_the_run(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text("제목\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.place == "first 20 rows" and "회계연도" in caught.value.expected


def test_a_phase_the_reader_does_not_know_stops_the_run(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(phase="기금계획변경1", rows=sample_rows()))
    assert error.place == "sheet 'Sheet0', cell B6"
    assert error.found == "'기금계획변경1'"


def test_a_year_that_is_not_one_stops_the_run(tmp_path: Path) -> None:
    rows = [Row("가상 사업(시험)", "○사업비", 100, 0, label="2025년 이월")]
    error = refusal(tmp_path, Book(rows=rows))
    assert error.place == "sheet 'Sheet0', cell A6" and "회계연도" in error.expected


def test_two_phases_in_one_book_stop_the_run(tmp_path: Path) -> None:
    path = written(tmp_path, Book(rows=sample_rows()), "csv")
    text = path.read_bytes().decode("cp949").splitlines()
    text[-1] = text[-1].replace("추경3회", "추경2회")
    path.write_bytes(("\r\n".join(text) + "\r\n").encode("cp949"))
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.place == "line 9"
    assert caught.value.expected == "one book: 2025 추경3회 as on line 5"


def test_a_book_without_a_unit_stops_the_run(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(rows=sample_rows(), unit_row=None))
    assert error.place == "above the header" and "unit:" in error.expected


def test_a_declared_unit_stands_in_for_a_missing_one(tmp_path: Path) -> None:
    book = read(written(tmp_path, Book(rows=sample_rows(), unit_row=None)), declared_unit="원")
    assert book.unit_label == "원" and book.unit_place == "sources.yml"
    assert book.rows[3].special_account == Decimal("1.27")


def test_a_declared_unit_that_contradicts_the_book_stops_the_run(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(rows=sample_rows()), declared_unit="원")
    assert error.place == "sheet 'Sheet0', cell R3"
    assert error.expected == "the unit its sources.yml entry declares (원)"


def test_an_amount_that_is_not_one_stops_the_run(tmp_path: Path) -> None:
    book = Book(rows=sample_rows())
    path = written(tmp_path, book, "csv")
    text = path.read_bytes().decode("cp949").replace(",1270000,0,", ",12억,0,", 1)
    path.write_bytes(text.encode("cp949"))
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.place == "line 8, column 9"
    assert caught.value.expected == "예산액: an amount"


def test_an_amount_at_the_limit_is_read_and_one_past_it_is_refused(tmp_path: Path) -> None:
    at = MAX_KRW_MILLION * 1000  # 천원
    rows = [Row("가상 사업(시험)", "○사업비", at, at)]
    assert read(written(tmp_path, Book(rows=rows))).rows[0].budget == MAX_KRW_MILLION
    error = refusal(tmp_path, Book(rows=[Row("가상 사업(시험)", "○사업비", at + 1, at + 1)]))
    assert error.place == "sheet 'Sheet0', cell I6"


# --- who the book is from ---------------------------------------------------------------------


def test_a_government_is_found_by_its_code_in_the_books_year() -> None:
    guri = government_of("4122000", 2025, "sources.yml", "entry 3")
    assert (guri.name_ko, guri.level, guri.sido_code) == ("구리시", "si_gun_gu", "4100000")


def test_a_code_the_list_does_not_hold_stops_the_run() -> None:
    with pytest.raises(SourceError) as caught:
        government_of("4199000", 2025, "sources.yml", "entry 3, government")
    assert caught.value.place == "entry 3, government"
    assert caught.value.found == "4199000, which the list does not hold"
