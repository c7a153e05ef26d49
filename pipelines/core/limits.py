"""Every limit on what a raw file may make a parser allocate, in one place, checked before parsing.

A hostile or broken file can make a reader build far more than its bytes suggest: a workbook whose
sheet declares a merged range of the whole sheet, one cell at ``XFD1048576`` (openpyxl walks every
row and column up to it), an HTML cell with ``rowspan=1000000``, a CSV line of 100,000 fields, a
YAML registry of nested aliases. Each check here looks at the file with a bounded, streaming pass
(the zip directory, the XML parts event by event, the bytes line by line, the YAML events) and
refuses it with a ``LimitError`` naming the file, the limit, the value found and how to raise it,
before openpyxl, ``lxml.html``, ``csv`` or PyYAML builds anything.

Each limit has a default generous for a published budget table and is raised with the environment
variable ``BND_LIMIT_<NAME>`` (a whole number; ``BND_LIMIT_TABLE_CELLS=1000000``). Limits are
settings of the machine that runs the build, not of the data: a registry ``limits:`` section would
let the untrusted files being checked raise their own limits, and the registry itself must be
checked before it is read.
"""

from __future__ import annotations

import codecs
import io
import lzma
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any, cast

from pipelines.core.errors import SourceError

ENV_PREFIX = "BND_LIMIT_"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    name: str  # BND_LIMIT_<name>
    default: int
    what: str  # "<limit> <what>": "at most 1,000 fields on a line"
    applies_to: str  # for the message of a bad setting

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name

    @property
    def value(self) -> int:
        """The limit in force: the environment variable when set, else the default."""
        text = os.environ.get(self.env)
        if text is None or not text.strip():
            return self.default
        try:
            value = int(text.strip().replace(",", "").replace("_", ""))
        except ValueError:
            value = 0
        if value < 1:
            raise LimitSettingError(
                f"{self.env}={text!r}: expected a positive whole number (the default is "
                f"{self.default:,}: at most {self.default:,} {self.what}, in {self.applies_to})"
            )
        return value


# The registry, and any other YAML the pipeline reads (through ``safe_load_yaml``).
YAML_APPLIES = "the registry sources.yml and any YAML read with limits.safe_load_yaml"


class LimitSettingError(ValueError):
    """A ``BND_LIMIT_*`` environment variable that is not a positive whole number."""


LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        Limit(
            "FILE_BYTES",
            64 * MIB,
            "bytes in a file",
            "every file registered in sources.yml (read whole before parsing)",
        ),
        Limit("LINE_BYTES", 64 * 1024, "bytes on a line", "CSV files"),
        Limit("FIELDS_PER_LINE", 1_000, "fields on a line", "CSV files"),
        Limit(
            "TABLE_CELLS",
            250_000,
            "cells in a table",
            "CSV fields in the file, cells of an HTML table with its spans expanded, "
            "cells present in a worksheet",
        ),
        Limit(
            "SHEET_AREA",
            250_000,
            "cells spanned by a worksheet (rows × columns)",
            "a worksheet's declared <dimension> and its highest cell reference",
        ),
        Limit(
            "MERGED_CELLS",
            250_000,
            "cells covered by merged ranges in a worksheet",
            "the sum of the areas of a worksheet's <mergeCell> ranges",
        ),
        Limit("HTML_SPAN", 1_000, "as a rowspan or colspan", "HTML table cells"),
        Limit("XLSX_PART_BYTES", 64 * MIB, "bytes uncompressed in one part", "XLSX zip parts"),
        Limit("XLSX_TOTAL_BYTES", 256 * MIB, "bytes uncompressed in all parts", "XLSX files"),
        Limit(
            "XLSX_ZIP_RATIO",
            100,
            "times compressed (uncompressed / compressed size)",
            f"XLSX zip parts larger than {1 * MIB:,} bytes uncompressed",
        ),
        Limit("XLSX_SHARED_STRINGS", 100_000, "shared strings", "an XLSX sharedStrings part"),
        Limit(
            "XLSX_SHARED_STRINGS_BYTES",
            16 * MIB,
            "bytes uncompressed in the shared-strings part",
            "an XLSX sharedStrings part",
        ),
        Limit("YAML_BYTES", 1 * MIB, "bytes of YAML", YAML_APPLIES),
        Limit("YAML_ALIASES", 100, "aliases (*name)", YAML_APPLIES),
        Limit(
            "YAML_NODES",
            100_000,
            "nodes with every alias expanded",
            YAML_APPLIES,
        ),
        Limit("YAML_DEPTH", 32, "levels of nesting", YAML_APPLIES),
        # The Open Fiscal Data API's answer has ~20 keys per record, 6 levels of nesting and
        # amounts of at most 13 digits (천원): these leave room for any genuine answer and refuse
        # a key bomb (40,000 records of distinct keys make a 40,000-column table) or a parser
        # bomb (200,000 nested arrays, a 5,000-digit integer) before a row is built.
        Limit("JSON_KEYS_PER_RECORD", 1_000, "keys in a record", "JSON line files"),
        Limit(
            "JSON_KEYS_PER_FILE",
            1_000,
            "distinct keys in the records of a file (its columns)",
            "JSON line files",
        ),
        Limit("JSON_DEPTH", 32, "levels of nesting", "JSON line files"),
        Limit("JSON_NUMBER_DIGITS", 100, "digits in a number", "JSON line files"),
    )
}
# Below this size a zip part's compression ratio is not checked (a small part of repeated bytes
# compresses very well and costs nothing to inflate).
RATIO_GRACE_BYTES = 1 * MIB


