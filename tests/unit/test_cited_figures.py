"""Cited figures: every row has its citation, and only this account's figures are entered.

Each refusal has its own case and names the line and the column; each limit is tested at its edge
(at it: accepted, one past: refused). The figures of the project's own file are checked against
the documents as they print them (typed here from the documents, not from the parser)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.cited_figures import COLUMNS, ERA_ACCOUNT, parse_cited_figures
from pipelines.sources.csv_rows import check_header

DATA_RAW = Path(__file__).resolve().parents[2] / "data_raw"
GOOD = {
    "fiscal_year": "2005",
    "account": "국가균형발전특별회계",
    "measure": "revenue",
    "item": "주세",
    "basis": "",
    "amount": "2.9",
    "unit": "조원",
    "precision": "",
    "phase": "proposed",
    "stated_by": "기획예산처, as reported by 매일신문",
    "published": "2004-12-06",
    "url": "https://example.org/a/1",
    "locator": "3rd paragraph",
    "note": "",
}


def rows_file(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def one(**changes: str):
    return parse_cited_figures(rows_file({**GOOD, **changes}), "cited.csv")[0]


def refused(**changes: str) -> SourceError:
    with pytest.raises(SourceError) as raised:
        one(**changes)
    return raised.value


def test_a_good_row_is_read_with_its_citation() -> None:
    figure = one()
    assert (figure.fiscal_year, figure.measure, figure.item_code) == (2005, "revenue", "liquor_tax")
    assert (figure.amount, figure.unit_label, figure.precision_step) == (
        Decimal("2.9"),
        "조원",
        Decimal("0.1"),
    )
    assert figure.precision_half == 50_000  # half of 0.1 조원, in KRW million
    assert (figure.url, figure.published, str(figure.publication_date)) == (
        "https://example.org/a/1",
        "2004-12-06",
        "2004-12-06",
    )


@pytest.mark.parametrize("column", ["url", "published", "stated_by", "locator"])
def test_a_row_without_its_citation_is_refused_by_line_and_column(column: str) -> None:
    error = refused(**{column: ""})
    assert (error.file, error.place) == ("cited.csv", f"line 2, column {column}")
    assert "every cited figure has one" in error.expected


def test_a_url_is_an_http_address() -> None:
    assert one(url="http://example.org/x").url == "http://example.org/x"
    error = refused(url="ftp://example.org/x")
    assert error.place == "line 2, column url"
    assert "http:// or https://" in error.expected


@pytest.mark.parametrize("published", ["2011", "2011-13", "2011-02-30", "06/2011", "2011-6"])
def test_a_publication_date_is_a_day_or_a_month(published: str) -> None:
    error = refused(published=published)
    assert error.place == "line 2, column published"
    assert error.found == repr(published)


def test_a_report_dated_by_month_is_dated_the_first_of_it() -> None:
    figure = one(published="2011-06")
    assert (figure.published, str(figure.publication_date)) == ("2011-06", "2011-06-01")


@pytest.mark.parametrize(
    "account", ["농어촌구조개선특별회계", "교통시설특별회계", "일반회계", "균특"]
)
def test_a_figure_of_another_account_is_refused(account: str) -> None:
    error = refused(account=account)
    assert error.place == "line 2, column account"
    assert "holds no other account's figures" in error.expected
    assert error.found == repr(account)


@pytest.mark.parametrize(
    "account",
    [
        "균특회계",
        "광특회계",
        "지특회계",
        "광역지역발전 특별회계",
        "지역균형발전특별회계",
        "Special Accounts for Balanced National Development",
    ],
)
def test_the_account_under_any_of_its_names_is_accepted(account: str) -> None:
    assert one(account=account).account_printed == account


def test_the_first_year_is_the_account_s_first_budget() -> None:
    assert one(fiscal_year="2005").fiscal_year == 2005
    error = refused(fiscal_year="2004")
    assert error.place == "line 2, column fiscal_year"
    assert "2005 or later" in error.expected


def test_a_sub_account_is_named_as_it_was_that_year() -> None:
    spending = {"measure": "spending", "amount": "58946", "unit": "억원", "phase": ""}
    figure = one(**spending, fiscal_year="2010", item="광역발전계정")
    assert (figure.line_code, figure.sub_account_name_that_year, figure.mapping) == (
        "local_support",
        "광역발전계정",
        "mostly",
    )
    # The KREI table restates 2005-2009 under the 2010 names: not entered, and refused.
    error = refused(**spending, fiscal_year="2009", item="광역발전계정")
    assert error.place == "line 2, column item"
    assert "a 계정 of the account in 2009" in error.expected
    assert "this name is the account's in 2010–2014" in error.expected
    # a name of two eras, the second to this day
    error = refused(**spending, fiscal_year="2009", item="지역자율계정")
    assert error.expected == (
        "합계 (Total) or a 계정 of the account in 2009 (제주특별자치도계정, 지역개발사업계정, "
        "지역혁신사업계정; dbt_project/seeds/ref_account_history.csv lists each era's, "
        "ref_budget_line_aliases.csv today's); this name is the account's in 2019–2024, "
        "2023–today"
    )


def test_a_sub_account_whose_money_went_to_several_of_today_s_has_no_line() -> None:
    figure = one(measure="spending", item="지역개발사업계정", amount="4.2")
    assert (figure.item_code, figure.line_code, figure.mapping) == (ERA_ACCOUNT, None, "split")


def test_the_whole_account_is_its_total_line() -> None:
    figure = one(measure="spending", item="합계", amount="5.5")
    assert (figure.item_code, figure.line_code) == ("total", "total")


def test_the_remainder_a_statement_does_not_itemise_is_never_entered() -> None:
    error = refused(item="항목 미기재")
    assert error.place == "line 2, column item"
    assert "주세" in error.expected and "항목 미기재" not in error.expected


def test_an_unknown_measure_is_refused() -> None:
    assert refused(measure="debt").place == "line 2, column measure"


def test_a_share_is_a_percentage_of_a_named_basis() -> None:
    share = {"measure": "share", "item": "수도권 비중", "unit": "%", "basis": "지방자치단체 보조금"}
    figure = one(**share, amount="16.8")
    assert (figure.item_code, figure.basis_code, figure.precision_half) == (
        "capital_region",
        "local_subsidies",
        Decimal("0.05"),
    )
    assert refused(**{**share, "basis": ""}).place == "line 2, column basis"
    assert refused(**{**share, "unit": "조원"}).place == "line 2, column unit"
    # an amount is of nothing: a basis on it is refused, and so is a percent
    assert refused(basis="총지출").place == "line 2, column basis"
    assert refused(unit="%").place == "line 2, column unit"


def test_a_share_is_at_most_one_hundred_percent() -> None:
    share = {"measure": "share", "item": "수도권 비중", "unit": "%", "basis": "총지출"}
    assert one(**share, amount="100").amount == 100
    error = refused(**share, amount="100.1")
    assert (error.place, error.expected) == (
        "line 2, column amount",
        "a non-negative amount of at most 100%",
    )


def test_a_negative_amount_is_refused() -> None:
    assert refused(amount="-2.9").place == "line 2, column amount"


def test_a_precision_as_printed_may_name_its_unit() -> None:
    figure = one(amount="55000", unit="억원", precision="1000")
    assert figure.precision_half == 50_000  # 1000 억원 / 2 = 500 억원 = 50,000 KRW million
    assert one(amount="55000", unit="억원", precision="0.1 조원").precision_half == 50_000
    assert refused(precision="0").place == "line 2, column precision"


def test_the_header_is_the_documented_one() -> None:
    data = rows_file(GOOD).replace(b"locator", b"where", 1)
    with pytest.raises(SourceError) as raised:
        parse_cited_figures(data, "cited.csv")
    assert raised.value.place == "line 1"


def test_a_figure_of_a_document_is_entered_once() -> None:
    with pytest.raises(SourceError) as raised:
        parse_cited_figures(rows_file(GOOD, {**GOOD, "note": "again"}), "cited.csv")
    assert raised.value.place == "line 3"
    assert "repeats line 2" in raised.value.expected


def test_a_ragged_row_is_refused_by_its_line() -> None:
    data = rows_file(GOOD) + b"2006,x\n"
    with pytest.raises(SourceError) as raised:
        parse_cited_figures(data, "cited.csv")
    assert (raised.value.place, raised.value.found) == ("line 3", "2 (ragged row)")


def test_the_project_s_file_holds_the_2005_revenue_as_stated() -> None:
    """매일신문 (연합), 2004-12-06: '세입예산은 주세 2조9천억원과 타회계 전입금 8천500억원, …
    각종 부담금 2천600억원 등을 포함해 5조5천억원' (the document's figures, typed here)."""
    figures = parse_cited_figures(
        (DATA_RAW / "cited_account_figures.csv").read_bytes(), "cited_account_figures.csv"
    )
    revenue = {
        f.item_code: f.amount * {"조원": 1_000_000, "억원": 100}[f.unit_label]
        for f in figures
        if f.measure == "revenue" and f.fiscal_year == 2005
    }
    assert revenue == {
        "total": 5_500_000,
        "liquor_tax": 2_900_000,
        "other_account_transfers": 850_000,
        "charges": 260_000,
    }
    assert all(f.url.startswith(("http://", "https://")) and f.publication_date for f in figures)
    assert len(figures) == 65


@pytest.mark.parametrize(
    ("year", "item", "line", "mapping"),
    [
        (2016, "생활기반계정", "local_autonomous_subtotal", "renamed"),
        (2016, "경제발전계정", "local_support", "renamed"),
        (2012, "광역계정", "local_support", "mostly"),
        (2011, "지역개발계정", "local_autonomous_subtotal", "mostly"),
    ],
)
def test_an_era_s_sub_account_maps_to_today_s_line(
    year: int, item: str, line: str, mapping: str
) -> None:
    figure = one(measure="spending", fiscal_year=str(year), item=item, amount="1", phase="")
    assert (figure.item_code, figure.line_code, figure.mapping) == (line, line, mapping)
    assert figure.sub_account_name_that_year == item


def test_an_unknown_sub_account_names_those_of_its_year() -> None:
    error = refused(measure="spending", fiscal_year="2012", item="광역교통계정", amount="1")
    assert error.expected == (
        "합계 (Total) or a 계정 of the account in 2012 (광역계정, 광역발전계정, "
        "제주특별자치도계정, 지역개발계정; dbt_project/seeds/ref_account_history.csv lists each "
        "era's, "
        "ref_budget_line_aliases.csv today's)"
    )
    assert error.found == "'광역교통계정'"


@pytest.mark.parametrize(
    ("changes", "column", "expected"),
    [
        ({"fiscal_year": "FY"}, "fiscal_year", "a fiscal year of the account, 2005 or later"),
        ({"measure": "debt"}, "measure", "one of spending, revenue, subsidies, share"),
        ({"unit": "%"}, "unit", "% for a share and only for a share"),
        ({"unit": "dollars"}, "unit", "a unit listed in dbt_project/seeds/ref_units.csv, or %"
         " for a share"),
        ({"amount": "about 3"}, "amount", "an amount as printed, such as 5.5 or 53,267"),
        ({"phase": "draft"}, "phase",
         "proposed, enacted, supplementary_<n>, final, settled or nothing"),
        ({"basis": "총지출"}, "basis", "no basis: only a share is of something"),
        ({"item": "세외수입"}, "item", "a revenue item of dbt_project/seeds/ref_cited_items.csv "
         "(세입 합계, 주세, 일반회계 전입금, 타회계 전입금, 특별회계·기금 전입금, 부담금, "
         "기타 세입)"),
        ({"account": "일반회계"}, "account", "the special account under one of its names "
         "(dbt_project/seeds/ref_account_history.csv, ref_account_short_names.csv): this file "
         "holds no other account's figures"),
        ({"url": ""}, "url", "a value for url (every cited figure has one)"),
        ({"url": "www.example.org"}, "url", "an http:// or https:// address without spaces"),
        ({"published": "2011"}, "published", "the date the document was published: "
         "YYYY-MM-DD, or YYYY-MM for a report dated by month"),
        ({"precision": "0"}, "precision", "the precision as published: a positive step of the "
         "last printed digit in the figure's unit (0.1 for 5.5 조원), optionally with a unit "
         "('1000 억원')"),
    ],
)  # fmt: skip
def test_each_refusal_says_what_was_expected(changes: dict, column: str, expected: str) -> None:
    error = refused(**changes)
    assert (error.place, error.expected) == (f"line 2, column {column}", expected)


def test_a_share_s_basis_is_one_of_the_listed() -> None:
    error = refused(measure="share", item="수도권 비중", unit="%", basis="GDP", amount="1")
    assert error.expected == (
        "what the share is of, a basis of ref_cited_items.csv (총지출, 통합재정, 정부 예산, "
        "국가 재정, 지방자치단체 보조금)"
    )


def test_an_amount_is_at_most_the_largest_any_table_may_state() -> None:
    # MAX_KRW_MILLION (10**12 KRW million), in 조원 (10**6 KRW million each): at it, one past
    assert one(amount="1000000", unit="조원").amount == 1_000_000
    error = refused(amount="1000000.1", unit="조원")
    assert error.expected == "a non-negative amount of at most 1,000,000,000,000 KRW million"
    assert one(amount="0").amount == 0  # nothing stated is a figure too
    assert refused(amount="-0.1").place == "line 2, column amount"


def test_a_url_is_at_most_2000_characters() -> None:
    at = "https://example.org/" + "a" * (2_000 - len("https://example.org/"))
    assert one(url=at).url == at
    assert refused(url=at + "a").place == "line 2, column url"


def test_a_note_is_kept_and_an_empty_one_is_none() -> None:
    assert one(note="printed 2조9천억원").note == "printed 2조9천억원"
    assert one(note="").note is None


@pytest.mark.parametrize("precision", ["0", "-0.1", "x", "0.1 %%"])
def test_a_share_s_precision_is_a_positive_step(precision: str) -> None:
    share = {"measure": "share", "item": "수도권 비중", "unit": "%", "basis": "총지출"}
    assert one(**share, amount="16.8", precision="0.1%").precision_half == Decimal("0.05")
    assert refused(**share, amount="16.8", precision=precision).place == (
        "line 2, column precision"
    )


def test_a_blank_file_and_a_file_of_a_header_alone_are_refused() -> None:
    with pytest.raises(SourceError) as raised:
        parse_cited_figures(b"  \n", "cited.csv")
    assert (raised.value.place, raised.value.found) == ("whole file", "an empty or blank file")
    with pytest.raises(SourceError) as raised:
        parse_cited_figures(rows_file(), "cited.csv")
    assert (raised.value.place, raised.value.expected, raised.value.found) == (
        "line 2",
        "at least one cited figure below the header",
        "none",
    )


def test_a_duplicate_is_named_as_one() -> None:
    with pytest.raises(SourceError) as raised:
        parse_cited_figures(rows_file(GOOD, GOOD), "cited.csv")
    assert (raised.value.expected, raised.value.found) == (
        "each figure of a document once, but it repeats line 2",
        "a duplicate row",
    )


@pytest.mark.parametrize(
    ("header", "found"),
    [
        (["a", "b"], "no 'c'"),
        (["a", "b", "c", "d"], "unknown 'd'"),
        (["b", "a", "c"], "the columns in another order"),
        (["a", "x", "y"], "no 'b', 'c'; unknown 'x', 'y'"),
    ],
)
def test_a_header_says_what_is_missing_unknown_or_out_of_order(
    header: list[str], found: str
) -> None:
    with pytest.raises(SourceError) as raised:
        check_header(header, ("a", "b", "c"), "f.csv")
    assert (raised.value.place, raised.value.expected, raised.value.found) == (
        "line 1",
        "the header a,b,c",
        found,
    )
