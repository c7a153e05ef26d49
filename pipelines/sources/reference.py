"""Reference tables people maintain as dbt seeds, read here to resolve and check raw labels.

The seeds stay the one place where labels and units are listed. Ingest resolves each printed row
label to its budget line through ``ref_budget_line_aliases.csv`` (so that an unknown or repeated
line fails with its file and line before anything is built) and lands the line code next to the
label as printed; dbt joins on that code.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from pipelines.core.errors import SourceError
from pipelines.core.settings import SEEDS_DIR

LINE_ALIASES_SEED = "ref_budget_line_aliases.csv"
UNITS_SEED = "ref_units.csv"
LINES_SEED = "ref_budget_lines.csv"
PLAN_LABELS_SEED = "ref_plan_labels.csv"
FORMULATORS_SEED = "ref_formulators.csv"
COLUMN_NAMES_SEED = "ref_column_names.csv"
# The roles of a long table's columns, in the order messages name them.
COLUMN_ROLES = ("label", "year", "amount")

# Middle dots that Korean official texts use interchangeably in 시·도, 시·군·구.
_MIDDLE_DOTS = "ㆍᆞ・･‧∙"
# Typographic apostrophes that pages use for "'" (local governments’ own funds).
_APOSTROPHES = "’‘ʼ′"
_FOLD = str.maketrans(
    {
        **dict.fromkeys(_MIDDLE_DOTS, "·"),
        **dict.fromkeys(_APOSTROPHES, "'"),
        **dict.fromkeys("\u200b\u200c\u200d\ufeff"),
    }
)


def label_key(label: str) -> str:
    """How labels match: Unicode-compatible forms, one middle dot, single spaces, any case.

    ``"시ㆍ도  자율편성"`` and ``"시·도 자율편성"`` match; so do ``"TOTAL"`` and ``"Total"``.
    """
    folded = unicodedata.normalize("NFKC", label.translate(_FOLD)).translate(_FOLD)
    return " ".join(folded.split()).casefold()


def read_seed(seed: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    """The rows of a seed, as text."""
    with (seeds_dir / seed).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def line_aliases(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """Label key → budget line code, from the alias seed; conflicting aliases are an error."""
    return _alias_map(LINE_ALIASES_SEED, seeds_dir, "line_code", "budget line")


def _alias_map(
    seed: str, seeds_dir: Path, code_column: str, what: str, label_kind: str | None = None
) -> dict[str, str]:
    """Label key → code, from rows of an alias seed (of one ``label_kind`` when given)."""
    aliases: dict[str, str] = {}
    for number, row in enumerate(read_seed(seed, seeds_dir), start=2):
        if label_kind is not None and row["label_kind"] != label_kind:
            continue
        key = label_key(row["label"])
        if aliases.setdefault(key, row[code_column]) != row[code_column]:
            raise SourceError(
                str(seeds_dir / seed),
                f"line {number}",
                f"each label to name one {what}",
                f"{row['label']!r} also listed for {aliases[key]!r}",
            )
    return aliases


@cache
def plan_labels(label_kind: str, seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """Label key → code for one kind of label the plan documents print (``ref_plan_labels.csv``).

    Kinds: ``account``, ``formulator``, ``plan``, ``plan_component``, ``funding_scope``,
    ``project_area`` and ``change_direction``.
    """
    return _alias_map(PLAN_LABELS_SEED, seeds_dir, "code", label_kind, label_kind)


@cache
def formulator_groups(seeds_dir: Path = SEEDS_DIR) -> dict[str, str | None]:
    """Formulator code → the group it belongs to (e.g. city_province → local_governments)."""
    return {
        row["formulator_code"]: row["parent_formulator_code"] or None
        for row in read_seed(FORMULATORS_SEED, seeds_dir)
    }


@cache
def known_units(seeds_dir: Path = SEEDS_DIR) -> frozenset[str]:
    return frozenset(row["unit_label"] for row in read_seed(UNITS_SEED, seeds_dir))


@cache
def unit_factors(seeds_dir: Path = SEEDS_DIR) -> dict[str, Decimal]:
    """Unit label as listed → KRW million per unit (억원 → 100, 조원 → 1,000,000)."""
    return {
        row["unit_label"]: Decimal(row["krw_million_per_unit"])
        for row in read_seed(UNITS_SEED, seeds_dir)
    }


@cache
def budget_line_kinds(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """Budget line code → ``total``, ``subtotal`` or ``leaf`` (``ref_budget_lines.csv``)."""
    return {row["line_code"]: row["line_kind"] for row in read_seed(LINES_SEED, seeds_dir)}


@cache
def leaf_account_levels(seeds_dir: Path = SEEDS_DIR) -> frozenset[tuple[str, str]]:
    """(account_code, level_code) of every leaf budget line: where a budget line can belong."""
    return frozenset(
        (row["account_code"], row["level_code"])
        for row in read_seed(LINES_SEED, seeds_dir)
        if row["line_kind"] == "leaf"
    )


@dataclass(frozen=True)
class ColumnName:
    """A long table's column header as listed in ``ref_column_names.csv``."""

    name: str  # as listed
    role: str  # one of COLUMN_ROLES
    unit_label: str | None  # the unit its name states (amount_krw_million), else None


