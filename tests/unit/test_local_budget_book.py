"""Local budget books: the special account as a funding column of each line.

Books are written in the real layout (``tests.local_books``: one or two header rows, XLSX and
cp949 CSV, a 본예산 and a 추경, the funding column under the names of several eras). Each refusal
has its own case and names the file and the row or cell; each limit is tested at its edge. The
real book in ``data_raw/`` is checked against counts read from it without the parser."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.core.settings import SEEDS_DIR
from pipelines.sources.amounts import MAX_KRW_MILLION
from pipelines.sources.local_budget_book import (
    COLUMNS_SEED,
    MAX_ROUND,
    LocalBook,
    book_columns,
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


# --- edges and the less common forms ----------------------------------------------------------


def test_the_header_is_found_in_the_first_twenty_rows_and_not_below(tmp_path: Path) -> None:
    path = written(tmp_path, Book(rows=sample_rows(), title="제목"), "csv")
    text = path.read_bytes().decode("cp949")
    # 17 lines above the title push the header's first row (line 3 of the book) to line 20, its
    # second to 21: the book's first row is line 22
    padded = "".join(f"비고 {n}\r\n" for n in range(17)) + text
    path.write_bytes(padded.encode("cp949"))
    assert read(path).rows[0].place == "line 22"
    path.write_bytes(("비고\r\n" + padded).encode("cp949"))
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.place == "first 20 rows"


@pytest.mark.parametrize(
    ("printed", "year"), [("2025", 2025), ("2025년", 2025), ("2025/3회", 2025)]
)
def test_the_year_is_read_as_printed(tmp_path: Path, printed: str, year: int) -> None:
    path = written(tmp_path, Book(rows=sample_rows()), "csv")
    text = path.read_bytes().decode("cp949").replace("\r\n2025,", f"\r\n{printed},")
    path.write_bytes(text.encode("cp949"))
    assert read(path).fiscal_year == year


def test_an_enacted_book_whose_funding_is_headed_as_a_change_splits_the_change(
    tmp_path: Path,
) -> None:
    rows = [Row("가상 사업(시험)", "○사업비", 5000, 4000, special=600, national=400)]
    book = read(written(tmp_path, Book(phase="본예산", rows=rows)))
    assert (book.phase, book.split_basis) == ("enacted", "change")


def test_a_supplementary_book_without_a_change_column_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, Book(rows=sample_rows(), two_row_header=False), "csv")
    text = path.read_bytes().decode("cp949").replace(",비교증감,", ",비고증감,")
    path.write_bytes(text.encode("cp949"))
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.found == "'비고증감'"  # an unknown column first


def test_the_funding_columns_are_listed_in_file_order(tmp_path: Path) -> None:
    book = read(written(tmp_path, Book(rows=sample_rows())))
    assert book.funding_columns == (
        ("국고보조금", "national_subsidy"),
        ("지역균형발전특별회계보조금", "special_account"),
        ("기금보조금", "fund_subsidy"),
        ("특별교부세", "special_grant"),
        ("광역보조금", "provincial_subsidy"),
        ("특별조정교부금", "adjustment_grant"),
        ("자체재원", "own_revenue"),
    )
    assert book.special_account_place == "sheet 'Sheet0', cell M5"
    assert book.unit_place == "sheet 'Sheet0', cell R3"


def test_a_heading_needs_deeper_rows_of_its_own_project_right_below(tmp_path: Path) -> None:
    rows = [
        Row("가상 사업(시험)", "○운영비", 1000, 0),  # next row deeper but another project: line
        Row("다른 사업(시험)", "ｏ1호", 500, 0),
        Row("다른 사업(시험)", "○청사", 700, 0, own=0),  # next row deeper: heading
        Row("다른 사업(시험)", "ｏ2호", 700, 0),
        Row("다른 사업(시험)", "ｏ3호", 300, 0),  # next row not deeper (no marker): line
        Row("다른 사업(시험)", "비고", 100, 0),
    ]
    assert [row.role for row in read(written(tmp_path, Book(rows=rows))).rows] == [
        "line", "line", "heading", "line", "line", "line"
    ]  # fmt: skip


def test_a_negative_amount_past_the_limit_is_refused(tmp_path: Path) -> None:
    at = MAX_KRW_MILLION * 1000
    rows = [Row("가상 사업(시험)", "○사업비", 0, at + 1, special=-(at + 1))]
    error = refusal(tmp_path, Book(rows=rows))
    assert error.place == "sheet 'Sheet0', cell J6"
    assert error.expected == f"기정액: at most {MAX_KRW_MILLION:,} KRW million"


def test_a_unit_the_seed_does_not_know_is_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(rows=sample_rows(), unit_row="(단위 : 톤)"))
    assert error.place == "sheet 'Sheet0', cell R3" and error.found == "'톤'"


def test_two_units_stated_above_the_header_are_refused(tmp_path: Path) -> None:
    book = Book(rows=sample_rows(), title="예산서 (단위: 원)")
    error = refusal(tmp_path, book)
    assert error.place == "sheet 'Sheet0', cell R3"
    assert error.expected == "one unit (as sheet 'Sheet0', cell A1 states)"


def test_a_declared_unit_the_seed_does_not_know_is_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(rows=sample_rows(), unit_row=None), declared_unit="냥")
    assert (error.place, error.found) == ("sources.yml, unit", "'냥'")


def test_a_sheet_is_chosen_by_its_name_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, Book(rows=sample_rows()))
    assert read(path, sheet="Sheet0").rows
    with pytest.raises(SourceError) as caught:
        read(path, sheet="세출")
    assert caught.value.place == "sheet '세출'"
    assert caught.value.expected == "a sheet of the workbook (sheet 'Sheet0')"


def test_two_sheets_with_a_header_need_the_entry_to_choose(tmp_path: Path) -> None:
    import openpyxl

    path = written(tmp_path, Book(rows=sample_rows()))
    workbook = openpyxl.load_workbook(path)
    workbook.copy_worksheet(workbook["Sheet0"]).title = "사본"
    workbook.save(path)
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.found == "2: sheet 'Sheet0', sheet '사본'"
    assert read(path, sheet="사본").fiscal_year == 2025


def test_a_book_with_a_header_and_no_line_is_refused(tmp_path: Path) -> None:
    rows = [Row("", "", 100, 0, label="합계")]
    error = refusal(tmp_path, Book(rows=rows))
    assert error.place == "below the header (sheet 'Sheet0', row 4)" and error.found == "none"


def test_a_book_without_a_required_column_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, Book(rows=sample_rows(), two_row_header=False), "csv")
    text = path.read_bytes().decode("cp949").replace("회계구분명,", "통계목명,", 1)
    path.write_bytes(text.encode("cp949"))
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.expected == "one column of stat_item_name"


def test_an_empty_budget_on_a_line_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, Book(rows=sample_rows(), two_row_header=False), "csv")
    text = path.read_bytes().decode("cp949").replace(",1270000,0,1270000,", ",,0,1270000,", 1)
    path.write_bytes(text.encode("cp949"))
    with pytest.raises(SourceError) as caught:
        read(path)
    assert (caught.value.place, caught.value.found) == ("line 7, column 9", "an empty cell")


# --- the column list itself -------------------------------------------------------------------


def seeds_with(tmp_path: Path, *rows: str) -> Path:
    """A copy of the seeds whose column list has ``rows`` appended."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    with (seeds / COLUMNS_SEED).open("a", encoding="utf-8") as handle:
        handle.writelines(f"{row}\n" for row in rows)
    return seeds


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("비고,remark,,,a source", "a field among fiscal_year"),
        ("지방교부세,funding,,,a source", "funding columns with a funding_source among"),
        ("세부사업코드,detail_project,national_subsidy,,a source", "funding columns with a"),
        ("지원금,funding,own_revenue,국가균형발전특별회계,a source", "an account_name_ko on"),
        ("특별회계보조금,funding,special_account,,a source", "an account_name_ko on"),
        ("국고보조금,funding,own_revenue,,a source", "each column name to keep one field"),
    ],
)
def test_a_broken_row_of_the_column_list_is_refused(
    tmp_path: Path, row: str, expected: str
) -> None:
    seeds = seeds_with(tmp_path, row)
    with pytest.raises(SourceError) as caught:
        book_columns(seeds)
    assert caught.value.file == str(seeds / COLUMNS_SEED)
    assert caught.value.place == f"line {sum(1 for _ in (seeds / COLUMNS_SEED).open())}"
    assert caught.value.expected.startswith(expected)