class LimitError(SourceError):
    """A file refused by a limit before any parser read it; says how to raise the limit."""

    def __init__(self, file: str, place: str, limit: Limit, found: int, detail: str = "") -> None:
        self.limit = limit
        self.value = found
        super().__init__(
            file,
            place,
            f"at most {limit.value:,} {limit.what} (limit {limit.name})",
            f"{found:,}{detail}; if the file is genuine, raise the limit with the environment "
            f"variable {limit.env}=<number> (now {limit.value:,})",
        )


def check(limit_name: str, found: int, file: str, place: str, detail: str = "") -> None:
    """Raise ``LimitError`` when ``found`` exceeds the limit ``limit_name``."""
    limit = LIMITS[limit_name]
    if found > limit.value:
        raise LimitError(file, place, limit, found, detail)


# --- CSV and text ------------------------------------------------------------------------------


_LINE = re.compile(rb"[^\n]*\n?")


def check_csv(data: bytes, file: str) -> None:
    """File size, line length, fields per line and fields in the file, in one pass over the bytes.

    Fields are counted as separators + 1 for the commonest of ``,``, ``;`` and tab on the line, so
    a separator inside quotes counts too: an upper bound of what ``csv`` would make of the line.
    """
    check("FILE_BYTES", len(data), file, "whole file")
    max_line, max_fields = LIMITS["LINE_BYTES"].value, LIMITS["FIELDS_PER_LINE"].value
    max_cells = LIMITS["TABLE_CELLS"].value
    cells = 0
    for number, match in enumerate(_LINE.finditer(data), start=1):
        start, end = match.span()
        if start == end:
            break
        line = data[start:end]
        fields = max(line.count(b","), line.count(b";"), line.count(b"\t")) + 1
        if fields > max_fields:
            check("FIELDS_PER_LINE", fields, file, f"line {number}")
        if len(line) > max_line:
            check("LINE_BYTES", len(line), file, f"line {number}")
        cells += fields
        if cells > max_cells:
            check("TABLE_CELLS", cells, file, f"lines 1–{number}", " fields so far")


# --- HTML --------------------------------------------------------------------------------------


