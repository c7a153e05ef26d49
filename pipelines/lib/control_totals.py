"""Independent control totals: figures a ministry or report states elsewhere, to check the facts by.

A registered file of format ``control_totals`` is a CSV (encoding detected as for budget CSVs) with
one row per stated figure::

    fiscal_year,line,amount,unit,stated_by,phase,precision_krw_million,note
    2018,Total,98.9,조원,"2018 budget press release, MOEF",enacted,,

- ``line``: a budget line's label as in ``ref_budget_line_aliases.csv`` (``Total``, ``합계``,
  ``지역지원계정``…); ``unit``: a unit of ``ref_units.csv``; ``amount`` as printed.
- ``phase`` (optional): compare only with facts of that phase; empty compares with every phase.
- ``precision_krw_million`` (optional): how exact the figure is, in KRW million; by default half
  the last printed digit (98.9 조원 → ±50,000).

Reconciliation (``audit.audit_source_comparison``) compares them with the facts; they never
replace a figure.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pipelines.lib.amounts import MAX_KRW_MILLION, parse_amount, unit_of
from pipelines.lib.errors import SourceError
from pipelines.lib.page_table import YEAR_TOKEN
from pipelines.lib.reference import (
    LINE_ALIASES_SEED,
    UNITS_SEED,
    label_key,
    line_aliases,
    unit_factors,
)
from pipelines.lib.sources import is_valid_phase
from pipelines.lib.table_files import decode_text

REQUIRED_COLUMNS = ("fiscal_year", "line", "amount", "unit", "stated_by")
OPTIONAL_COLUMNS = ("phase", "precision_krw_million", "note")


@dataclass(frozen=True)
class ControlTotal:
    line_number: int
    fiscal_year: int
    line_label: str
    line_code: str
    amount_text: str
    amount: Decimal
    decimals: int
    unit_label: str
    precision_krw_million: Decimal | None
    stated_by: str
    phase: str | None
    note: str | None


def parse_control_totals(data: bytes, file: str) -> list[ControlTotal]:
    """Every row of a control-totals file, checked; the first bad row stops with its line."""
    text, _ = decode_text(data, file)
    if not text.strip():
        raise SourceError(file, "whole file", "content", "an empty or blank file")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    unknown = [name for name in columns if name not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unknown:
        raise SourceError(
            file,
            "line 1",
            f"a header with the columns {', '.join(REQUIRED_COLUMNS)} "
            f"(optional: {', '.join(OPTIONAL_COLUMNS)})",
            ", ".join([f"no {name!r}" for name in missing] + [f"{name!r}" for name in unknown]),
        )
    totals = []
    seen: dict[tuple, int] = {}
    for row in reader:
        line = reader.line_num
        values = {key.strip(): " ".join((value or "").split()) for key, value in row.items() if key}
        if None in row:
            raise SourceError(file, f"line {line}", f"{len(columns)} fields", "more (ragged row)")
        total = _control_total(values, line, file)
        key = (total.fiscal_year, total.line_code, total.phase, total.stated_by)
        if key in seen:
            raise SourceError(
                file,
                f"line {line}",
                f"each figure once, but it repeats line {seen[key]}",
                "a duplicate row",
            )
        seen[key] = line
        totals.append(total)
    if not totals:
        raise SourceError(file, "line 2", "at least one control total below the header", "none")
    return totals


def _control_total(values: dict[str, str], line: int, file: str) -> ControlTotal:
    def fail(column: str, expected: str) -> SourceError:
        return SourceError(
            file, f"line {line}, column {column}", expected, repr(values.get(column))
        )

    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            raise fail(column, f"a value for {column}")
    year = YEAR_TOKEN.match(values["fiscal_year"])
    if not year:
        raise fail("fiscal_year", "a year such as 2018")
    line_code = line_aliases().get(label_key(values["line"]))
    if line_code is None:
        raise fail("line", f"a budget line label listed in dbt_project/seeds/{LINE_ALIASES_SEED}")
    unit = unit_of(values["unit"])
    if unit is None:
        raise fail("unit", f"a unit listed in dbt_project/seeds/{UNITS_SEED}")
    try:
        amount = parse_amount(values["amount"])
    except ValueError:
        raise fail("amount", "an amount such as 9,889,905 or 98.9") from None
    if amount.value < 0 or abs(amount.value * unit_factors()[unit]) > MAX_KRW_MILLION:
        raise fail("amount", f"a non-negative amount below {MAX_KRW_MILLION:,} KRW million")
    phase = values.get("phase") or None
    if phase is not None and not is_valid_phase(phase):
        raise fail("phase", "proposed, enacted, supplementary_<n>, settled or nothing")
    precision = None
    if values.get("precision_krw_million"):
        try:
            precision = Decimal(values["precision_krw_million"].replace(",", ""))
        except InvalidOperation:
            raise fail("precision_krw_million", "a non-negative number") from None
        if precision < 0:
            raise fail("precision_krw_million", "a non-negative number")
    return ControlTotal(
        line_number=line,
        fiscal_year=int(year["year"]),
        line_label=values["line"],
        line_code=line_code,
        amount_text=amount.text,
        amount=amount.value,
        decimals=amount.decimals,
        unit_label=unit,
        precision_krw_million=precision,
        stated_by=values["stated_by"],
        phase=phase,
        note=values.get("note") or None,
    )
