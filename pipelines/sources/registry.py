"""The source registry (``data_raw/sources.yml``) and reading registered raw files.

Raw files are only ever read. Each one is identified by its name inside the raw folder and the
sha256 of its bytes, and both travel with every value loaded from it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.core import limits
from pipelines.core.errors import SourceError

REGISTRY_NAME = "sources.yml"
# The reviewed list of known differences between sources (``sources.acknowledgements``): read by
# its name, never registered, since it states no figure of its own.
ACKNOWLEDGEMENTS_NAME = "acknowledged_differences.csv"
# Files in the raw folder that are not sources.
NOT_SOURCES = {REGISTRY_NAME, "README.md", ACKNOWLEDGEMENTS_NAME}
# How to read a file: the page as text, a table file, or independent control totals (a CSV).
TABLE_FORMATS = {"page_text", "csv", "xlsx", "html"}
CONTROL_TOTALS_FORMAT = "control_totals"
# Figures public documents state about the account, each with its citation (``cited_figures``).
CITED_FIGURES_FORMAT = "cited_figures"
# A local government's budget book (its "세출 검색용" XLSX or CSV): the special account as a funding
# source of its lines (``sources.local_budget_book``); the entry names the government.
LOCAL_BUDGET_BOOK_FORMAT = "local_budget_book"
FORMATS = {*TABLE_FORMATS, CONTROL_TOTALS_FORMAT, CITED_FIGURES_FORMAT, LOCAL_BUDGET_BOOK_FORMAT}
# The folder of local budget books inside data_raw/: every file in it must be registered too.
LOCAL_BOOKS_FOLDER = "local_budget_books"
# A local government's code in the local finance portal (지방재정365): seven digits.
GOVERNMENT_CODE = re.compile(r"[0-9]{7}")
# ``final``: a year's budget after all its supplementary budgets (전년도 최종, as the next year's
# detail budget states it), before it is settled.
PHASES_FIXED = {"proposed", "enacted", "final", "settled"}
REQUIRED_FIELDS = ("file", "format", "title", "publisher")
# Lists of a page's plan documents that the page prints without saying how many items they hold.
# A registry entry with ``plan_documents`` declares each count, so a dropped or extra item cannot
# publish silently (see ``landing.plan_landing``).
DECLARED_LISTS = {
    "project_areas": "project areas",
    "funding_scope_items": "funding scope items",
    "formulation_methods": "formulation methods",
    "budget_change_notes": "budget-change notes",
}
# The value of record (``marts.fct_budget_current``): the criteria that pick one figure per fiscal
# year × account × level among the sources, in the order they apply, and the authority of the
# phases. Ties on every criterion go to the file registered first and are marked as ties: a file
# name never decides. ``defaults.value_of_record`` in the registry states the rule; this is what
# applies when it does not.
VALUE_OF_RECORD_CRITERIA = ("precision", "phase", "publication_date")
PHASE_AUTHORITY = ("settled", "final", "supplementary", "enacted", "proposed")
# Fields of a control-totals file, which a registry entry's ``columns:`` may map headers to.
CONTROL_TOTAL_FIELDS = ("fiscal_year", "line", "amount", "unit", "precision", "stated_by", "phase")
CONTROL_TOTAL_FIELDS_IGNORED = "ignore"
# The longest name of one file or folder most file systems hold (Linux NAME_MAX, in bytes).
NAME_MAX_BYTES = 255


@dataclass(frozen=True)
class DeclaredCount:
    """How many items a list on the page holds, as people counted it, and on what basis."""

    list_name: str  # a key of DECLARED_LISTS
    count: int
    basis: str


@dataclass(frozen=True)
class RawSource:
    """A registered raw file and what the registry says about it."""

    file: str
    path: Path
    format: str
    title: str
    publisher: str
    phase: str
    is_phase_default: bool
    note: str | None
    years: tuple[int, ...] | None = None  # the fiscal years the file must cover, when registered
    # Set when the page carries the plan documents: list name → its declared count.
    declared_counts: dict[str, DeclaredCount] | None = None
    publication_date: dt.date | None = None
    unit: str | None = None  # the unit to read amounts in when the file states none
    # A mismatch between this file and another source (or its control totals) blocks publishing.
    blocking_comparisons: bool = False
    table: str | None = None  # which sheet (name) or HTML table (number) holds the budget table
    # The text encoding of a CSV or HTML file when detection gets it wrong (``cp949``, ``utf-16``).
    encoding: str | None = None
    allow_symlink: bool = False  # the entry may be a symbolic link (to a file inside data_raw/)
    registry_order: int = 0  # the entry's number in sources.yml (1 = first): breaks exact ties
    # A comparison finding this file off by a power of ten (a unit slip) is reported, not blocking.
    allow_unit_mismatch: bool = False
    # Control totals only: the file's own headers → the fields (``CONTROL_TOTAL_FIELDS``), and the
    # budget line every row states when the file has no line column.
    columns: dict[str, str] | None = None
    line: str | None = None
    # Provenance, where known: the address it was published at and the terms it is published
    # under, as the publisher states them.
    url: str | None = None
    licence: str | None = None
    # Local budget books only: the government whose book it is (its 지방재정365 code).
    government: str | None = None

    @property
    def has_plan_documents(self) -> bool:
        return self.declared_counts is not None


@dataclass(frozen=True)
class LineFileEntry:
    """A file of budget lines in a publisher's layout (``line_files:`` in the registry): its
    profile (``data_raw/profiles/<profile>.yml``) and the unit of its amounts, declared."""

    file: str  # inside data_raw/, e.g. budget_lines/2016/detail_2016.csv
    profile: str
    unit: str
    publication_date: dt.date | None = None
    url: str | None = None
    licence: str | None = None
    note: str | None = None


LINE_FILES = "line_files"


def line_file_entries(raw_dir: Path) -> dict[str, LineFileEntry]:
    """``line_files:`` of the registry, by file; a file not listed is in the warehouse's own
    layout. Each entry names its profile and declares its unit (never guessed: an entry without
    one is refused, saying where to declare it)."""
    where, document = _read_document(raw_dir)
    entries = document.get(LINE_FILES) or []
    if not isinstance(entries, list):
        raise SourceError(where, LINE_FILES, "a list of line files", repr(entries))
    found: dict[str, LineFileEntry] = {}
    for number, entry in enumerate(entries, start=1):
        place = f"entry {number} under '{LINE_FILES}'"
        if not isinstance(entry, dict) or not entry.get("file") or not entry.get("profile"):
            raise SourceError(where, place, "file and profile", repr(entry))
        file = str(entry["file"])
        if not entry.get("unit"):
            raise SourceError(
                where,
                place,
                f"the unit of {file}'s amounts, declared: `unit: 천원` (or 원, 백만원, 억원 …) "
                f"under this entry in {where}",
                "no unit",
            )
        confined_path(raw_dir, file, False, where, place)
        if file in found:
            raise SourceError(where, place, "each line file listed once", f"{file!r} twice")
        found[file] = LineFileEntry(
            file=file,
            profile=str(entry["profile"]),
            unit=str(entry["unit"]),
            publication_date=_parse_date(entry.get("publication_date"), where, place),
            url=_parse_url(entry.get("url"), where, place),
            licence=str(entry["licence"]) if entry.get("licence") else None,
            note=str(entry["note"]) if entry.get("note") else None,
        )
    return found


@dataclass(frozen=True)
class ValueOfRecordRule:
    """How ``marts.fct_budget_current`` picks one figure among several sources (see README)."""

    criteria: tuple[str, ...] = VALUE_OF_RECORD_CRITERIA
    phase_authority: tuple[str, ...] = PHASE_AUTHORITY


@dataclass(frozen=True)
class RawFile:
    """A registered raw file's content, read once, with its checksum."""

    source: RawSource
    data: bytes
    sha256: str

    def text(self) -> str:
        """The content as UTF-8 text; a clear error where it is not."""
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = self.data[: error.start].count(b"\n") + 1
            raise SourceError(
                str(self.source.path),
                f"line {line}, byte {error.start}",
                "UTF-8 text",
                "invalid bytes",
            ) from error


