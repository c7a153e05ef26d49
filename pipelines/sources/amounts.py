"""Amounts and units as budget tables print them, whatever the format.

Amounts: thousands separators (``10,338,940``), a dash for zero (``-``), footnote marks after a
number (``1,234*``, ``1,234¹``), parenthesised negatives (``(1,234)``) and decimals (``10.3`` in
조원). Only ASCII digits: a full-width ``１０２`` is not silently read as 102.

Units: "Unit: KRW 1 million", "(단위: 백만원)", "억원", "조원", stated in a caption, title, header
or note. The units the warehouse knows, and their factor to KRW million, are a seed people maintain
(``ref_units.csv``); this module only finds where a table states one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pipelines.sources.reference import label_key, unit_factors

# Marks that refer to a footnote and may follow a number: 1,234* or 1,234¹ or 1,234†.
FOOTNOTE_MARKS = "*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰"
# Cells that mean "nothing", i.e. zero, in Korean and English tables.
ZERO_DASHES = frozenset({"-", "–", "—", "－", "‐", "ㅡ", "―"})
_NUMBER = re.compile(
    r"^(?P<open>\()?\s*(?P<sign>[-−])?\s*"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?P<frac>\.[0-9]+)?"
    r"\s*(?P<close>\))?\s*(?P<marks>[" + re.escape(FOOTNOTE_MARKS) + r"]*)$"
)
# Where a table states its unit in words: "Unit: KRW 1 million", "(단위 : 억원)".
UNIT_STATEMENT = re.compile(r"(?:\bunit|단위)\s*[:：]\s*(?P<unit>[^()\[\]（）【】,;:\n]+)", re.I)
# A unit in brackets inside a header or title: "금액(억원)", "Budget [KRW 100 million]".
BRACKETED = re.compile(r"[(\[（【]\s*(?P<unit>[^()\[\]（）【】:：]{1,30}?)\s*[)\]）】]")
# The most a single amount may hold, in KRW million: 10^12 KRW million is 10^18 won, a thousand
# times Korea's whole national budget, and still far inside a 64-bit integer.
MAX_KRW_MILLION = 10**12
MAX_DECIMALS = 6


@dataclass(frozen=True)
class Amount:
    """An amount as printed and its value in the table's own unit."""

    text: str
    value: Decimal
    decimals: int  # digits after the decimal point as printed (the precision of the figure)


def parse_amount(text: str) -> Amount:
    """The amount a cell prints; ``ValueError`` saying why when it is not one."""
    cleaned = " ".join(text.split())
    if cleaned in ZERO_DASHES:
        return Amount(text=cleaned, value=Decimal(0), decimals=0)
    match = _NUMBER.match(cleaned)
    if not match or bool(match["open"]) != bool(match["close"]):
        raise ValueError("not a number")
    digits = match["int"].replace(",", "") + (match["frac"] or "")
    decimals = len(match["frac"]) - 1 if match["frac"] else 0
    if decimals > MAX_DECIMALS:
        raise ValueError(f"more than {MAX_DECIMALS} decimals")
    value = Decimal(digits)
    if match["open"] or match["sign"]:
        value = -value
    return Amount(text=cleaned, value=value, decimals=decimals)


@dataclass(frozen=True)
class UnitMention:
    """A unit a table states, resolved to the seed's label, and where it stands."""

    unit_label: str  # as listed in ref_units.csv
    printed: str
    place: str


def unit_of(text: str) -> str | None:
    """The seed's label for a unit as printed (``"KRW 1 million"``, ``"억원"``), or None."""
    return _unit_keys().get(label_key(text))


def units_in(text: str, place: str) -> list[UnitMention]:
    """Every unit ``text`` states: after "Unit:"/"단위:", or as a known unit in brackets.

    A "Unit:" statement naming a unit the seed does not know is returned with an empty
    ``unit_label``, so that the caller can say which unit is unknown.
    """
    found: list[UnitMention] = []
    for match in UNIT_STATEMENT.finditer(text):
        printed = match["unit"].strip()
        found.append(UnitMention(unit_of(printed) or "", printed, place))
    stated = {mention.printed for mention in found}
    for match in BRACKETED.finditer(text):
        printed = match["unit"].strip()
        label = unit_of(printed)
        if label and printed not in stated:
            found.append(UnitMention(label, printed, place))
    return found


def distinct_units(mentions: Iterable[UnitMention]) -> list[UnitMention]:
    """One mention per factor to KRW million (백만원 and KRW 1 million are the same unit)."""
    factors = unit_factors()
    seen: dict[Decimal, UnitMention] = {}
    for mention in mentions:
        seen.setdefault(factors[mention.unit_label], mention)
    return list(seen.values())


def _unit_keys() -> dict[str, str]:
    return {label_key(label): label for label in unit_factors()}
