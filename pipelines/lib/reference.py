"""Reference tables people maintain as dbt seeds, read here to reject unknown input early.

The seeds stay the one place where labels and units are listed; dbt joins them in the models, and
the ingest step reads the same files so that an unknown label fails with its file and line before
anything is built.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipelines.lib.settings import SEEDS_DIR

LINE_ALIASES_SEED = "ref_budget_line_aliases.csv"
UNITS_SEED = "ref_units.csv"


def label_key(label: str) -> str:
    """How labels are matched: case-insensitive (the dbt models compare ``lower(label)``)."""
    return label.lower()


def _column(seed: str, column: str, seeds_dir: Path) -> set[str]:
    with (seeds_dir / seed).open(encoding="utf-8", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


def known_line_labels(seeds_dir: Path = SEEDS_DIR) -> set[str]:
    return {label_key(label) for label in _column(LINE_ALIASES_SEED, "label", seeds_dir)}


def known_units(seeds_dir: Path = SEEDS_DIR) -> set[str]:
    return _column(UNITS_SEED, "unit_label", seeds_dir)