def is_valid_phase(phase: str) -> bool:
    if phase in PHASES_FIXED:
        return True
    prefix, _, number = phase.partition("_")
    return prefix == "supplementary" and number.isdigit() and int(number) >= 1


def load_registry(raw_dir: Path) -> list[RawSource]:
    """Read ``sources.yml`` and check it against the files actually present."""
    sources, unregistered = read_registry(raw_dir)
    if unregistered:
        raise unregistered[0]
    return sources


def read_registry(raw_dir: Path) -> tuple[list[RawSource], list[SourceError]]:
    """The registered sources, and one error per file of the folder that has no entry.

    A broken registry raises; unregistered files are returned, so that ingest can name every
    file it rejects rather than the first.
    """
    where, document = _read_document(raw_dir)
    defaults = document.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise SourceError(where, "defaults", "a mapping (phase, value_of_record)", repr(defaults))
    default_phase = defaults.get("phase")
    value_of_record(raw_dir, document)  # a broken rule stops the run at ingest, named

    sources: list[RawSource] = []
    for number, entry in enumerate(document["sources"], start=1):
        place = f"entry {number} under 'sources'"
        if not isinstance(entry, dict):
            raise SourceError(where, place, "a mapping of fields", repr(entry))
        missing = [name for name in REQUIRED_FIELDS if not entry.get(name)]
        if missing:
            raise SourceError(
                where, place, f"the fields {', '.join(REQUIRED_FIELDS)}", f"no {', '.join(missing)}"
            )
        if not isinstance(entry["format"], str) or entry["format"] not in FORMATS:
            raise SourceError(
                where, place, f"format one of {sorted(FORMATS)}", repr(entry["format"])
            )
        phase = entry.get("phase") or default_phase
        if not phase or not is_valid_phase(str(phase)):
            raise SourceError(
                where,
                place,
                "phase proposed, enacted, supplementary_<n>, final or settled (or defaults.phase)",
                repr(phase),
            )
        years = _parse_years(entry.get("years"), where, place)
        declared_counts = _parse_plan_documents(entry.get("plan_documents"), where, place)
        publication_date = _parse_date(entry.get("publication_date"), where, place)
        blocking = entry.get("blocking_comparisons", False)
        if not isinstance(blocking, bool):
            raise SourceError(
                where, f"{place}, blocking_comparisons", "true or false", repr(blocking)
            )
        table = entry.get("table", entry.get("sheet"))
        encoding = _parse_encoding(entry.get("encoding"), where, place)
        allow_symlink = entry.get("allow_symlink", False)
        if not isinstance(allow_symlink, bool):
            raise SourceError(
                where, f"{place}, allow_symlink", "true or false", repr(allow_symlink)
            )
        path = confined_path(raw_dir, str(entry["file"]), allow_symlink, where, place)
        allow_unit_mismatch = entry.get("allow_unit_mismatch", False)
        if not isinstance(allow_unit_mismatch, bool):
            raise SourceError(
                where, f"{place}, allow_unit_mismatch", "true or false", repr(allow_unit_mismatch)
            )
        columns = _parse_columns(entry, where, place)
        url = _parse_url(entry.get("url"), where, place)
        government = _parse_government(entry, where, place)
        sources.append(
            RawSource(
                file=str(entry["file"]),
                path=path,
                format=str(entry["format"]),
                title=str(entry["title"]),
                publisher=str(entry["publisher"]),
                phase=str(phase),
                is_phase_default=not entry.get("phase"),
                note=None if entry.get("note") is None else str(entry["note"]),
                years=years,
                declared_counts=declared_counts,
                publication_date=publication_date,
                unit=str(entry["unit"]) if entry.get("unit") else None,
                blocking_comparisons=blocking,
                table=None if table is None else str(table),
                encoding=encoding,
                allow_symlink=allow_symlink,
                registry_order=number,
                allow_unit_mismatch=allow_unit_mismatch,
                columns=columns,
                line=str(entry["line"]) if entry.get("line") else None,
                url=url,
                licence=str(entry["licence"]) if entry.get("licence") else None,
                government=government,
            )
        )
    return sources, _check_against_folder(raw_dir, sources, where)