def check_html(data: bytes, file: str) -> None:
    """Every ``rowspan``/``colspan`` and the cells each table would expand to, streamed.

    ``lxml``'s HTML parser is driven event by event and each element is dropped once seen, so a
    page costs memory for its open elements only. A table's cells are counted as the sum of
    ``colspan × rowspan`` of its ``td``/``th`` (an upper bound of the grid the reader builds).
    """
    from lxml import etree

    check("FILE_BYTES", len(data), file, "whole file")
    max_span, max_cells = LIMITS["HTML_SPAN"].value, LIMITS["TABLE_CELLS"].value
    tables: list[list[int]] = []  # open tables: [number, cells so far]
    number = 0
    # huge_tree: without it the pull parser stops, silently, at a text node of more than
    # 10,000,000 characters, while the reader (lxml.html on the whole text) reads on, so a table
    # behind one would never be counted. An HTML parser expands no entities, and FILE_BYTES has
    # bounded the input: lifting the parser's own limits costs no more than the file.
    parser = etree.HTMLPullParser(
        events=("start", "end"), no_network=True, remove_comments=True, huge_tree=True
    )
    for chunk in _chunks(data):
        parser.feed(chunk)
        for event, element in parser.read_events():
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start":
                if tag == "table":
                    number += 1
                    tables.append([number, 0])
                elif tag in ("td", "th") and tables:
                    spans = []
                    for attribute in ("colspan", "rowspan"):
                        span = _span_value(element.get(attribute))
                        if span > max_span:
                            check(
                                "HTML_SPAN",
                                span,
                                file,
                                f"table {tables[-1][0]}, line {element.sourceline}",
                                f" ({attribute})",
                            )
                        spans.append(span)
                    tables[-1][1] += spans[0] * spans[1]
                    if tables[-1][1] > max_cells:
                        check(
                            "TABLE_CELLS",
                            tables[-1][1],
                            file,
                            f"table {tables[-1][0]} (up to line {element.sourceline})",
                            " cells so far, spans expanded",
                        )
            else:
                if tag == "table" and tables:
                    tables.pop()
                if tag in ("td", "th", "tr", "table"):
                    _drop(element)
    parser.close()


def _span_value(text: str | None) -> int:
    """A span as the reader takes it: the leading digits (``"3;"`` is 3), 1 when absent."""
    match = re.match(r"\s*\+?(\d+)", text or "")
    return int(match[1]) if match else 1


