"""Finding the line files of a run's fiscal years, and keeping the run inside ``data_raw/``.

The budget lines of a fiscal year are the files in ``data_raw/budget_lines/<fiscal year>/``: CSV or
Parquet in the warehouse's own layout, or CSV, XLSX or JSON in a publisher's layout when the
registry lists them under ``line_files:``. Each file is checked by name and kind before anything
reads it: a symbolic link (which could lead the run to any file of the machine), a folder that is
no fiscal year, a file of another kind, or a name DuckDB would read as a pattern stops the run,
naming the path and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipelines.core.errors import SourceError

LINES_FOLDER = "budget_lines"
READERS = {".csv": "csv", ".parquet": "parquet"}
PUBLISHER_SUFFIXES = {".csv", ".xlsx", ".json"}
# Characters DuckDB reads as a pattern of file names (glob) where a path is expected.
PATTERN_CHARACTERS = "*?[]{}"


@dataclass(frozen=True)
class LineFile:
    """A file of budget lines the run reads: where it is, its name in data_raw/, the fiscal year
    of its folder and which reader reads it."""

    path: Path
    source_file: str  # the path inside data_raw/, e.g. budget_lines/2026/seoul.csv
    fiscal_year: int
    reader: str  # csv or parquet (the warehouse's own layout), or publisher (its profile's)


def lines_dir(data_raw_dir: Path) -> Path:
    return data_raw_dir / LINES_FOLDER


def available_years(data_raw_dir: Path) -> list[int]:
    """Fiscal years that have a folder of line files."""
    folder = lines_dir(data_raw_dir)
    if not folder.is_dir():
        return []
    return sorted(int(path.name) for path in folder.iterdir() if re.fullmatch(r"\d{4}", path.name))


def find_line_files(
    data_raw_dir: Path, years: Iterable[int], publisher_files: Iterable[str] = ()
) -> list[LineFile]:
    """The line files of ``years`` (a year without a folder has none); checks names and kinds.

    ``publisher_files`` (names inside data_raw/, from ``line_files:`` of the registry) are in a
    publisher's layout: CSV, XLSX or JSON, read through their profile (reader ``publisher``).

    Nothing here follows a symbolic link: the budget-lines folder, a year folder or a file that
    is one is refused by name (a link could lead the run to read anything on the machine). A
    file whose name holds one of DuckDB's pattern characters (``*?[]{}``) is refused too: DuckDB
    would read it as a pattern and load other files in its place.
    """
    publishers = set(publisher_files)
    folder = lines_dir(data_raw_dir)
    if folder.is_symlink():
        raise _symlink_error(folder)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.startswith("."):
                continue
            if path.is_symlink():
                raise _symlink_error(path)
            if not re.fullmatch(r"\d{4}", path.name):
                raise SourceError(
                    str(path), "name", f"one folder per fiscal year in {folder} (e.g. 2026/)"
                )
    found = []
    for year in sorted(set(years)):
        year_dir = folder / str(year)
        if not year_dir.is_dir():
            continue
        for path in sorted(year_dir.iterdir()):
            if path.name.startswith("."):
                continue
            if path.is_symlink():
                raise _symlink_error(path)
            source_file = f"{LINES_FOLDER}/{year}/{path.name}"
            reader: str | None
            if source_file in publishers and path.suffix.lower() in PUBLISHER_SUFFIXES:
                reader = "publisher"
            else:
                reader = READERS.get(path.suffix.lower())
            if reader is None or not path.is_file():
                raise SourceError(
                    str(path),
                    "whole file",
                    "a .csv or .parquet file of budget lines (or a .csv, .xlsx or .json file "
                    "in a publisher's layout, listed under line_files: in sources.yml)",
                )
            pattern = sorted(set(path.name) & set(PATTERN_CHARACTERS))
            if pattern:
                raise SourceError(
                    str(path),
                    "file name",
                    f"a name without the characters {PATTERN_CHARACTERS} (DuckDB reads them as "
                    "a pattern of file names); rename the file",
                    f"{' '.join(pattern)} in the name",
                )
            found.append(LineFile(path, source_file, year, reader))
    return found


def _symlink_error(path: Path) -> SourceError:
    return SourceError(
        str(path),
        "whole file",
        f"a real file or folder inside {LINES_FOLDER}/ (symbolic links are not followed); copy "
        "the file in instead",
        "a symbolic link",
    )