def _parse_government(entry: dict, where: str, place: str) -> str | None:
    """``government:`` (a 지방재정365 code): required on a local budget book, refused elsewhere."""
    value = entry.get("government")
    is_book = entry["format"] == LOCAL_BUDGET_BOOK_FORMAT
    if value is None:
        if is_book:
            raise SourceError(
                where, place,
                "government: the 지방재정365 code of the local government whose book it is "
                "(dbt_project/seeds/ref_local_governments.csv), e.g. '4122000'", "none",
            )  # fmt: skip
        return None
    if not is_book:
        raise SourceError(
            where, f"{place}, government", f"government only on a {LOCAL_BUDGET_BOOK_FORMAT}",
            repr(value),
        )  # fmt: skip
    if not isinstance(value, str) or not GOVERNMENT_CODE.fullmatch(value):
        raise SourceError(
            where, f"{place}, government", "a code of seven digits, quoted ('4122000')", repr(value)
        )
    return value


def _parse_encoding(value: object, where: str, place: str) -> str | None:
    """``encoding: cp949`` (any name Python's codecs know) or absent."""
    if value is None:
        return None
    try:
        return codecs.lookup(str(value)).name
    except LookupError:
        raise SourceError(
            where,
            f"{place}, encoding",
            "a text encoding such as utf-8, cp949, euc-kr or utf-16",
            repr(value),
        ) from None


