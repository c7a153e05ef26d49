"""Amounts and units as budget tables print them (``pipelines/sources/amounts.py``).

Figures are those of the page (``tests/source_figures.py``): its amounts in KRW million as printed
(``10,338,940``, the Total of 2015), its title's unit (``Unit: KRW 1 million``).
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest

from pipelines.sources.amounts import (
    FOOTNOTE_MARKS,
    Amount,
    UnitMention,
    distinct_units,
    parse_amount,
    unit_of,
    units_in,
)
from tests.source_figures import ROWS, UNIT, YEARS

TOTAL_2015 = ROWS["Total"][1][YEARS.index(2015)]  # printed 10,338,940
SEJONG_2020 = ROWS["Sejong Special Self-Governing City Account"][1][YEARS.index(2020)]  # 72,808


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("10,338,940", Amount("10,338,940", Decimal(TOTAL_2015), 0)),
        ("72808", Amount("72808", Decimal(SEJONG_2020), 0)),
        ("  72,808 \n", Amount("72,808", Decimal(SEJONG_2020), 0)),  # kept as printed, trimmed
        ("( 72,808 )", Amount("( 72,808 )", Decimal(-SEJONG_2020), 0)),
        ("(72,808)", Amount("(72,808)", Decimal(-SEJONG_2020), 0)),
        ("-72,808", Amount("-72,808", Decimal(-SEJONG_2020), 0)),
        ("− 72,808", Amount("− 72,808", Decimal(-SEJONG_2020), 0)),  # U+2212, a minus sign
        ("10.3", Amount("10.3", Decimal("10.3"), 1)),  # 조원, as a ministry rounds the Total
        ("98.90", Amount("98.90", Decimal("98.90"), 2)),  # the printed zero is precision
        ("1,033.9", Amount("1,033.9", Decimal("1033.9"), 1)),
        ("0", Amount("0", Decimal(0), 0)),
    ],
)
def test_an_amount_keeps_its_text_value_and_printed_decimals(text: str, amount: Amount) -> None:
    parsed = parse_amount(text)
    assert parsed == amount
    assert parsed.value.as_tuple() == amount.value.as_tuple()  # 98.90 stays two decimals


@pytest.mark.parametrize("dash", ["-", "–", "—", "－", "‐", "ㅡ", "―"])
def test_every_dash_tables_print_for_nothing_is_zero(dash: str) -> None:
    assert parse_amount(f" {dash} ") == Amount(dash, Decimal(0), 0)


@pytest.mark.parametrize("mark", list(FOOTNOTE_MARKS))
def test_a_footnote_mark_after_an_amount_is_no_part_of_it(mark: str) -> None:
    assert parse_amount(f"72,808{mark}").value == SEJONG_2020
    assert parse_amount(f"(72,808) {mark}{mark}").value == -SEJONG_2020


def test_the_footnote_marks_are_those_tables_use() -> None:
    assert set(FOOTNOTE_MARKS) == set("*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰")


@pytest.mark.parametrize(
    "text",
    [
        "72,808X",  # a letter is no footnote mark
        "(72,808",
        "72,808)",
        "7,2808",
        "72,80",
        "１０２,２１８",  # full-width digits
        "10.3.1",
        ".5",
        "72 808",
        "--72",
        "",
    ],
)
def test_what_is_not_an_amount_is_refused_saying_so(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not a number$"):
        parse_amount(text)


def test_an_amount_may_have_as_many_decimals_as_the_limit_and_no_more() -> None:
    # Six decimals of 조원 reach the page's unit: 1.000001 조원 is 1 KRW million past 1 조원.
    assert parse_amount("1.000001") == Amount("1.000001", Decimal("1.000001"), 6)
    with pytest.raises(ValueError, match=r"^more than 6 decimals$"):
        parse_amount("1.0000001")


def test_amounts_and_mentions_are_values_that_cannot_change() -> None:
    amount = parse_amount("72,808")
    mention = UnitMention("KRW 1 million", UNIT, "line 50")
    assert len({amount, parse_amount("72,808"), mention, UnitMention(*vars(mention).values())}) == 2
    with pytest.raises(FrozenInstanceError):
        amount.value = Decimal(0)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("printed", "label"),
    [
        ("KRW 1 million", "KRW 1 million"),
        ("krw  1  MILLION", "KRW 1 million"),
        ("백만원", "백만원"),
        ("억원", "억원"),
        ("조원", "조원"),
        ("KRW 100 million", "KRW 100 million"),
        ("bananas", None),
        ("", None),
    ],
)
def test_a_unit_is_resolved_to_its_seed_label(printed: str, label: str | None) -> None:
    assert unit_of(printed) == label


def test_the_page_s_title_states_its_unit() -> None:
    title = (
        "Budget for the Special Accounts for Balanced National Development (Unit: KRW 1 million)"
    )
    assert units_in(title, "line 50") == [UnitMention("KRW 1 million", UNIT, "line 50")]


def test_a_stated_unit_the_seed_does_not_know_is_kept_with_an_empty_label() -> None:
    assert units_in("(Unit: KRW 1 zillion)", "caption") == [
        UnitMention("", "KRW 1 zillion", "caption")
    ]


def test_a_bracketed_unit_counts_once_and_a_bracket_of_other_words_not_at_all() -> None:
    text = "금액(억원) (단위: 억원) 비고(2018년 추경) [백만원]"
    assert units_in(text, "header") == [
        UnitMention("억원", "억원", "header"),  # stated: "단위: 억원"
        UnitMention("백만원", "백만원", "header"),  # in brackets; "(억원)" repeats the statement
    ]
    assert units_in("비고(2018년 추경)", "header") == []


def test_one_mention_per_factor_the_first_of_each() -> None:
    mentions = [
        UnitMention("KRW 1 million", UNIT, "line 50"),
        UnitMention("억원", "억원", "caption"),
        UnitMention("백만원", "백만원", "header"),  # the same unit as KRW 1 million
    ]
    assert distinct_units(mentions) == mentions[:2]
