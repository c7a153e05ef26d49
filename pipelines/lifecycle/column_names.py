"""The marts' columns in Korean and English words, for the Excel downloads' headers.

One place: ``column_names.csv`` beside this module, one row per column name (a name means the same
in every mart: ``fiscal_year`` is 회계연도 everywhere). The SQL names stay what the database, the
Parquet and the CSV files use; these are labels for people. A test fails when a mart's column has
no row here, so a new column gets its words when it is added.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

COLUMN_NAMES_FILE = Path(__file__).with_name("column_names.csv")


@dataclass(frozen=True)
class ColumnName:
    ko: str
    en: str


@cache
def column_names(path: Path = COLUMN_NAMES_FILE) -> dict[str, ColumnName]:
    """Column name → its Korean and English words, as listed in ``path``."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["column_name"]: ColumnName(row["name_ko"].strip(), row["name_en"].strip())
            for row in csv.DictReader(handle)
        }


def column_name(column: str) -> ColumnName:
    """The words for ``column``; one not listed yet reads as its SQL name in both languages, so
    that a download never fails over a label."""
    return column_names().get(column, ColumnName(column, column))


def header(column: str) -> str:
    """A column's header in a workbook: ``회계연도 / Fiscal year``."""
    name = column_name(column)
    return name.en if name.ko == name.en else f"{name.ko} / {name.en}"