def confined_path(raw_dir: Path, file: str, allow_symlink: bool, where: str, place: str) -> Path:
    """The path of a registry entry's ``file``, once it is known to lie inside ``raw_dir``.

    Checked before anything is opened (names and links only): an absolute path, a ``..`` or a
    symbolic link could make a run read, and then quote in its messages, any file of the machine.
    A link anywhere on the way is refused unless the entry says ``allow_symlink: true``, and even
    then its target must lie inside ``raw_dir``.
    """
    place = f"{place}, file {file!r}"
    inside = f"a file name inside {raw_dir}"
    if "\x00" in file:
        raise SourceError(where, place, inside, "a NUL character")
    relative = Path(file)
    if relative.is_absolute():
        raise SourceError(where, place, inside, "an absolute path")
    if ".." in relative.parts:
        raise SourceError(where, place, inside, "'..' (a path leading out of the folder)")
    longest = max(
        (len(part.encode("utf-8", "surrogatepass")) for part in relative.parts), default=0
    )
    if longest > NAME_MAX_BYTES:
        raise SourceError(
            where, place, f"{inside}, each name of at most {NAME_MAX_BYTES} bytes (the file "
            "system's limit)", f"a name of {longest:,} bytes",
        )  # fmt: skip
    root = raw_dir.resolve()
    path = raw_dir / relative
    try:
        resolved = path.resolve()
    except (OSError, ValueError) as error:  # a path too long, a character no file name holds
        raise SourceError(where, place, inside, f"a path that cannot be opened ({error})") from None
    if not resolved.is_relative_to(root):
        raise SourceError(where, place, inside, f"a symbolic link leading out of it ({resolved})")
    if resolved != root / relative and not allow_symlink:
        raise SourceError(
            where,
            place,
            f"{inside}, not a symbolic link (add 'allow_symlink: true' to the entry to follow "
            "one that points inside the folder)",
            "a symbolic link",
        )
    return path


def _read_document(raw_dir: Path) -> tuple[str, dict]:
    """The registry as YAML, checked to have a list under ``sources``; its path for messages."""
    registry_path = raw_dir / REGISTRY_NAME
    where = str(registry_path)
    if not registry_path.is_file():
        raise SourceError(where, "whole file", "a source registry next to the raw files", "none")
    try:
        # Bounded before PyYAML builds anything: size, aliases, nesting (core.limits).
        limits.check("YAML_BYTES", registry_path.stat().st_size, where, "whole file")
        text = utf8_text(registry_path.read_bytes(), where)
        document = limits.safe_load_yaml(text, where) or {}
    except yaml.YAMLError as error:
        raise SourceError(where, "whole file", "valid YAML", str(error).splitlines()[0]) from error
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        raise SourceError(where, "top level", "a mapping with a list under 'sources'")
    return where, document