def test_a_label_of_two_accounts_is_read_as_both(tmp_path: Path) -> None:
    columns = book_columns(seeds_with(tmp_path, "지특보조금,funding,special_account,"
                                                "지역균형발전특별회계,a source"))  # fmt: skip
    assert columns["지특보조금"].account_names == ("지역발전특별회계", "지역균형발전특별회계")


# --- what a mutation run showed no test held ----------------------------------------------------


def csv_book(tmp_path: Path, book: Book, edit) -> Path:
    """A one-header-row CSV book, its text changed by ``edit`` (rows as lists of cells)."""
    import csv
    import io

    path = written(tmp_path, book, "csv")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp949"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(edit(rows))
    path.write_bytes(out.getvalue().encode("cp949"))
    return path


def test_empty_funding_prior_and_change_cells_are_zero(tmp_path: Path) -> None:
    def blank(rows):
        rows[3][9:11] = ["", ""]  # 기정액, 비교증감 of the first line (budget 5,000)
        rows[3][11:] = ["", "", "", "", "", "", ""]
        return rows

    book = Book(phase="본예산", split_change=False, two_row_header=False,
                rows=[Row("가상 사업(시험)", "○사업비", 0, 0)])  # fmt: skip
    row = read(csv_book(tmp_path, book, blank)).rows[0]
    assert (row.prior, row.change, row.funding_from("own_revenue")) == (0, 0, 0)
    assert row.special_account == 0


@pytest.mark.parametrize("label", ["합계", "총계", "총합계", "합 계"])
def test_each_total_label_is_a_printed_total(tmp_path: Path, label: str) -> None:
    rows = [*sample_rows(), Row("", "", 1340600, 64000, special=1270800, label=label)]
    assert read(written(tmp_path, Book(rows=rows))).rows[-1].role == "total"


