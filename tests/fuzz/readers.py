"""Every reader of raw files, as ingest calls it, with valid seed files to mutate.

One reader per format of the registry (``registry.FORMATS``: ``page_text``, ``csv``, ``xlsx``,
``html``, ``control_totals``, ``cited_figures``, each through ``parse_source`` as ingest reads a
registered file: ``cited_figures`` reaches ``parse_cited_figures``; ``local_budget_book`` through
``parse_local_budget_book``, on books ``tests.local_books`` writes),
the registry itself (``read_registry``, ``line_file_entries``, ``publisher_layouts``), the
publishers' profiles (``load_profile``) and the publishers' files in each layout (CSV, JSON,
XLSX: ``land_lines`` into a DuckDB landing, as ingest lands them). Seeds are the project's own
files and fixtures, and files ``tests.publisher_files`` writes.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.landing.budget_lines import land_lines
from pipelines.landing.line_files import find_line_files
from pipelines.landing.raw_landing import parse_source
from pipelines.sources.local_budget_book import parse_local_budget_book
from pipelines.sources.profiles import load_profile, publisher_layouts
from pipelines.sources.registry import (
    FORMATS,
    LOCAL_BUDGET_BOOK_FORMAT,
    RawSource,
    line_file_entries,
    read_registry,
    value_of_record,
)
from tests.conftest import DATA_RAW
from tests.fuzz.mutations import (
    TOKENS,
    Chooser,
    mutate,
    mutate_cells,
    mutate_json_values,
    mutate_workbook,
    mutate_workbook_cells,
)
from tests.local_books import Book, sample_rows
from tests.local_books import write_csv as write_book_csv
from tests.local_books import write_xlsx as write_book_xlsx
from tests.publisher_files import (
    API_HEADER,
    PORTAL_HEADER,
    PORTAL_TITLE,
    PORTAL_UNIT_LINE,
    detail_rows_2016,
    write_api_json,
    write_csv,
    write_portal_xlsx,
)
from tests.source_figures import GURI_BOOK

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "budget_tables"
PAGE = "000_cad87574ba41ba74.txt"
HISTORY = "cited_account_figures.csv"
PROFILES = ("open_fiscal_data_detail_budget",)
MINISTRY_COLUMNS = {"year": "fiscal_year", "source": "stated_by", "remarks": "note"}
LINES_YEAR = 2016


@dataclass(frozen=True)
class Reader:
    """A reader: its seeds (file name → bytes), how to mutate one, and how to read a file."""

    seeds: Callable[[Path], dict[str, bytes]]  # written under the scratch folder given
    mutate: Callable[[bytes, Chooser], bytes]
    read: Callable[[Path, str, bytes], None]  # (scratch folder, seed's name, bytes to read)


def _text_mutation(tokens: str) -> Callable[[bytes, Chooser], bytes]:
    return lambda data, choose: mutate(data, choose, TOKENS[tokens])


# --- the registry's formats, read as ingest reads a registered file ---------------------------


def _fixture_seeds(*names: str) -> Callable[[Path], dict[str, bytes]]:
    def seeds(_: Path) -> dict[str, bytes]:
        return {
            name: (DATA_RAW / name if name in (PAGE, HISTORY) else FIXTURES / name).read_bytes()
            for name in names
        }

    return seeds


def _read_registered(file_format: str) -> Callable[[Path, str, bytes], None]:
    def read(folder: Path, name: str, data: bytes) -> None:
        path = folder / name
        path.write_bytes(data)
        # The ministry's file in its own headers, mapped as its registry entry maps them.
        ministry = {"columns": MINISTRY_COLUMNS, "line": "Total"}
        fields = ministry if name == "control_totals_ministry.csv" else {}
        parse_source(RawSource(name, path, file_format, "t", "p", "enacted", False, None, **fields))

    return read


TABLE_SEEDS = {
    "page_text": (PAGE,),
    "csv": ("wide_utf8_million.csv", "seven_rows_cp949_eok.csv", "long_bom_trillion.csv",
            "semicolon_title.csv", "utf16le_bom.csv"),
    "xlsx": ("seven_rows_en.xlsx",),
    "html": ("seven_rows.html",),
    "control_totals": ("control_totals.csv", "control_totals_ministry.csv"),
    "cited_figures": (HISTORY,),
}  # fmt: skip
TABLE_TOKENS = {"page_text": "text", "csv": "csv", "html": "html", "control_totals": "csv"}


def _cited_bytes_or_cells(data: bytes, choose: Chooser) -> bytes:
    """The cited figures (UTF-8) with bytes mutated, or cells replaced: a row that is still CSV
    reaches the checks of each field (year, account, measure, item, unit, date, URL …)."""
    if choose.choice(("bytes", "cells")) == "bytes":
        return mutate(data, choose, TOKENS["csv"])
    return mutate_cells(data, choose, "utf-8")


def _table_reader(file_format: str) -> Reader:
    if file_format == "xlsx":
        mutation = mutate_workbook
    elif file_format == "cited_figures":
        mutation = _cited_bytes_or_cells
    else:
        mutation = _text_mutation(TABLE_TOKENS[file_format])
    return Reader(
        _fixture_seeds(*TABLE_SEEDS[file_format]), mutation, _read_registered(file_format)
    )


# --- the registry and the profiles ---------------------------------------------------------------

LINE_FILES_BLOCK = (
    "\nline_files:\n"
    f"  - file: budget_lines/{LINES_YEAR}/detail.csv\n"
    "    profile: open_fiscal_data_detail_budget\n"
    "    unit: 천원\n"
    "    publication_date: 2016-01-04\n"
    "    url: https://www.openfiscaldata.go.kr/\n"
)


def _raw_folder(folder: Path) -> Path:
    """A raw folder holding the files the committed registry names, the profiles, and one
    publisher's file, so that a registry entry can be checked to the end."""
    raw = folder / "raw"
    if not raw.is_dir():
        raw.mkdir(parents=True)
        for name in (PAGE, HISTORY, GURI_BOOK):
            (raw / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(DATA_RAW / name, raw / name)
        shutil.copytree(DATA_RAW / "profiles", raw / "profiles")
        write_csv(raw / "budget_lines" / str(LINES_YEAR) / "detail.csv", API_HEADER, [])
    return raw


def _registry_seeds(_: Path) -> dict[str, bytes]:
    committed = (DATA_RAW / "sources.yml").read_bytes()
    return {"sources.yml": committed, "with_line_files.yml": committed + LINE_FILES_BLOCK.encode()}


def _read_registry(folder: Path, _: str, data: bytes) -> None:
    raw = _raw_folder(folder)
    (raw / "sources.yml").write_bytes(data)
    read_registry(raw)
    value_of_record(raw)
    line_file_entries(raw)
    publisher_layouts(raw)


def _profile_seeds(_: Path) -> dict[str, bytes]:
    return {name: (DATA_RAW / "profiles" / f"{name}.yml").read_bytes() for name in PROFILES}


def _read_profile(folder: Path, name: str, data: bytes) -> None:
    raw = _raw_folder(folder)
    (raw / "profiles" / f"{name}.yml").write_bytes(data)
    try:
        load_profile(raw, name, str(raw / "sources.yml"), "entry 1 under 'line_files'")
    finally:
        shutil.copy(DATA_RAW / "profiles" / f"{name}.yml", raw / "profiles" / f"{name}.yml")


# --- the publishers' files, landed as ingest lands them ---------------------------------------


def _publisher_seeds(kind: str) -> Callable[[Path], dict[str, bytes]]:
    def seeds(folder: Path) -> dict[str, bytes]:
        folder = folder / "seeds"
        rows = detail_rows_2016()
        paths = {
            "csv": [
                write_csv(folder / "api.csv", API_HEADER, rows),
                write_csv(folder / "portal.csv", PORTAL_HEADER, rows, encoding="cp949"),
            ],
            "json": [write_api_json(folder / "api.json", rows)],
            "xlsx": [
                write_portal_xlsx(folder / "portal.xlsx", rows),
                write_portal_xlsx(
                    folder / "titled.xlsx", rows, title=PORTAL_TITLE, unit_line=PORTAL_UNIT_LINE
                ),
            ],
        }[kind]
        return {path.name: path.read_bytes() for path in paths}

    return seeds


def _land_publisher_file(folder: Path, name: str, data: bytes) -> None:
    """Land ``data`` as ``budget_lines/2016/<name>``, registered with the Open Fiscal Data
    profile and 천원, in a raw folder of its own."""
    raw = folder / f"raw_{name.replace('.', '_')}"
    if not raw.is_dir():
        raw.mkdir(parents=True)
        shutil.copytree(DATA_RAW / "profiles", raw / "profiles")
        (raw / "sources.yml").write_text(
            "sources: []\nline_files:\n"
            f"  - file: budget_lines/{LINES_YEAR}/{name}\n"
            "    profile: open_fiscal_data_detail_budget\n    unit: 천원\n",
            encoding="utf-8",
        )
        (raw / "budget_lines" / str(LINES_YEAR)).mkdir(parents=True)
    (raw / "budget_lines" / str(LINES_YEAR) / name).write_bytes(data)
    if raw not in _LANDINGS:  # the registry and profiles do not change: read them once
        _LANDINGS[raw] = (publisher_layouts(raw), duckdb.connect())
    layouts, con = _LANDINGS[raw]
    files = find_line_files(raw, [LINES_YEAR], layouts)
    land_lines(con, files, [LINES_YEAR], None, layouts, folder)  # replaces the landing's tables


# Each raw folder's layouts and landing connection, kept across inputs (a connection costs more
# than most landings of a refused file).
_LANDINGS: dict[Path, tuple[dict, duckdb.DuckDBPyConnection]] = {}


def _csv_or_cells(data: bytes, choose: Chooser) -> bytes:
    """Bytes mutated, or cells (the portal's CSV is in cp949, the API's in UTF-8)."""
    if choose.choice(("bytes", "cells")) == "bytes":
        return mutate(data, choose, TOKENS["csv"])
    return mutate_cells(data, choose, "utf-8" if data.isascii() or b"FSCL_YY" in data else "cp949")


def _json_or_values(data: bytes, choose: Chooser) -> bytes:
    if choose.choice(("bytes", "values")) == "bytes":
        return mutate(data, choose, TOKENS["json"])
    return mutate_json_values(data, choose)


def _workbook_or_cells(data: bytes, choose: Chooser) -> bytes:
    if choose.choice(("workbook", "cells")) == "workbook":
        return mutate_workbook(data, choose)
    return mutate_workbook_cells(data, choose)


# --- local budget books ----------------------------------------------------------------------


def _book_seeds(folder: Path) -> dict[str, bytes]:
    folder = folder / "seeds"
    paths = [
        write_book_xlsx(folder / "book.xlsx", Book(rows=sample_rows())),
        write_book_csv(folder / "book.csv", Book(rows=sample_rows(), two_row_header=False)),
    ]
    return {path.name: path.read_bytes() for path in paths}


def _book_bytes_or_cells(data: bytes, choose: Chooser) -> bytes:
    if data.startswith(b"PK"):
        return _workbook_or_cells(data, choose)
    if choose.choice(("bytes", "cells")) == "bytes":
        return mutate(data, choose, TOKENS["csv"])
    return mutate_cells(data, choose, "cp949")


def _read_book(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.write_bytes(data)
    parse_local_budget_book(data, str(path))


READERS: dict[str, Reader] = {
    **{
        file_format: _table_reader(file_format)
        for file_format in sorted(FORMATS - {LOCAL_BUDGET_BOOK_FORMAT})
    },
    LOCAL_BUDGET_BOOK_FORMAT: Reader(_book_seeds, _book_bytes_or_cells, _read_book),
    "registry": Reader(_registry_seeds, _text_mutation("yaml"), _read_registry),
    "profiles": Reader(_profile_seeds, _text_mutation("yaml"), _read_profile),
    "publisher_csv": Reader(_publisher_seeds("csv"), _csv_or_cells, _land_publisher_file),
    "publisher_json": Reader(_publisher_seeds("json"), _json_or_values, _land_publisher_file),
    "publisher_xlsx": Reader(_publisher_seeds("xlsx"), _workbook_or_cells, _land_publisher_file),
}
