"""Cited figures: what public documents state about the special account, each with its citation.

A registered file of format ``cited_figures`` is a CSV (encoding detected as for budget CSVs), one
row per figure a document states, in the columns ``COLUMNS`` (fiscal_year, account, measure,
item, basis, amount, unit, precision, phase, stated_by, published, url, locator, note), e.g.
2005, 국가균형발전특별회계, revenue, 주세, (no basis), 2.9, 조원, (no precision: the last
digit), proposed, "기획예산처, as reported by …", 2004-12-06, https://…, 3rd paragraph.

- ``account``: the special account as the document names it: one of its names in any era
  (``ref_account_history.csv``) or their short names (``ref_account_short_names.csv``: 균특회계,
  광특회계, 지특회계). A figure of any other account is refused: this file holds this account's
  only.
- ``measure``: ``spending`` (``item``: 합계/Total or a 계정, a name the account's 계정 had that
  year in ``ref_account_history.csv`` or today's name in ``ref_budget_line_aliases.csv``),
  ``revenue`` (a revenue source of ``ref_cited_items.csv``: 세입 합계, 주세, 타회계 전입금…),
  ``subsidies`` (its subsidies to local governments by region: 전국, 수도권, 비수도권) or
  ``share`` (a percentage: 정부 재정 대비 비중 or 수도권 비중, ``unit`` ``%``, and ``basis``:
  what it is a share of, 총지출, 통합재정, 정부 예산, 국가 재정 or 지방자치단체 보조금).
- ``amount``, ``unit``, ``precision`` as printed (``precision`` empty: the last printed digit),
  ``phase`` as the document states it or empty (not stated).
- ``stated_by``, ``published`` (``YYYY-MM-DD``, or ``YYYY-MM`` for a report dated by month),
  ``url`` (http or https) and ``locator`` (where in the document: a paragraph, a table's row and
  column; never a copy of its text) are required: a figure without them is not a cited figure.

Nothing computed is entered (the part of a revenue statement it does not itemise is computed in
dbt, ``fct_special_account_revenue``); a row the parser cannot place stops the run by its line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from pipelines.core.errors import SourceError
from pipelines.core.settings import SEEDS_DIR
from pipelines.sources.amounts import MAX_KRW_MILLION, parse_amount, unit_of
from pipelines.sources.control_totals import half_step_krw_million, precision_of
from pipelines.sources.csv_rows import check_header, csv_table
from pipelines.sources.page_table import YEAR_TOKEN
from pipelines.sources.reference import (
    LINE_ALIASES_SEED,
    LINES_SEED,
    UNITS_SEED,
    account_history,
    account_name_key,
    label_key,
    line_aliases,
    read_seed,
    unit_factors,
)
from pipelines.sources.registry import URL, URL_MAX_LENGTH, is_valid_phase

COLUMNS = (
    "fiscal_year",
    "account",
    "measure",
    "item",
    "basis",
    "amount",
    "unit",
    "precision",
    "phase",
    "stated_by",
    "published",
    "url",
    "locator",
    "note",
)
REQUIRED = (
    "fiscal_year", "account", "measure", "item", "amount", "unit", "stated_by", "published",
    "url", "locator",
)  # fmt: skip
MEASURES = ("spending", "revenue", "subsidies", "share")
PERCENT = "%"
ITEMS_SEED = "ref_cited_items.csv"
SHORT_NAMES_SEED = "ref_account_short_names.csv"
HISTORY_SEED = "ref_account_history.csv"
# The first fiscal year of the special account (its first budget, 2005).
FIRST_YEAR = 2005
_PUBLISHED = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?$")
MAX_PERCENT = Decimal(100)
# The item of a 계정 whose money went to several of today's accounts (mapping ``split``): it has
# no line of today's; its name that year says which it is.
ERA_ACCOUNT = "era_account"


@dataclass(frozen=True)
class CitedFigure:
    line_number: int
    fiscal_year: int
    account_printed: str
    measure: str
    item_printed: str
    # spending: today's budget line (``ERA_ACCOUNT`` and no line for an era's 계정 whose money
    # went to several of today's accounts), the era's 계정 name and how it maps; other measures:
    # an item of ref_cited_items.csv
    item_code: str
    line_code: str | None
    sub_account_name_that_year: str | None
    mapping: str | None
    basis_code: str | None
    amount_text: str
    amount: Decimal
    decimals: int
    unit_label: str  # a unit of ref_units.csv, or "%"
    precision_text: str | None
    precision_step: Decimal
    precision_unit_label: str
    phase: str | None
    stated_by: str
    published: str  # as written: YYYY-MM-DD or YYYY-MM
    publication_date: dt.date  # the day, or the first of the month
    url: str
    locator: str
    note: str | None

    @property
    def is_percent(self) -> bool:
        return self.unit_label == PERCENT

    @property
    def precision_half(self) -> Decimal:
        """Half a printed step: in KRW million for an amount, in percentage points for a share."""
        if self.is_percent:
            return self.precision_step / 2
        return half_step_krw_million(self.precision_step, self.precision_unit_label)


@cache
def cited_items(seeds_dir: Path = SEEDS_DIR) -> dict[tuple[str, str], str]:
    """(measure, label key) → item code, by Korean and English name and by code; computed items
    (the "not itemised" remainder) are not among them: no document states one."""
    items: dict[tuple[str, str], str] = {}
    for row in read_seed(ITEMS_SEED, seeds_dir):
        if row["is_computed"] == "true":
            continue
        for name in (row["name_ko"], row["name_en"], row["item_code"]):
            items[(row["measure"], label_key(name))] = row["item_code"]
    return items


@cache
def account_lines(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """Today's account → the budget line of it as a whole (its total or sub-total, or its one
    line), for a 계정 a document names by an era's name (``ref_budget_lines.csv``)."""
    return {
        row["account_code"]: row["line_code"]
        for row in read_seed(LINES_SEED, seeds_dir)
        if row["line_kind"] != "leaf" or row["level_code"] == "account_whole"
    }


