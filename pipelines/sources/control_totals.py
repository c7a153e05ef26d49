"""Independent control totals: figures a ministry or report states elsewhere, to check the facts by.

A registered file of format ``control_totals`` is a CSV (encoding detected as for budget CSVs) with
one row per stated figure::

    fiscal_year,line,amount,unit,stated_by,phase,precision,note
    2018,Total,98.9,조원,"2018 budget press release, MOEF",enacted,0.1,

- ``line``: a budget line's label as in ``ref_budget_line_aliases.csv`` (``Total``, ``합계``,
  ``지역지원계정``…); ``unit``: a unit of ``ref_units.csv``; ``amount`` as printed.
- ``phase`` (optional): compare only with facts of that phase; empty compares with every phase.
- ``precision`` (optional): the precision **as published**, one step of the last digit the source
  prints, in the figure's own unit (``0.1`` for 98.9 조원) or with a unit of its own (``0.1 조원``,
  ``100,000 백만원``). Left empty, it is the last printed digit of ``amount`` (98.9 → 0.1).

A file in a ministry's own columns is registered as it is: the registry entry's ``columns:`` maps
its headers to these fields (``{year: fiscal_year, source: stated_by}``, ``ignore`` for a column
to skip); a file without a ``line``, ``unit`` or ``stated_by`` column takes the entry's ``line:``,
``unit:`` or ``publisher``.

The tolerance of a control total is derived here, in one place (``half_step_krw_million``): half a
published step, in KRW million, as for every budget table (``int_budget_cells__mapped``). The old
input ``precision_krw_million`` (half a step, typed by hand) is refused: typing the published step
there doubled the tolerance. Reconciliation (``audit.audit_source_comparison``) compares the totals
with the facts; they never replace a figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from pipelines.core.errors import SourceError
from pipelines.sources.amounts import MAX_KRW_MILLION, parse_amount, unit_of
from pipelines.sources.csv_rows import csv_table
from pipelines.sources.page_table import YEAR_TOKEN
from pipelines.sources.reference import (
    LINE_ALIASES_SEED,
    UNITS_SEED,
    label_key,
    line_aliases,
    unit_factors,
)
from pipelines.sources.registry import CONTROL_TOTAL_FIELDS_IGNORED, is_valid_phase

REQUIRED_COLUMNS = ("fiscal_year", "line", "amount", "unit", "stated_by")
OPTIONAL_COLUMNS = ("phase", "precision", "note")
# A column the parser used to read and now refuses, with what to write instead.
RETIRED_COLUMNS = {
    "precision_krw_million": (
        "no column 'precision_krw_million' (it held half a step in KRW million, and typing the "
        "published precision there doubled the tolerance): the precision as published in a "
        "column 'precision', e.g. 0.1 for a figure printed as 98.9 조원, or '0.1 조원'"
    ),
}
# A precision as published: a number, optionally followed by its unit ("0.1", "0.1 조원").
_PRECISION = re.compile(r"^(?P<number>[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<unit>.*)$")


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
    stated_by: str
    phase: str | None
    note: str | None
    # The precision as published: its text (None when the file states none), one step of the
    # last printed digit, and the unit of that step.
    precision_text: str | None
    precision_step: Decimal
    precision_unit_label: str

    @property
    def precision_krw_million(self) -> Decimal:
        """How far the figure may be from the exact one: half a published step, KRW million."""
        return half_step_krw_million(self.precision_step, self.precision_unit_label)


def half_step_krw_million(step: Decimal, unit_label: str) -> Decimal:
    """The tolerance of a figure published to ``step`` (in ``unit_label``): half a step, in KRW
    million. A figure printed as 98.9 조원 (step 0.1 조원) is exact to ±0.05 조원 = ±50,000 KRW
    million; one in whole 억원 to ±50. The only place a control total's tolerance is made."""
    return step * unit_factors()[unit_label] / 2


def parse_control_totals(
    data: bytes,
    file: str,
    *,
    columns: Mapping[str, str] | None = None,
    unit: str | None = None,
    line: str | None = None,
    stated_by: str | None = None,
) -> list[ControlTotal]:
    """Every row of a control-totals file, checked; the first bad row stops with its line.

    ``columns`` maps the file's headers to the fields (the registry's ``columns:``); ``unit``,
    ``line`` and ``stated_by`` stand for a column the file does not have (the registry's
    ``unit:``, ``line:`` and ``publisher``)."""
    table = csv_table(data, file)
    if table is None:
        raise SourceError(file, "whole file", "content", "an empty or blank file")
    headers, rows = table
    fields = _fields_of(headers, columns or {}, file)
    names = {field: headers[index] for index, field in fields.items()}
    # What the registry may stand in for; fiscal_year and amount only the file can give.
    constants = {"unit": unit, "line": line, "stated_by": stated_by}
    missing = [
        name for name in REQUIRED_COLUMNS if name not in fields.values() and not constants.get(name)
    ]
    if missing:
        raise SourceError(
            file,
            "line 1",
            f"a header with the columns {', '.join(REQUIRED_COLUMNS)} (optional: "
            f"{', '.join(OPTIONAL_COLUMNS)}), or a mapping of the file's headers to them under "
            "'columns:' in its sources.yml entry",
            ", ".join(f"no {name!r}" for name in missing),
        )
    totals = []
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        values = {
            fields[index]: " ".join(cell.split())
            for index, cell in enumerate(cells)
            if index in fields
        }
        for name, constant in constants.items():
            if name not in fields.values() and constant:
                values[name] = constant
        total = _control_total(values, number, file, names, unit)
        key = (total.fiscal_year, total.line_code, total.phase, total.stated_by)
        if key in seen:
            raise SourceError(
                file,
                f"line {number}",
                f"each figure once, but it repeats line {seen[key]}",
                "a duplicate row",
            )
        seen[key] = number
        totals.append(total)
    if not totals:
        raise SourceError(file, "line 2", "at least one control total below the header", "none")
    return totals