@pytest.mark.parametrize(
    ("group", "split"), [("조정증감", "change"), ("증감(재원별)", "change"), ("재원별", "budget")]
)
def test_the_group_over_the_funding_says_what_it_splits(
    tmp_path: Path, group: str, split: str
) -> None:
    def regroup(rows):
        rows[2][11] = group
        return rows

    rows = [Row("가상 사업(시험)", "○사업비", 5000, 0, special=3000)]
    book = Book(phase="본예산", rows=rows)
    assert read(csv_book(tmp_path, book, regroup)).split_basis == split


@pytest.mark.parametrize(
    ("marker", "depth"),
    [*((m, 0) for m in "○⊙◎●"), *((m, 1) for m in "ｏ◦"), *((m, 2) for m in "ㆍ·•∙"),
     *((m, 3) for m in "-－–"), *((m, 4) for m in "˚°")],
)  # fmt: skip
def test_every_marker_has_its_depth(marker: str, depth: int) -> None:
    assert marker_depth(f"{marker}내역") == depth


def test_a_lines_department_and_items_are_read(tmp_path: Path) -> None:
    row = read(written(tmp_path, Book(rows=sample_rows()))).rows[1]
    assert (row.department, row.stat_item_code, row.stat_item_name) == (
        "균형발전과(가상)", "307-02", "민간경상사업보조"
    )  # fmt: skip
    assert (row.detail_project, row.local_account) == ("가상 돌봄센터 운영(시험)", "일반회계")


def test_a_heading_over_the_last_row_is_a_heading(tmp_path: Path) -> None:
    rows = [
        Row("가상 사업(시험)", "○운영비", 500, 0, own=0),
        Row("가상 사업(시험)", "ｏ1호", 500, 0),
    ]
    assert [row.role for row in read(written(tmp_path, Book(rows=rows))).rows] == [
        "heading", "line"
    ]  # fmt: skip


def test_a_supplementary_book_without_its_change_column_is_refused(tmp_path: Path) -> None:
    def drop_change(rows):
        return [row[:10] + row[11:] for row in rows]

    path = csv_book(tmp_path, Book(rows=sample_rows(), two_row_header=False), drop_change)
    with pytest.raises(SourceError) as caught:
        read(path)
    assert (caught.value.place, caught.value.found) == ("line 3", "none")
    assert caught.value.expected == (
        "a 비교증감 column: a supplementary book's funding splits the change"
    )


def test_a_funding_column_twice_is_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(rows=sample_rows(), extra_columns=("국고보조금",)))
    assert (error.place, error.expected, error.found) == (
        "sheet 'Sheet0', cell M5", "each column once", "'국고보조금' twice"
    )  # fmt: skip


def test_a_book_missing_a_required_column_names_it(tmp_path: Path) -> None:
    def unnamed(rows):
        rows[2][2] = ""  # 회계구분명's header left empty
        return rows

    path = csv_book(tmp_path, Book(rows=sample_rows(), two_row_header=False), unnamed)
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.place == "line 3"
    assert caught.value.expected == (
        "the columns of fiscal_year, budget_phase, local_account, detail_project, "
        "budget_amount and the funding columns"
    )
    assert caught.value.found == "no local_account"


def test_a_book_without_funding_columns_is_refused(tmp_path: Path) -> None:
    path = csv_book(
        tmp_path,
        Book(rows=sample_rows(), two_row_header=False),
        lambda rows: [r[:11] for r in rows],
    )
    with pytest.raises(SourceError) as caught:
        read(path)
    assert caught.value.found == "no funding column"


def test_a_header_with_nothing_below_it_has_no_lines(tmp_path: Path) -> None:
    error = refusal(tmp_path, Book(rows=[]))
    assert (error.expected, error.found) == ("lines", "none")


def test_the_refusals_say_what_was_expected(tmp_path: Path) -> None:
    unit = refusal(tmp_path, Book(rows=sample_rows(), unit_row=None))
    assert unit.expected == "a unit, e.g. (단위 : 천원), or `unit:` in its sources.yml entry"
    phase = refusal(tmp_path, Book(phase="기금계획변경1", rows=sample_rows()))
    assert (
        phase.expected
        == f"예산구분: 본예산, or a numbered 추경 (추경3회, 제3회 추경; 1–{MAX_ROUND})"
    )
    era = refusal(tmp_path, Book(year=2016, special_label="균특보조금", rows=sample_rows()))
    assert era.expected == (
        "the special account's name of 2016 (ref_account_history.csv): 균특보조금 names it in "
        "2005–2009 (국가균형발전특별회계), 2019–2024 (국가균형발전특별회계), "
        "2023– (지역균형발전특별회계)"
    )
    column = refusal(tmp_path, Book(rows=sample_rows(), extra_columns=("비고",)))
    assert column.expected.startswith("a column of a local budget book: 회계연도, 예산구분, ")
    assert column.expected.endswith(
        " (add a new one to dbt_project/seeds/ref_local_book_columns.csv)"
    )