@cache
def account_names(seeds_dir: Path = SEEDS_DIR) -> frozenset[str]:
    """Every name of the special account, any era, Korean or English, full or short, as name
    keys (the rows of ``ref_account_history.csv`` without a 계정, and the short names)."""
    whole = [row for row in read_seed(HISTORY_SEED, seeds_dir) if not row["sub_account_name_ko"]]
    names = [name for row in whole for name in (row["account_name_ko"], row["name_en"])]
    names += [row["short_name"] for row in read_seed(SHORT_NAMES_SEED, seeds_dir)]
    return frozenset(account_name_key(name) for name in names)


def parse_cited_figures(data: bytes, file: str) -> list[CitedFigure]:
    """Every row of a cited-figures file, checked; the first bad row stops with its line."""
    table = csv_table(data, file)
    if table is None:
        raise SourceError(file, "whole file", "content", "an empty or blank file")
    headers, rows = table
    check_header(headers, COLUMNS, file)
    figures: list[CitedFigure] = []
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        values = {name: " ".join(cell.split()) for name, cell in zip(headers, cells, strict=True)}
        figure = cited_figure(values, number, file)
        key = (
            figure.fiscal_year, figure.measure, figure.item_code, figure.sub_account_name_that_year,
            figure.basis_code, figure.phase, figure.stated_by, figure.url,
        )  # fmt: skip
        if key in seen:
            raise SourceError(
                file,
                f"line {number}",
                f"each figure of a document once, but it repeats line {seen[key]}",
                "a duplicate row",
            )
        seen[key] = number
        figures.append(figure)
    if not figures:
        raise SourceError(file, "line 2", "at least one cited figure below the header", "none")
    return figures


def cited_figure(values: dict[str, str], line: int, file: str) -> CitedFigure:
    """One row, checked field by field; the first field that fails is named with its column."""

    def fail(field: str, expected: str) -> SourceError:
        return SourceError(file, f"line {line}, column {field}", expected, repr(values.get(field)))

    for field in REQUIRED:
        if not values.get(field):
            raise fail(field, f"a value for {field} (every cited figure has one)")
    year_match = YEAR_TOKEN.fullmatch(values["fiscal_year"])
    year = int(year_match["year"]) if year_match else 0
    if year < FIRST_YEAR:
        raise fail("fiscal_year", f"a fiscal year of the account, {FIRST_YEAR} or later")
    if account_name_key(values["account"]) not in account_names():
        raise fail(
            "account",
            "the special account under one of its names (dbt_project/seeds/"
            f"{HISTORY_SEED}, {SHORT_NAMES_SEED}): this file holds no other account's figures",
        )
    measure = values["measure"]
    if measure not in MEASURES:
        raise fail("measure", f"one of {', '.join(MEASURES)}")
    item_code, line_code, era_name, mapping = _item(measure, values["item"], year, fail)
    basis = _basis(measure, values.get("basis") or "", fail)
    unit = PERCENT if values["unit"] == PERCENT else unit_of(values["unit"])
    if (unit == PERCENT) != (measure == "share"):
        raise fail("unit", "% for a share and only for a share")
    if unit is None:
        raise fail("unit", f"a unit listed in dbt_project/seeds/{UNITS_SEED}, or % for a share")
    try:
        amount = parse_amount(values["amount"])
    except ValueError:
        raise fail("amount", "an amount as printed, such as 5.5 or 53,267") from None
    too_large = (
        amount.value > MAX_PERCENT
        if unit == PERCENT
        else abs(amount.value * unit_factors()[unit]) > MAX_KRW_MILLION
    )
    if amount.value < 0 or too_large:
        bound = f"{MAX_PERCENT}%" if unit == PERCENT else f"{MAX_KRW_MILLION:,} KRW million"
        raise fail("amount", f"a non-negative amount of at most {bound}")
    precision_text = values.get("precision") or None
    if precision_text is None:
        step, step_unit = Decimal(1).scaleb(-amount.decimals), unit
    elif unit == PERCENT:
        step, step_unit = _percent_step(precision_text, lambda: fail("precision", _PRECISION)), unit
    else:
        step, step_unit = precision_of(precision_text, unit, lambda: fail("precision", _PRECISION))
    phase = values.get("phase") or None
    if phase is not None and not is_valid_phase(phase):
        raise fail("phase", "proposed, enacted, supplementary_<n>, final, settled or nothing")
    published = _published(values["published"], fail)
    url = values["url"]
    if len(url) > URL_MAX_LENGTH or not URL.fullmatch(url):
        raise fail("url", "an http:// or https:// address without spaces")
    return CitedFigure(
        line_number=line,
        fiscal_year=year,
        account_printed=values["account"],
        measure=measure,
        item_printed=values["item"],
        item_code=item_code,
        line_code=line_code,
        sub_account_name_that_year=era_name,
        mapping=mapping,
        basis_code=basis,
        amount_text=amount.text,
        amount=amount.value,
        decimals=amount.decimals,
        unit_label=unit,
        precision_text=precision_text,
        precision_step=step,
        precision_unit_label=step_unit,
        phase=phase,
        stated_by=values["stated_by"],
        published=values["published"],
        publication_date=published,
        url=url,
        locator=values["locator"],
        note=values.get("note") or None,
    )


