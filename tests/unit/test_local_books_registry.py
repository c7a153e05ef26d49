"""Local budget books in the registry and the landing: whose book it is, and nothing lost.

The registry entry names the government (the file does not); a book's file left unregistered in
``data_raw/local_budget_books/`` is named with an entry to paste; two books of one government,
year and phase stop the run. Each refusal by its own case."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.core.errors import SourceError
from pipelines.landing.local_books import land_local_books, parse_local_book
from pipelines.sources.registry import LOCAL_BOOKS_FOLDER, load_registry, read_registry
from tests.local_books import Book, register_book, sample_rows, write_csv, write_xlsx


def add_book(raw: Path, name: str, government: str, book: Book | None = None, **extra) -> None:
    book = book or Book(rows=sample_rows())
    path = raw / LOCAL_BOOKS_FOLDER / name
    (write_xlsx if name.endswith(".xlsx") else write_csv)(path, book)
    register_book(raw, name, government, **extra)


def entry_refused(raw: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        load_registry(raw)
    return caught.value


def test_a_book_is_read_with_its_government(raw_copy: Path) -> None:
    add_book(raw_copy, "namyangju.xlsx", "4123000")
    parsed = parse_local_book(load_registry(raw_copy)[-1])
    assert (parsed.government.full_name_ko, parsed.government.sido_code) == (
        "경기도 남양주시",
        "4100000",
    )
    # the book's phase is the file's, not the registry's default
    assert (parsed.raw.source.phase, parsed.raw.source.is_phase_default) == (
        "supplementary_3",
        False,
    )


def test_a_book_entry_without_its_government_is_refused(raw_copy: Path) -> None:
    add_book(raw_copy, "a.xlsx", "4123000")
    registry = raw_copy / "sources.yml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("    government: '4123000'\n", ""),
        encoding="utf-8",
    )
    error = entry_refused(raw_copy)
    assert error.place.endswith("under 'sources'") and error.found == "none"
    assert error.expected.startswith("government: the 지방재정365 code")


def test_a_government_on_another_format_is_refused(raw_copy: Path) -> None:
    registry = raw_copy / "sources.yml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace(
            "    format: cited_figures\n", "    format: cited_figures\n    government: '4122000'\n"
        ),
        encoding="utf-8",
    )
    error = entry_refused(raw_copy)
    assert error.place == "entry 2 under 'sources', government"


@pytest.mark.parametrize("code", ["412200", "41220000", "41a2000"])
def test_a_government_code_of_other_than_seven_digits_is_refused(raw_copy: Path, code: str) -> None:
    add_book(raw_copy, "a.xlsx", code)
    error = entry_refused(raw_copy)
    assert error.place.endswith(", government") and error.found == repr(code)


def test_an_unquoted_government_code_is_refused(raw_copy: Path) -> None:
    # YAML reads 4123000 as a number: a code with a leading zero would lose it
    add_book(raw_copy, "a.xlsx", "4123000")
    registry = raw_copy / "sources.yml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("'4123000'", "4123000"), encoding="utf-8"
    )
    error = entry_refused(raw_copy)
    assert error.found == "4123000" and "quoted" in error.expected


def test_a_code_the_list_does_not_hold_is_refused_at_ingest(raw_copy: Path) -> None:
    add_book(raw_copy, "a.xlsx", "4199000")
    with pytest.raises(SourceError) as caught:
        parse_local_book(load_registry(raw_copy)[-1])
    assert caught.value.place == "the entry of local_budget_books/a.xlsx, government"
    assert caught.value.found == "4199000, which the list does not hold"


def test_a_government_not_listed_for_the_books_year_is_refused(raw_copy: Path) -> None:
    # 강원도 became 강원특별자치도 in 2023 under the same code: a 2026 book is 강원특별자치도's;
    # 청주시 took its code at the merger with 청원군 (2014): the list holds it from 2015
    add_book(raw_copy, "gangwon.xlsx", "4200000", Book(year=2026, rows=sample_rows()))
    assert parse_local_book(load_registry(raw_copy)[-1]).government.name_ko == "강원특별자치도"
    add_book(raw_copy, "cheongju.xlsx", "4314000", Book(year=2012, special_label="광특보조금",
             rows=sample_rows()))  # fmt: skip
    with pytest.raises(SourceError) as caught:
        parse_local_book(load_registry(raw_copy)[-1])
    assert "in 2012 (the list holds it as 충청북도 청주시 2015–)" in caught.value.found


def test_a_phase_the_entry_states_must_be_the_books(raw_copy: Path) -> None:
    add_book(raw_copy, "a.xlsx", "4123000", phase="enacted")
    with pytest.raises(SourceError) as caught:
        parse_local_book(load_registry(raw_copy)[-1])
    assert caught.value.place == "the entry of local_budget_books/a.xlsx, phase"
    assert caught.value.expected == "the book's own phase (추경3회: supplementary_3)"


def test_an_unregistered_book_is_named_with_an_entry_to_paste(raw_copy: Path) -> None:
    write_xlsx(raw_copy / LOCAL_BOOKS_FOLDER / "forgotten.xlsx", Book(rows=sample_rows()))
    _, unregistered = read_registry(raw_copy)
    assert [error.file for error in unregistered] == [
        str(raw_copy / LOCAL_BOOKS_FOLDER / "forgotten.xlsx")
    ]
    assert "  - file: local_budget_books/forgotten.xlsx\n    format: local_budget_book\n" in (
        unregistered[0].hint or ""
    )


def test_two_books_of_one_government_year_and_phase_stop_the_run(raw_copy: Path) -> None:
    add_book(raw_copy, "first.xlsx", "4123000")
    add_book(raw_copy, "second.csv", "4123000")
    books = [parse_local_book(source) for source in load_registry(raw_copy)[-2:]]
    with duckdb.connect() as con, pytest.raises(SourceError) as caught:
        con.execute("create schema raw")
        land_local_books(con, books)
    assert caught.value.file == str(raw_copy / LOCAL_BOOKS_FOLDER / "second.csv")
    assert "경기도 남양주시 2025 supplementary_3 is also local_budget_books/first.xlsx" in (
        caught.value.expected
    )


def test_a_book_lands_every_row_with_its_place(raw_copy: Path) -> None:
    add_book(raw_copy, "a.xlsx", "4123000")
    parsed = parse_local_book(load_registry(raw_copy)[-1])
    with duckdb.connect() as con:
        con.execute("create schema raw")
        land_local_books(con, [parsed])
        rows = con.execute(
            "select row_place, row_role, special_account_krw_million from raw.local_book_rows "
            "order by line_number"
        ).fetchall()
        funding = con.execute(
            "select line_number, column_printed, funding_source, amount_krw_million "
            "from raw.local_book_funding where funding_source = 'special_account' "
            "order by line_number"
        ).fetchall()
    assert [(place, role) for place, role, _ in rows] == [
        ("sheet 'Sheet0', row 6", "heading"),
        ("sheet 'Sheet0', row 7", "line"),
        ("sheet 'Sheet0', row 8", "line"),
        ("sheet 'Sheet0', row 9", "line"),
        ("sheet 'Sheet0', row 10", "line"),
    ]
    assert [(line, str(amount)) for line, _, _, amount in funding] == [
        (7, "0.400000"), (8, "0.400000"), (9, "1270.000000")
    ]  # fmt: skip