def utf8_text(data: bytes, where: str) -> str:
    """``data`` as UTF-8 (a byte-order mark allowed), or a refusal naming the line and byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceError(
            where,
            f"line {line}, byte {error.start}",
            "UTF-8 text",
            f"bytes {data[error.start : error.start + 4].hex(' ')} ({error.reason})",
        ) from None


def value_of_record(raw_dir: Path, document: dict | None = None) -> ValueOfRecordRule:
    """``defaults.value_of_record`` of the registry: ``criteria`` (an order of ``precision``,
    ``phase``, ``publication_date``, each once) and ``phase_authority`` (``settled``, ``final``,
    ``supplementary``, ``enacted``, ``proposed`` in an order, most authoritative first). Either
    left out means the documented default (``VALUE_OF_RECORD_CRITERIA``, ``PHASE_AUTHORITY``)."""
    where = str(raw_dir / REGISTRY_NAME)
    if document is None:
        where, document = _read_document(raw_dir)
    defaults = document.get("defaults") or {}
    rule = defaults.get("value_of_record") if isinstance(defaults, dict) else None
    if rule is None:
        return ValueOfRecordRule()
    place = "defaults, value_of_record"
    if not isinstance(rule, dict) or set(rule) - {"criteria", "phase_authority"}:
        raise SourceError(
            where, place, "a mapping with 'criteria' and/or 'phase_authority'", repr(rule)
        )
    lists = {}
    for key, allowed in (
        ("criteria", VALUE_OF_RECORD_CRITERIA),
        ("phase_authority", PHASE_AUTHORITY),
    ):
        value = rule.get(key, list(allowed))
        if not isinstance(value, list) or sorted(map(str, value)) != sorted(allowed):
            raise SourceError(
                where, f"{place}, {key}", f"a list of {', '.join(allowed)}, each once", repr(value)
            )
        lists[key] = tuple(str(item) for item in value)
    return ValueOfRecordRule(lists["criteria"], lists["phase_authority"])


def _parse_columns(entry: dict, where: str, place: str) -> dict[str, str] | None:
    """``columns: {<header in the file>: <field>}`` of a control-totals entry, or absent."""
    value = entry.get("columns")
    if value is None:
        return None
    place = f"{place}, columns"
    fields = (*CONTROL_TOTAL_FIELDS, "note", CONTROL_TOTAL_FIELDS_IGNORED)
    if entry.get("format") != CONTROL_TOTALS_FORMAT:
        raise SourceError(where, place, "columns only on a control_totals entry", repr(value))
    if not isinstance(value, dict) or not all(
        isinstance(header, str) and field in fields for header, field in value.items()
    ):
        raise SourceError(
            where, place, f"a mapping of the file's headers to {', '.join(fields)}", repr(value)
        )
    targets = [field for field in value.values() if field != CONTROL_TOTAL_FIELDS_IGNORED]
    if len(set(targets)) != len(targets):
        raise SourceError(where, place, "each field mapped from one header", repr(value))
    return {" ".join(header.split()): field for header, field in value.items()}


URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
URL_MAX_LENGTH = 2_000


def _parse_url(value: object, where: str, place: str) -> str | None:
    """``url: https://…`` (an http or https address, nothing else: it becomes a link in the
    report) or absent."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > URL_MAX_LENGTH or not URL.fullmatch(text):
        raise SourceError(
            where, f"{place}, url", "an http:// or https:// address without spaces", repr(value)
        )
    return text


