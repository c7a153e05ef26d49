"""Budget tables as CSV, XLSX and HTML: the same figures as the page, and every bad input named.

Fixtures live in ``tests/fixtures/budget_tables/`` (written by ``make_fixtures.py`` from the page's
figures, committed). Expected figures come from ``tests/source_figures.py``.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.core.errors import SourceError
from pipelines.landing.raw_landing import ParsedPage, land_pages, parse_source
from pipelines.landing.rejections import REJECTED_FILES, RejectedFilesError, record_rejections
from pipelines.sources.amounts import parse_amount, units_in
from pipelines.sources.registry import RawSource, load_registry, read_registry
from tests.source_figures import KOREAN_LABELS, ROWS, YEARS, in_unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "budget_tables"
BAD = FIXTURES / "bad"
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".txt": "page_text"}


def source_for(path: Path, file_format: str | None = None, **fields) -> RawSource:
    return RawSource(
        file=path.name,
        path=path,
        format=file_format or FORMATS[path.suffix],
        title="fixture",
        publisher="tests",
        phase="enacted",
        is_phase_default=False,
        note=None,
        **fields,
    )


def parsed_figures(page: ParsedPage) -> dict[tuple[str, int], Decimal]:
    """(English label as on the page, year) → amount in the table's unit."""
    english = {label: label for label in ROWS} | {ko: en for en, ko in KOREAN_LABELS.items()}
    return {
        (english[cell.row_label], cell.fiscal_year): Decimal(cell.amount)
        for cell in page.table.cells
    }


@pytest.mark.parametrize(
    ("name", "unit", "per_unit", "decimals", "shape"),
    [
        ("seven_rows_cp949_eok.csv", "억원", 100, 0, "wide"),
        ("seven_rows_en.xlsx", "KRW 1 million", 1, 0, "wide"),
        ("seven_rows.html", "KRW 1 million", 1, 0, "wide"),
        ("wide_utf8_million.csv", "KRW 1 million", 1, 0, "wide"),
        ("long_bom_trillion.csv", "조원", 1_000_000, 1, "long"),
    ],
)
def test_each_format_loads_alone_to_the_pages_figures_within_its_precision(
    name: str, unit: str, per_unit: int, decimals: int, shape: str
) -> None:
    page = parse_source(source_for(FIXTURES / name))
    assert isinstance(page, ParsedPage)
    assert (page.unit_label, page.table.shape, page.table.years) == (unit, shape, YEARS)
    figures = parsed_figures(page)
    assert len(figures) == len(ROWS) * len(YEARS)
    half_step = Decimal(per_unit) * Decimal(1).scaleb(-decimals) / 2
    for label, (_, amounts) in ROWS.items():
        for year, million in zip(YEARS, amounts, strict=True):
            printed = figures[(label, year)]
            assert printed == in_unit(million, per_unit, decimals)
            assert abs(printed * per_unit - million) <= half_step


def test_a_cell_keeps_its_place_in_the_workbook_and_in_the_csv() -> None:
    xlsx = parse_source(source_for(FIXTURES / "seven_rows_en.xlsx"))
    first = xlsx.table.cells[0]
    assert (first.where, first.locator("b.xlsx")) == (
        "sheet 'Budget', cell B4",
        "b.xlsx:Budget!B4 [2015]",
    )
    assert xlsx.table.title.startswith("Budget for the Special Accounts")
    assert xlsx.table.reference == "The Ministry of Economy and Finance"
    csv_page = parse_source(source_for(FIXTURES / "seven_rows_cp949_eok.csv"))
    assert csv_page.table.cells[0].locator("k.csv") == "k.csv:3 [2015년]"
    assert csv_page.table.cells[0].row_label == "합계"