_PRECISION = (
    "the precision as published: a positive step of the last printed digit in the figure's unit "
    "(0.1 for 5.5 조원), optionally with a unit ('1000 억원')"
)


def _item(
    measure: str, label: str, year: int, fail: Callable[[str, str], SourceError]
) -> tuple[str, str | None, str | None, str | None]:
    """(item code, budget line, the era's 계정 name, its mapping) of a row's item."""
    if measure != "spending":
        code = cited_items().get((measure, label_key(label)))
        if code is None:
            raise fail(
                "item", f"a {measure} item of dbt_project/seeds/{ITEMS_SEED} ({_names(measure)})"
            )
        return code, None, None, None
    line_code = line_aliases().get(label_key(label))
    if line_code is not None:
        return line_code, line_code, None, None
    key = account_name_key(label)
    eras = [e for e in account_history() if e.sub_account_key == key]
    this_year = [e for e in eras if e.covers(year)]
    if this_year:
        era = this_year[0]
        line = None if era.mapping == "split" else account_lines()[era.today_account_code]
        return line or ERA_ACCOUNT, line, era.sub_account_name, era.mapping
    known = sorted({e.sub_account_name or "" for e in account_history() if e.covers(year)} - {""})
    used = ", ".join(
        f"{e.first_year}–{e.last_year if e.last_year is not None else 'today'}" for e in eras
    )
    raise fail(
        "item",
        f"합계 (Total) or a 계정 of the account in {year} ({', '.join(known)}; dbt_project/seeds/"
        f"{HISTORY_SEED} lists each era's, {LINE_ALIASES_SEED} today's)"
        + (f"; this name is the account's in {used}" if used else ""),
    )


def _basis(measure: str, label: str, fail: Callable[[str, str], SourceError]) -> str | None:
    if measure != "share":
        if label:
            raise fail("basis", "no basis: only a share is of something")
        return None
    code = cited_items().get(("basis", label_key(label)))
    if code is None:
        raise fail("basis", f"what the share is of, a basis of {ITEMS_SEED} ({_names('basis')})")
    return code


def _names(measure: str) -> str:
    """The Korean names of a measure's items that a row may state."""
    rows = read_seed(ITEMS_SEED)
    return ", ".join(
        r["name_ko"] for r in rows if r["measure"] == measure and r["is_computed"] != "true"
    )


def _percent_step(text: str, fail: Callable[[], SourceError]) -> Decimal:
    try:
        step = Decimal(text.removesuffix(PERCENT).strip())
    except ArithmeticError:
        raise fail() from None
    if not step.is_finite() or step <= 0:
        raise fail()
    return step


def _published(text: str, fail: Callable[[str, str], SourceError]) -> dt.date:
    match = _PUBLISHED.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        day = int(match["day"]) if match["day"] else 1
        return dt.date(int(match["year"]), int(match["month"]), day)
    except ValueError:
        raise fail(
            "published", "the date the document was published: YYYY-MM-DD, or YYYY-MM for a "
            "report dated by month",
        ) from None  # fmt: skip