def _fields_of(headers: list[str], columns: Mapping[str, str], file: str) -> dict[int, str]:
    """Column index → field, through the registry's mapping; a header it cannot place stops."""
    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    absent = [header for header in columns if header not in headers]
    if absent:
        raise SourceError(
            file,
            "line 1",
            f"the headers that sources.yml maps under 'columns:' ({', '.join(map(repr, absent))})",
            f"the headers {', '.join(map(repr, headers))}",
        )
    fields: dict[int, str] = {}
    for index, header in enumerate(headers):
        field = columns.get(header, header)
        if field in RETIRED_COLUMNS:
            raise SourceError(file, f"line 1, column {header!r}", RETIRED_COLUMNS[field])
        if field == CONTROL_TOTAL_FIELDS_IGNORED:
            continue
        if field not in known:
            raise SourceError(
                file,
                f"line 1, column {header!r}",
                f"a column named one of {', '.join(known)}, or mapped to one (or to 'ignore') "
                "under 'columns:' in its sources.yml entry",
                repr(header),
            )
        if field in fields.values():
            raise SourceError(
                file, f"line 1, column {header!r}", f"one column for {field}", "a second one"
            )
        fields[index] = field
    return fields


def _control_total(
    values: dict[str, str],
    line: int,
    file: str,
    headers: dict[str, str],
    registered_unit: str | None,
) -> ControlTotal:
    def fail(field: str, expected: str) -> SourceError:
        column = headers.get(field)
        place = f"line {line}, column {column}" if column else f"line {line}, {field} (sources.yml)"
        return SourceError(file, place, expected, repr(values.get(field)))

    for field in REQUIRED_COLUMNS:
        if not values.get(field):
            raise fail(field, f"a value for {field}")
    year = YEAR_TOKEN.match(values["fiscal_year"])
    if not year:
        raise fail("fiscal_year", "a year such as 2018")
    line_code = line_aliases().get(label_key(values["line"]))
    if line_code is None:
        raise fail("line", f"a budget line label listed in dbt_project/seeds/{LINE_ALIASES_SEED}")
    unit = unit_of(values["unit"])
    if unit is None:
        raise fail("unit", f"a unit listed in dbt_project/seeds/{UNITS_SEED}")
    if registered_unit and unit_of(registered_unit) not in (None, unit):
        raise fail("unit", f"the unit sources.yml states for the file ({registered_unit})")
    try:
        amount = parse_amount(values["amount"])
    except ValueError:
        raise fail("amount", "an amount such as 9,889,905 or 98.9") from None
    if amount.value < 0 or abs(amount.value * unit_factors()[unit]) > MAX_KRW_MILLION:
        raise fail("amount", f"a non-negative amount of at most {MAX_KRW_MILLION:,} KRW million")
    phase = values.get("phase") or None
    if phase is not None and not is_valid_phase(phase):
        raise fail("phase", "proposed, enacted, supplementary_<n>, final, settled or nothing")
    precision_text = values.get("precision") or None
    if precision_text is None:
        step, step_unit = Decimal(1).scaleb(-amount.decimals), unit
    else:
        step, step_unit = precision_of(precision_text, unit, lambda: fail("precision", _EXPECTED))
    return ControlTotal(
        line_number=line,
        fiscal_year=int(year["year"]),
        line_label=values["line"],
        line_code=line_code,
        amount_text=amount.text,
        amount=amount.value,
        decimals=amount.decimals,
        unit_label=unit,
        stated_by=values["stated_by"],
        phase=phase,
        note=values.get("note") or None,
        precision_text=precision_text,
        precision_step=step,
        precision_unit_label=step_unit,
    )


_EXPECTED = (
    "the precision as published: a positive step of the last printed digit in the figure's unit "
    f"(0.1 for 98.9 조원), optionally with a unit of dbt_project/seeds/{UNITS_SEED} ('0.1 조원')"
)


def precision_of(text: str, unit: str, fail: Callable[[], SourceError]) -> tuple[Decimal, str]:
    """``0.1`` (in the figure's unit) or ``0.1 조원`` → (step, unit of the step)."""
    match = _PRECISION.match(text)
    grouped = r"[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?"
    if not match or ("," in match["number"] and not re.fullmatch(grouped, match["number"])):
        raise fail()
    step = Decimal(match["number"].replace(",", ""))
    step_unit = unit_of(match["unit"]) if match["unit"] else unit
    if step <= 0 or step_unit is None:
        raise fail()
    return step, step_unit
