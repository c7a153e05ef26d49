"""The local governments (17 시·도 and 226 시·군·구) as ``ref_local_governments.csv`` lists them.

Keyed on the local finance portal's code (지방재정365 자치단체코드, seven digits), each row valid
for a span of fiscal years (a government renamed or moved to another 시·도 has a row per span).
A local budget book's registry entry names its government by that code; a code the list does
not hold for the book's year stops the run, naming the entry. See
docs/research/local_governments.md for where the list comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.core.errors import SourceError
from pipelines.core.settings import SEEDS_DIR
from pipelines.sources.reference import read_seed

GOVERNMENTS_SEED = "ref_local_governments.csv"
LEVELS = ("city_province", "si_gun_gu")


@dataclass(frozen=True)
class LocalGovernment:
    code: str
    name_ko: str
    full_name_ko: str
    level: str  # one of LEVELS
    sido_code: str
    first_year: int | None
    last_year: int | None

    def covers(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )


@cache
def local_governments(seeds_dir: Path = SEEDS_DIR) -> tuple[LocalGovernment, ...]:
    governments = []
    for number, row in enumerate(read_seed(GOVERNMENTS_SEED, seeds_dir), start=2):
        if row["level"] not in LEVELS:
            raise SourceError(
                str(seeds_dir / GOVERNMENTS_SEED), f"line {number}, column level",
                f"one of {', '.join(LEVELS)}", repr(row["level"]),
            )  # fmt: skip
        governments.append(
            LocalGovernment(
                code=row["government_code"],
                name_ko=row["name_ko"],
                full_name_ko=row["full_name_ko"],
                level=row["level"],
                sido_code=row["sido_code"],
                first_year=int(row["first_year"]) if row["first_year"] else None,
                last_year=int(row["last_year"]) if row["last_year"] else None,
            )
        )
    return tuple(governments)


def government_of(code: str, year: int, where: str, place: str) -> LocalGovernment:
    """The government ``code`` names in fiscal ``year``; refused, named, when the list has none."""
    rows = [row for row in local_governments() if row.code == code]
    for row in rows:
        if row.covers(year):
            return row
    if rows:
        spans = ", ".join(
            f"{row.full_name_ko} {row.first_year or ''}–{row.last_year or ''}" for row in rows
        )
        got = f"{code} in {year} (the list holds it as {spans})"
    else:
        got = f"{code}, which the list does not hold"
    raise SourceError(
        where, place,
        f"the code of a local government in {year} (dbt_project/seeds/{GOVERNMENTS_SEED})", got,
    )  # fmt: skip