@pytest.mark.parametrize(
    ("text", "value", "decimals"),
    [
        ("10,338,940", Decimal(10338940), 0),
        ("1,033.9", Decimal("1033.9"), 1),
        ("-", Decimal(0), 0),
        ("—", Decimal(0), 0),
        ("1,234*", Decimal(1234), 0),
        ("1,234¹", Decimal(1234), 0),
        ("(1,234)", Decimal(-1234), 0),
        ("−12", Decimal(-12), 0),
    ],
)
def test_amounts_as_tables_print_them(text: str, value: Decimal, decimals: int) -> None:
    amount = parse_amount(text)
    assert (amount.value, amount.decimals) == (value, decimals)


@pytest.mark.parametrize("text", ["1O2", "1,23,4", "(12", "１２", "12 34", "1.2345678"])
def test_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Budget (Unit: KRW 1 million)", "KRW 1 million"),
        ("국가균형발전특별회계 (단위: 백만원)", "백만원"),
        ("(단위 : 억원)", "억원"),
        ("금액(조원)", "조원"),
        ("Budget [KRW 100 million]", "KRW 100 million"),
    ],
)
def test_units_are_found_in_captions_titles_and_headers(text: str, unit: str) -> None:
    (mention,) = units_in(text, "here")
    assert mention.unit_label == unit


def test_a_unit_override_in_the_registry_reads_a_table_that_states_none() -> None:
    path = BAD / "missing_unit.csv"
    page = parse_source(source_for(path, unit="억원"))
    assert (page.unit_label, page.unit_place) == ("억원", "unit in its sources.yml entry")


def test_a_unit_override_that_contradicts_the_file_is_a_conflict() -> None:
    with pytest.raises(SourceError, match="conflicting units 'KRW 1 million' and '억원'"):
        parse_source(source_for(FIXTURES / "seven_rows.html", unit="억원"))


def test_the_html_table_to_read_can_be_chosen_in_the_registry() -> None:
    page = parse_source(source_for(BAD / "two_tables.html", table="3"))
    assert page.unit_label == "KRW 1 million"  # the second budget table's caption states no unit


# Every bad-input kind: (fixture, format, place named, words of what was expected or found).
BAD_INPUTS = [
    ("empty.csv", "csv", "whole file", "empty or blank"),
    ("whitespace.csv", "csv", "whole file", "empty or blank"),
    ("header_only.csv", "csv", "line 2", "at least one row of amounts"),
    ("binary_junk.csv", "csv", "line 2", "NUL byte"),
    ("truncated.xlsx", "xlsx", "whole file", "an Excel workbook"),
    ("fake.xlsx", "xlsx", "whole file", "an Excel workbook"),
    ("no_table.html", "html", "table 1 (line 5)", "no such row"),
    ("no_table.txt", "page_text", "whole file", "a table title line"),
    ("two_tables.html", "html", "table 2 (line 6), table 3 (line 19)", "2 candidate tables"),
    ("non_numeric.csv", "csv", "line 8, column 4", "'1O2,649'"),
    ("overflow.csv", "csv", "line 3, column 2", "overflowing amount"),
    ("negative.csv", "csv", "line 4, column 5", "negative amount '(4,203,522)'"),
    ("duplicate_rows.csv", "csv", "line 10", "a duplicate row"),
    ("unknown_label.csv", "csv", "line 6", "'By Towns and Provinces'"),
    ("missing_unit.csv", "csv", "whole file", "no unit"),
    ("conflicting_units.html", "html", "caption and table 2", "conflicting units"),
    ("bad_year_header.csv", "csv", "line 2, column 4", "'20l7'"),
    ("duplicate_year_header.csv", "csv", "line 2, column 4", "each year once"),
    ("missing_total.csv", "csv", "lines 2–8", "no Total row"),
    ("ragged.csv", "csv", "line 6", "no ragged rows"),
    ("nul_bytes.txt", "page_text", "line 60", "NUL byte"),
    ("markup_label.html", "html", "row 2 (line 10)", "\"<script>alert('x')</script>\""),
    ("sql_label.csv", "csv", "line 3", '"Total\'); DROP TABLE raw.budget_cells; --"'),
]