_COLUMN_BRACKETS = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]")


def column_key(header: str) -> str:
    """How column headers match: as labels do, and also without a bracketed unit, with
    underscores and hyphens read as spaces (``Fiscal_Year`` = ``fiscal year``)."""
    return label_key(re.sub(r"[_\-]+", " ", _COLUMN_BRACKETS.sub(" ", header)))


@cache
def column_names(seeds_dir: Path = SEEDS_DIR) -> dict[str, ColumnName]:
    """Column key → its listed name, role and unit; a name listed for two roles is an error."""
    names: dict[str, ColumnName] = {}
    for number, row in enumerate(read_seed(COLUMN_NAMES_SEED, seeds_dir), start=2):
        place = (str(seeds_dir / COLUMN_NAMES_SEED), f"line {number}")
        if row["role"] not in COLUMN_ROLES:
            raise SourceError(*place, f"a role among {', '.join(COLUMN_ROLES)}", repr(row["role"]))
        column = ColumnName(row["column_name"], row["role"], row.get("unit_label") or None)
        first = names.setdefault(column_key(row["column_name"]), column)
        if first.role != column.role:
            raise SourceError(
                *place,
                "each column name to have one role",
                f"{row['column_name']!r} also listed as {first.role!r}",
            )
    return names


ACCOUNT_HISTORY_SEED = "ref_account_history.csv"
# How an era's account maps to today's (``ref_account_history.csv``).
ACCOUNT_MAPPINGS = ("same", "renamed", "mostly", "split")


def account_name_key(name: str) -> str:
    """How 회계 and 계정 names match: as labels do, and also without spaces or middle dots
    (``광역·지역발전특별회계`` = ``광역지역발전 특별회계``)."""
    return label_key(name).replace("·", "").replace(" ", "").replace(".", "")


@dataclass(frozen=True)
class AccountEra:
    """A 회계 (with one of its 계정, or as a whole) under its name of some budget years, and
    today's account it is (``mapping``: same, renamed, mostly or split)."""

    first_year: int
    last_year: int | None  # None: to this day
    account_name: str
    sub_account_name: str | None
    today_account_code: str
    mapping: str

    @property
    def account_key(self) -> str:
        return account_name_key(self.account_name)

    @property
    def sub_account_key(self) -> str | None:
        return account_name_key(self.sub_account_name) if self.sub_account_name else None

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


@cache
def account_history(seeds_dir: Path = SEEDS_DIR) -> tuple[AccountEra, ...]:
    """The special account's names and 계정 in each era, mapped to today's accounts."""
    eras = []
    for number, row in enumerate(read_seed(ACCOUNT_HISTORY_SEED, seeds_dir), start=2):
        if row["mapping"] not in ACCOUNT_MAPPINGS:
            raise SourceError(
                str(seeds_dir / ACCOUNT_HISTORY_SEED), f"line {number}, column mapping",
                f"one of {', '.join(ACCOUNT_MAPPINGS)}", repr(row["mapping"]),
            )  # fmt: skip
        eras.append(
            AccountEra(
                first_year=int(row["first_year"]),
                last_year=int(row["last_year"]) if row["last_year"] else None,
                account_name=row["account_name_ko"],
                sub_account_name=row["sub_account_name_ko"] or None,
                today_account_code=row["today_account_code"],
                mapping=row["mapping"],
            )
        )
    return tuple(eras)