def _parse_date(value: object, where: str, place: str) -> dt.date | None:
    """``publication_date: 2020-12-02`` (YAML reads it as a date) or absent."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise SourceError(
            where, f"{place}, publication_date", "a date such as 2020-12-02", repr(value)
        ) from error


def _parse_years(value: object, where: str, place: str) -> tuple[int, ...] | None:
    """``years: 2015-2020`` (a range of fiscal years) or absent."""
    if value is None:
        return None
    match = re.fullmatch(r"\s*([0-9]{4})\s*-\s*([0-9]{4})\s*", str(value))
    if not match or int(match[1]) > int(match[2]):
        raise SourceError(where, place, "years as a range such as 2015-2020", repr(value))
    return tuple(range(int(match[1]), int(match[2]) + 1))


def _parse_plan_documents(value: object, where: str, place: str) -> dict[str, DeclaredCount] | None:
    """``plan_documents: {declared_counts: {<list>: {count: <n>, basis: <text>}, ...}}`` or absent.

    Every list in ``DECLARED_LISTS`` needs a positive integer count and the basis it rests on.
    """
    if value is None:
        return None
    place = f"{place}, plan_documents"
    counts = value.get("declared_counts") if isinstance(value, dict) else None
    if not isinstance(counts, dict):
        raise SourceError(where, place, "a mapping with 'declared_counts' under it", repr(value))
    unknown = sorted(set(map(str, counts)) - set(DECLARED_LISTS))
    missing = [name for name in DECLARED_LISTS if name not in counts]
    if unknown or missing:
        raise SourceError(
            where,
            f"{place}, declared_counts",
            f"a count for each of {', '.join(DECLARED_LISTS)}",
            ", ".join(
                [f"unknown {name!r}" for name in unknown] + [f"no {name!r}" for name in missing]
            ),
        )
    declared = {}
    for name, item in counts.items():
        count = item.get("count") if isinstance(item, dict) else None
        basis = item.get("basis") if isinstance(item, dict) else None
        # bool is an int in Python: `count: yes` must not pass as 1.
        if not isinstance(count, int) or isinstance(count, bool) or count < 1 or not basis:
            raise SourceError(
                where,
                f"{place}, declared_counts, {name}",
                "a positive integer 'count' and the 'basis' it rests on",
                repr(item),
            )
        declared[name] = DeclaredCount(
            list_name=name, count=count, basis=" ".join(str(basis).split())
        )
    return declared


def _check_against_folder(raw_dir: Path, sources: list[RawSource], where: str) -> list[SourceError]:
    registered = [source.file for source in sources]
    duplicates = sorted({name for name in registered if registered.count(name) > 1})
    if duplicates:
        raise SourceError(where, f"file {duplicates[0]!r}", "each file registered once", "twice")
    for source in sources:
        if not _is_file(source.path):
            raise SourceError(
                where,
                f"file {source.file!r}",
                f"the registered file to exist in {raw_dir}",
                "no such file",
            )
    present = sorted(
        path.name
        for path in raw_dir.iterdir()
        if path.is_file() and path.name not in NOT_SOURCES and not path.name.startswith(".")
    )
    books = raw_dir / LOCAL_BOOKS_FOLDER
    if books.is_dir() and not books.is_symlink():
        present += sorted(
            f"{LOCAL_BOOKS_FOLDER}/{path.name}"
            for path in books.iterdir()
            if path.is_file() and not path.name.startswith(".")
        )
    return [_unregistered(raw_dir, name, where) for name in present if name not in registered]


def _unregistered(raw_dir: Path, name: str, where: str) -> SourceError:
    """The error for a file nobody registered, ending in an entry to paste under ``sources:``.

    The entry is a clean YAML block on lines of its own (no prose on them), and the file name is
    quoted whenever YAML would read it otherwise, so a copy-paste registers exactly this file.
    """
    plain = _plain_yaml(name)
    is_book = name.startswith(f"{LOCAL_BOOKS_FOLDER}/")
    entry = (
        f"  - file: {name if plain else json.dumps(name, ensure_ascii=False)}\n"
        f"    format: {LOCAL_BUDGET_BOOK_FORMAT if is_book else _format_guess(name)}\n"
        + ("    government: '<지방재정365 code, ref_local_governments.csv>'\n" if is_book else "")
        + "    title: <title as published>\n"
        "    publisher: <publisher>\n"
        "    publication_date: <YYYY-MM-DD>\n"
        "    url: <https://… where it is published>\n"
        "    licence: <the terms it is published under>\n"
        + ("" if is_book else "    phase: enacted")
    ).rstrip("\n")
    return SourceError(
        str(raw_dir / name),
        "whole file",
        f"an entry in {where} describing it",
        "an unregistered file",
        hint=f"Add an entry such as this one under 'sources:' in {where}:\n{entry}",
    )


def _plain_yaml(name: str) -> bool:
    try:
        return yaml.safe_load(f"file: {name}") == {"file": name}
    except (yaml.YAMLError, ValueError):  # a name YAML reads as an impossible date: quote it
        return False


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; False for a path the file system cannot even look up."""
    try:
        return path.is_file()
    except OSError:
        return False


def _format_guess(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return {".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}.get(
        suffix, "page_text  # or csv, xlsx, html, control_totals"
    )


def read_source(source: RawSource) -> RawFile:
    """Read the whole file once; its checksum is computed from the same bytes that are parsed."""
    data = read_regular_file(source.path, source.allow_symlink)
    if not data.strip():
        raise SourceError(str(source.path), "whole file", "content", "an empty or blank file")
    return RawFile(source=source, data=data, sha256=hashlib.sha256(data).hexdigest())


def read_regular_file(path: Path, allow_symlink: bool = False) -> bytes:
    """The bytes of a file of the raw folder, within the size limit, checked before reading.

    Without ``allow_symlink`` the file is opened without following a link (a link put in place
    after the registry was checked is refused by the kernel, not read).
    """
    flags = os.O_RDONLY | (0 if allow_symlink else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise SourceError(
            str(path), "whole file", "a regular file inside the raw folder", error.strerror
        ) from error
    with os.fdopen(descriptor, "rb") as handle:
        limits.check("FILE_BYTES", os.fstat(handle.fileno()).st_size, str(path), "whole file")
        return handle.read()