@pytest.mark.parametrize(("name", "file_format", "place", "words"), BAD_INPUTS)
def test_each_bad_input_names_the_file_the_place_and_what_was_expected(
    name: str, file_format: str, place: str, words: str
) -> None:
    path = BAD / name
    with pytest.raises(SourceError) as caught:
        parse_source(source_for(path, file_format))
    error = caught.value
    assert error.file == str(path)
    assert place in error.place
    assert error.expected and words in str(error)


def test_markup_and_sql_in_a_title_land_as_inert_text(tmp_path: Path) -> None:
    page = parse_source(source_for(FIXTURES / "inert_title.csv"))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        land_pages(con, [page])
        (title,) = con.execute("select table_title from raw.budget_tables").fetchone()
        cells = con.execute("select count(*) from raw.budget_cells").fetchone()[0]
    assert title == page.table.title
    assert "<b>bold</b>" in title and "'); DROP TABLE raw.budget_cells; --" in title
    assert cells == len(ROWS) * len(YEARS)


def test_control_totals_are_read_with_their_unit_and_line() -> None:
    parsed = parse_source(source_for(FIXTURES / "control_totals.csv", "control_totals"))
    totals = {total.fiscal_year: total for total in parsed.totals}
    assert set(totals) == set(YEARS)
    assert (totals[2018].line_code, totals[2018].unit_label) == ("total", "조원")
    assert totals[2018].amount == in_unit(ROWS["Total"][1][3], 1_000_000, 1)


def test_every_unregistered_file_is_named_with_an_entry_to_add(raw_copy: Path) -> None:
    shutil.copy(FIXTURES / "seven_rows.html", raw_copy)
    shutil.copy(FIXTURES / "seven_rows_en.xlsx", raw_copy)
    _, unregistered = read_registry(raw_copy)
    assert [Path(error.file).name for error in unregistered] == [
        "seven_rows.html",
        "seven_rows_en.xlsx",
    ]
    assert "format: html" in str(unregistered[0]) and "publication_date" in str(unregistered[0])
    with pytest.raises(SourceError, match=r"seven_rows\.html, whole file"):
        load_registry(raw_copy)


def test_registry_fields_for_table_files(raw_copy: Path) -> None:
    shutil.copy(FIXTURES / "seven_rows_en.xlsx", raw_copy)
    with (raw_copy / "sources.yml").open("a", encoding="utf-8") as registry:
        registry.write(
            "  - file: seven_rows_en.xlsx\n    format: xlsx\n    title: t\n    publisher: p\n"
            "    publication_date: 2020-12-02\n    unit: KRW 1 million\n    sheet: Budget\n"
            "    blocking_comparisons: true\n    phase: supplementary_1\n"
        )
    page, *_, workbook = load_registry(raw_copy)  # the page, … (committed), the workbook
    assert page.publication_date is None and not page.blocking_comparisons
    assert (str(workbook.publication_date), workbook.unit, workbook.table) == (
        "2020-12-02",
        "KRW 1 million",
        "Budget",
    )
    assert workbook.blocking_comparisons and workbook.phase == "supplementary_1"


def test_rejections_are_recorded_for_the_report(tmp_path: Path) -> None:
    raw_dir = tmp_path / "data_raw"
    errors = [
        SourceError(str(raw_dir / "a.csv"), "line 3", "an amount", "'x'"),
        SourceError(str(raw_dir / "b.html"), "whole file", "a table", "none"),
    ]
    record_rejections(tmp_path / "reports", raw_dir, errors[:1])
    record_rejections(tmp_path / "reports", raw_dir, errors[1:])
    records = json.loads((tmp_path / "reports" / REJECTED_FILES).read_text(encoding="utf-8"))
    assert [(r["file"], r["place"], r["expected"], r["found"]) for r in records] == [
        ("a.csv", "line 3", "an amount", "'x'"),
        ("b.html", "whole file", "a table", "none"),
    ]
    assert records[0]["message"] == str(errors[0])
    combined = str(RejectedFilesError(errors))
    assert combined.startswith("2 raw files rejected:") and "b.html, whole file" in combined
