"""Acknowledged differences: disagreements between sources that people reviewed and accepted.

``data_raw/acknowledged_differences.csv`` (optional, read by that name, not registered) lists them,
one row per comparison of ``audit.audit_source_comparison``, with the columns (in this order)
``fiscal_year, line, source, other_source, other_stated_by, figure, other_figure, reason,
accepted_by, accepted_on``; e.g. 2015, Total, the page's file,
``cited_account_figures.csv``,
``KRIHS 국토정책Brief, 2017-06-12``, ``10,338,940 백만원``, ``10.4 조원``, why, who, ``2026-12-06``.

- ``source`` / ``other_source``: the two sides as the comparison names them: a file registered in
  ``sources.yml`` (the fact's table; the other table or control-totals file), or
  ``budget lines: <layout>`` for the sum of a publisher's lines.
- ``other_stated_by``: who the control total names (its ``stated_by``); empty for two tables.
- ``figure`` / ``other_figure``: both figures **as accepted**, each with its unit (``10,338,940
  백만원``, ``10.4 조원``). A comparison matches only while both figures are still these: a changed
  figure is a new disagreement, and warns again.
- ``reason``, ``accepted_by``, ``accepted_on`` (YYYY-MM-DD, not after the run's day): why the
  difference is accepted, who accepted it and when.

A matching MISMATCH becomes ``ACKNOWLEDGED``: shown and counted, neither a warning nor blocking.
An acknowledgement that matches no MISMATCH (the figures changed, or agree now) is listed by
``audit.audit_acknowledged_differences`` and warns, so the list cannot go stale unseen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pipelines.core.errors import SourceError
from pipelines.sources.amounts import MAX_KRW_MILLION, parse_amount, unit_of
from pipelines.sources.csv_rows import check_header, csv_table
from pipelines.sources.page_table import YEAR_TOKEN
from pipelines.sources.reference import (
    LINE_ALIASES_SEED,
    UNITS_SEED,
    label_key,
    line_aliases,
    unit_factors,
)
from pipelines.sources.registry import ACKNOWLEDGEMENTS_NAME, read_regular_file

COLUMNS = (
    "fiscal_year",
    "line",
    "source",
    "other_source",
    "other_stated_by",
    "figure",
    "other_figure",
    "reason",
    "accepted_by",
    "accepted_on",
)
OPTIONAL = {"other_stated_by"}
# The side of a comparison that is the sum of a publisher's lines (audit_source_comparison).
LINES_SIDE = "budget lines: "
# A figure with its unit: "10,338,940 백만원", "10.4 조원", "92,328억원".
_FIGURE = re.compile(r"^(?P<number>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<unit>\S.*)$")


@dataclass(frozen=True)
class Acknowledgement:
    line_number: int
    fiscal_year: int
    line_label: str
    line_code: str
    source: str
    other_source: str
    other_stated_by: str | None
    figure_text: str
    figure_krw_million: Decimal
    other_figure_text: str
    other_figure_krw_million: Decimal
    reason: str
    accepted_by: str
    accepted_on: dt.date


def parse_acknowledgements(
    data: bytes, file: str, registered: Collection[str], today: dt.date
) -> list[Acknowledgement]:
    """Every row of the file, checked; the first bad row stops the run naming line and column.

    ``registered`` are the file names of ``sources.yml``; ``today`` is the run's day (an
    acceptance dated later is refused)."""
    table = csv_table(data, file)
    if table is None:
        return []
    headers, records = table
    check_header(headers, COLUMNS, file)
    rows: list[Acknowledgement] = []
    seen: dict[tuple, int] = {}  # the comparison → the line that acknowledges it
    for number, cells in records:
        values = {name: " ".join(cell.split()) for name, cell in zip(COLUMNS, cells, strict=True)}
        row = _acknowledgement(values, number, file, registered, today)
        key = (row.fiscal_year, row.line_code, row.source, row.other_source, row.other_stated_by)
        if key in seen:
            raise SourceError(
                file,
                f"line {number}",
                f"each comparison acknowledged once, but it repeats line {seen[key]}",
                "a duplicate row",
            )
        seen[key] = number
        rows.append(row)
    return rows


def _acknowledgement(
    values: dict[str, str],
    line: int,
    file: str,
    registered: Collection[str],
    today: dt.date,
) -> Acknowledgement:
    def fail(column: str, expected: str) -> SourceError:
        return SourceError(file, f"line {line}, column {column}", expected, repr(values[column]))

    for column in COLUMNS:
        if column not in OPTIONAL and not values[column]:
            raise fail(column, f"a value for {column}")
    year = YEAR_TOKEN.fullmatch(values["fiscal_year"])
    if not year:
        raise fail("fiscal_year", "a year such as 2015")
    line_code = line_aliases().get(label_key(values["line"]))
    if line_code is None:
        raise fail("line", f"a budget line label listed in dbt_project/seeds/{LINE_ALIASES_SEED}")
    for column in ("source", "other_source"):
        name = values[column]
        if name not in registered and not (name.startswith(LINES_SIDE) and name != LINES_SIDE):
            raise fail(
                column,
                f"a file registered in sources.yml ({', '.join(sorted(registered)) or 'none'}) "
                f"or '{LINES_SIDE}<layout>'",
            )
    try:
        accepted_on = dt.date.fromisoformat(values["accepted_on"])
    except ValueError:
        raise fail("accepted_on", "the day it was accepted, as YYYY-MM-DD") from None
    if accepted_on > today:
        raise fail("accepted_on", f"a day not after today ({today.isoformat()})")
    figure, figure_krw = _figure(values, "figure", fail)
    other, other_krw = _figure(values, "other_figure", fail)
    return Acknowledgement(
        line_number=line,
        fiscal_year=int(year["year"]),
        line_label=values["line"],
        line_code=line_code,
        source=values["source"],
        other_source=values["other_source"],
        other_stated_by=values["other_stated_by"] or None,
        figure_text=figure,
        figure_krw_million=figure_krw,
        other_figure_text=other,
        other_figure_krw_million=other_krw,
        reason=values["reason"],
        accepted_by=values["accepted_by"],
        accepted_on=accepted_on,
    )


def _figure(
    values: dict[str, str], column: str, fail: Callable[[str, str], SourceError]
) -> tuple[str, Decimal]:
    """``10.4 조원`` → (the text, the figure in KRW million)."""
    expected = (
        f"a figure with its unit of dbt_project/seeds/{UNITS_SEED}, as accepted "
        "(10,338,940 백만원 or 10.4 조원)"
    )
    match = _FIGURE.match(values[column])
    unit = unit_of(match["unit"]) if match else None
    if match is None or unit is None:
        raise fail(column, expected)
    try:
        amount = parse_amount(match["number"])
    except ValueError:
        raise fail(column, expected) from None
    krw_million = amount.value * unit_factors()[unit]
    if krw_million > MAX_KRW_MILLION:
        raise fail(column, f"a figure of at most {MAX_KRW_MILLION:,} KRW million")
    return values[column], krw_million


@dataclass(frozen=True)
class AcknowledgementsFile:
    file: str  # the name in the raw folder
    sha256: str
    size_bytes: int
    rows: list[Acknowledgement]


def read_acknowledgements(
    raw_dir: Path, registered: Collection[str], today: dt.date
) -> AcknowledgementsFile | None:
    """The raw folder's acknowledged differences, checked; None when it has no such file.

    Read as every raw file is (``read_regular_file``: within the size limit, never through a
    symbolic link)."""
    path = raw_dir / ACKNOWLEDGEMENTS_NAME
    if not path.exists() and not path.is_symlink():
        return None
    data = read_regular_file(path)
    rows = parse_acknowledgements(data, str(path), registered, today)
    return AcknowledgementsFile(
        ACKNOWLEDGEMENTS_NAME, hashlib.sha256(data).hexdigest(), len(data), rows
    )