def _chunks(data: bytes, size: int = 1 * MIB) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _drop(element: Any) -> None:
    """Free an element seen to the end, and the siblings before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# --- XLSX --------------------------------------------------------------------------------------

_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def _ref_position(ref: str) -> tuple[int, int] | None:
    """``"C7"`` → (row 7, column 3); None when it is no cell reference."""
    match = _CELL_REF.fullmatch(ref.strip())
    if not match:
        return None
    column = 0
    for letter in match[1].upper():
        column = column * 26 + ord(letter) - 64
    return int(match[2]), column


def _range_area(ref: str) -> int:
    """Cells a range ``A1:C3`` (or one cell ``B2``) covers; 0 for text that is no range."""
    first, _, last = ref.partition(":")
    start, end = _ref_position(first), _ref_position(last or first)
    if start is None or end is None:
        return 0
    return (abs(end[0] - start[0]) + 1) * (abs(end[1] - start[1]) + 1)


def _range_end(ref: str) -> tuple[int, int]:
    first, _, last = ref.partition(":")
    positions = [p for p in (_ref_position(first), _ref_position(last or first)) if p]
    return (
        max((p[0] for p in positions), default=0),
        max((p[1] for p in positions), default=0),
    )


def check_xlsx(data: bytes, file: str) -> None:
    """The zip directory, then every XML part streamed, before openpyxl loads anything.

    The directory gives each part's uncompressed size and its compression ratio (a zip bomb shows
    there). Each XML part is then streamed with entity expansion, DTDs and the network off, and
    read only up to its declared size: a worksheet's declared ``<dimension>``, the highest cell
    reference of its ``<c>`` cells, the count of its cells and the area of its ``<mergeCell>``
    ranges; the shared-strings part's declared ``count`` and its ``<si>`` strings.
    """
    check("FILE_BYTES", len(data), file, "whole file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip archive: the reader names it as a damaged workbook
    total = 0
    for member in members:
        place = f"part {member.filename!r}"
        if _is_shared_strings(member.filename):
            check("XLSX_SHARED_STRINGS_BYTES", member.file_size, file, place)
        if member.file_size > RATIO_GRACE_BYTES:
            ratio = member.file_size // max(member.compress_size, 1)
            check(
                "XLSX_ZIP_RATIO",
                ratio,
                file,
                place,
                f" ({member.file_size:,} bytes from {member.compress_size:,})",
            )
        check("XLSX_PART_BYTES", member.file_size, file, place)
        total += member.file_size
        check("XLSX_TOTAL_BYTES", total, file, "all parts", " so far")
    for member in members:
        if not member.is_dir():
            _scan_part(archive, member, file)


def _is_shared_strings(name: str) -> bool:
    return name.lower().rsplit("/", 1)[-1].startswith("sharedstrings")


_SCANNED = ("c", "row", "dimension", "mergeCell", "si")
_NO_DTD = "an XML part without a DTD (workbook parts have none)"
_SST_COUNT = re.compile(rb"<(?:\w+:)?sst\b[^>]*?\b(count|uniqueCount)\s*=\s*[\"'](\d+)")


def _scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, file: str) -> None:
    """Stream one XML part: its cells, dimension, merged ranges and shared strings.

    Only the end of the elements counted is reported to Python (lxml filters the rest in C), and
    each is dropped once counted, so memory holds one row at a time.
    """
    from lxml import etree

    place = f"part {member.filename!r}"
    cells = merged = strings = 0
    last_row = last_column = 0
    max_cells, max_merged = LIMITS["TABLE_CELLS"].value, LIMITS["MERGED_CELLS"].value
    max_area, max_strings = LIMITS["SHEET_AREA"].value, LIMITS["XLSX_SHARED_STRINGS"].value
    try:
        with archive.open(member) as raw:
            # zipfile stops at the size the directory declares (and fails the CRC after it).
            stream = io.BufferedReader(cast(zipfile.ZipExtFile, raw), 64 * 1024)
            head = stream.peek(4096)[:4096]
            if not head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<"):
                return  # not XML (an image, a binary part), whatever its name says
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise SourceError(file, place, _NO_DTD, "one")
            for match in _SST_COUNT.finditer(head):
                attribute = match[1].decode()
                check(
                    "XLSX_SHARED_STRINGS",
                    int(match[2]),
                    file,
                    f"{place}, <sst {attribute}>",
                    " declared",
                )
            events = etree.iterparse(
                stream,
                events=("end",),
                tag=[f"{{*}}{name}" for name in _SCANNED],
                resolve_entities=False,
                load_dtd=False,
                no_network=True,
                huge_tree=False,
                remove_comments=True,
            )
            for _, element in events:
                name = element.tag.rpartition("}")[2]
                if name == "c":
                    cells += 1
                    if cells > max_cells:
                        check("TABLE_CELLS", cells, file, place, " cells so far")
                    position = _ref_position(element.get("r") or "")
                    if position is not None and (
                        position[0] > last_row or position[1] > last_column
                    ):
                        last_row = max(last_row, position[0])
                        last_column = max(last_column, position[1])
                        if last_row * last_column > max_area:
                            check(
                                "SHEET_AREA",
                                last_row * last_column,
                                file,
                                f"{place}, cell {element.get('r')}",
                                f" (the highest cell reference spans {last_row:,} rows × "
                                f"{last_column:,} columns)",
                            )
                elif name == "dimension":
                    ref = element.get("ref") or ""
                    rows, columns = _range_end(ref)
                    check(
                        "SHEET_AREA",
                        rows * columns,
                        file,
                        f"{place}, <dimension ref={ref[:40]!r}>",
                        f" (declared: {rows:,} rows × {columns:,} columns)",
                    )
                elif name == "mergeCell":
                    ref = element.get("ref") or ""
                    merged += _range_area(ref)
                    if merged > max_merged:
                        check(
                            "MERGED_CELLS",
                            merged,
                            file,
                            f"{place}, <mergeCell ref={ref[:40]!r}>",
                            " merged cells so far",
                        )
                elif name == "si":
                    strings += 1
                    if strings > max_strings:
                        check("XLSX_SHARED_STRINGS", strings, file, place, " strings so far")
                if name != "c":  # a cell is dropped with its row
                    _drop(element)
            if events.root is not None and events.root.getroottree().docinfo.doctype:
                # A DTD past the first 4 KiB, after a long comment: harmless to this scan (it
                # resolves and loads nothing), but openpyxl's parser would expand its entities.
                raise SourceError(file, place, _NO_DTD, "one")
    except (zlib.error, lzma.LZMAError, NotImplementedError, RuntimeError) as error:
        # Data zipfile cannot inflate (damaged deflate data, a compression method or an
        # encryption it does not know): no reader could use the part, so it is named here.
        raise SourceError(
            file,
            place,
            "a part stored or compressed as a spreadsheet program writes it (unencrypted)",
            f"{type(error).__name__}: {error}",
        ) from None
    except (etree.XMLSyntaxError, OSError, zipfile.BadZipFile, EOFError, ValueError) as error:
        if isinstance(error, SourceError):
            raise
        codes = (etree.ErrorTypes.ERR_RESOURCE_LIMIT, etree.ErrorTypes.ERR_NAME_TOO_LONG)
        if isinstance(error, etree.XMLSyntaxError) and error.code in codes:
            # lxml stops at its own limits (huge_tree=False keeps them, and with them the check
            # of entity expansion) where openpyxl, reading with the standard library, goes on:
            # the rest of the part would reach openpyxl unchecked.
            raise SourceError(
                file,
                place,
                "an XML part within the XML parser's own limits (entities expanded at most a "
                "few times their size, 256 levels of elements, 10,000,000 characters in a text)",
                str(error),
            ) from None
        # A damaged part: openpyxl names it when it reads the file; nothing was built here.
        return


# --- JSON --------------------------------------------------------------------------------------

# A JSON string with its escapes, or one never closed (to the end of the text): a match from
# every quote, so the scan stays linear (a string failing to close would be tried again from
# each quote inside it: "\"\"\"… without an end took minutes). Then, a string or a bracket.
_JSON_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)'
_JSON_STRINGS = re.compile(_JSON_STRING, re.DOTALL)
_JSON_STRING_OR_BRACKET = re.compile(_JSON_STRING + r"|[\[\]{}]", re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_NOT_DIGITS = str.maketrans("", "", "+-.eE")


def check_json_depth(text: str, file: str, place: str = "") -> None:
    """Refuse JSON nested deeper than ``JSON_DEPTH``, from its brackets outside strings, before
    ``json.loads`` recurses into them (200,000 nested arrays raise ``RecursionError`` there).

    The strings are cut out and the brackets left are counted in C (``accumulate``); only a text
    over the limit is walked again, to name the line where it passes it. ``place`` prefixes the
    line ("inside its JSON string, ")."""
    limit = LIMITS["JSON_DEPTH"].value
    brackets = _NOT_BRACKETS.sub("", _JSON_STRINGS.sub("", text))
    deepest = max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)
    if deepest <= limit:
        return
    depth, line = 0, 1
    for match in _JSON_STRING_OR_BRACKET.finditer(text):
        depth += _BRACKET_STEP.get(match[0], 0)  # a string is never one character
        if depth > limit:
            line = text.count("\n", 0, match.start()) + 1
            break
    check("JSON_DEPTH", deepest, file, f"{place}line {line}", " (first passed on this line)")


def load_json(text: str, file: str, place: str = "") -> object:
    """``json.loads`` of ``text`` once bounded: its nesting (``check_json_depth``) and each
    number's digits (``JSON_NUMBER_DIGITS``), as the parser meets it.

    Numbers come back as the text the file prints: no digit is lost to a float, and no
    5,000-digit integer reaches ``int`` (which refuses it with a bare ``ValueError``). ``NaN`` and
    ``Infinity``, which are not JSON, are refused; so is text that is not JSON, by its line."""
    import json

    check_json_depth(text, file, place)
    max_digits = LIMITS["JSON_NUMBER_DIGITS"].value

    def number(printed: str) -> str:
        if len(printed) <= max_digits:  # the usual case, without counting
            return printed
        digits = len(printed.translate(_NOT_DIGITS))
        if digits > max_digits:
            line = text.count("\n", 0, max(text.find(printed), 0)) + 1
            check(
                "JSON_NUMBER_DIGITS",
                digits,
                file,
                f"{place}line {line}",
                f" (a number beginning {printed[:20]}…)",
            )
        return printed

    def constant(name: str) -> object:
        line = text.count("\n", 0, max(text.find(name), 0)) + 1
        raise SourceError(file, f"{place}line {line}", "a JSON number", repr(name))

    try:
        return json.loads(text, parse_int=number, parse_float=number, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise SourceError(
            file, f"{place}line {error.lineno}, column {error.colno}", "JSON", error.msg
        ) from None
    except RecursionError:
        raise SourceError(
            file,
            place.removesuffix(", ") or "whole file",
            "JSON nested no deeper than the parser reaches",
            f"deeper nesting (lower {LIMITS['JSON_DEPTH'].env})",
        ) from None


# --- YAML --------------------------------------------------------------------------------------


def check_yaml(text: str, file: str) -> None:
    """Refuse an alias bomb or deep nesting from the parser's events, before objects are built.

    ``yaml.parse`` streams events without composing nodes. Each anchored node's size and depth
    with its aliases expanded are remembered, so an alias counts for all it stands for: nine
    levels of ten aliases (a "billion laughs") are refused at the first level that passes
    ``YAML_NODES``, after a few hundred events.
    """
    import yaml

    check("YAML_BYTES", len(text.encode("utf-8")), file, "whole file")
    max_aliases, max_nodes = LIMITS["YAML_ALIASES"].value, LIMITS["YAML_NODES"].value
    max_depth = LIMITS["YAML_DEPTH"].value
    anchors: dict[str, tuple[int, int]] = {}  # anchor → (nodes expanded, levels from it down)
    stack: list[list] = []  # open collections: [anchor, nodes inside, levels from it down]
    aliases = nodes = 0

    def node(size: int, depth: int, anchor: str | None, line: int) -> None:
        """A whole node seen: ``size`` nodes expanded, ``depth`` levels below it."""
        nonlocal nodes
        nodes += size
        if nodes > max_nodes:
            check("YAML_NODES", nodes, file, f"line {line}", " so far, aliases expanded")
        if len(stack) + depth > max_depth:
            check("YAML_DEPTH", len(stack) + depth, file, f"line {line}", ", aliases expanded")
        if stack:
            stack[-1][1] += size
            stack[-1][2] = max(stack[-1][2], depth + 1)
        if anchor:
            anchors[anchor] = (size, depth)

    try:
        for event in yaml.parse(io.StringIO(text), Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > max_aliases:
                    check("YAML_ALIASES", aliases, file, f"line {line}", " so far")
                size, depth = anchors.get(event.anchor, (1, 0))
                node(size, depth, None, line)
            elif isinstance(event, yaml.ScalarEvent):
                node(1, 0, event.anchor, line)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                stack.append([event.anchor, 0, 1])  # a level itself, empty or not
                if len(stack) > max_depth:
                    check("YAML_DEPTH", len(stack), file, f"line {line}")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, inside, depth = stack.pop()
                nodes -= inside  # counted as they came; node() adds them back with this one
                node(inside + 1, depth, anchor, line)
    except yaml.YAMLError:
        return  # not valid YAML: the loader names the error and its place


def safe_load_yaml(text: str, file: str) -> object:
    """``yaml.safe_load`` after ``check_yaml``: the one way this project reads YAML it is given.

    Dates stay the text they are written in (``_text_dates_loader``): ``2015-02-30`` or
    ``0000-01-01`` would make YAML's timestamp constructor raise a bare ``ValueError``, and the
    fields that are dates are checked by those who read them (``publication_date``). A value an
    explicit tag cannot build (``!!int x``, ``!!int`` of nothing, ``!!bool maybe``) is refused
    by name."""
    import yaml

    check_yaml(text, file)
    try:
        return yaml.load(text, Loader=_text_dates_loader())  # a SafeLoader, dates as text
    except (ValueError, LookupError, TypeError, ArithmeticError) as error:  # !!int '', …
        raise SourceError(
            file,
            "whole file",
            "valid YAML",
            f"a value YAML cannot build ({type(error).__name__}: {error})",
        ) from None


@cache
def _text_dates_loader() -> type:
    """PyYAML's ``SafeLoader`` without its timestamp resolver: a date is read as its text."""
    import yaml

    timestamp = "tag:yaml.org,2002:timestamp"

    class TextDatesLoader(yaml.SafeLoader):
        pass

    TextDatesLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != timestamp]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    TextDatesLoader.add_constructor(timestamp, yaml.SafeLoader.construct_yaml_str)
    return TextDatesLoader
