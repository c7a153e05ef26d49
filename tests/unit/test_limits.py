"""Hostile files are refused by a declared limit before any reader builds the table.

Each test writes a small hostile file into ``tmp_path`` (the generators are those of
``bench/hostile.py``, which measures what each refusal costs) and reads it the way ingest does. The
refusal must be a ``LimitError`` (raised by ``core.limits`` before openpyxl, ``lxml.html``, ``csv``
or PyYAML build anything; a parser's own refusal is a plain ``SourceError``) whose message names the
file, the limit, the value found and the environment variable that raises it.
"""

from __future__ import annotations

import codecs
import functools
import io
import zipfile
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
import yaml

from bench import hostile
from pipelines.core import limits
from pipelines.core.errors import SourceError
from pipelines.core.limits import LIMITS, LimitError, LimitSettingError
from pipelines.landing.raw_landing import parse_source
from pipelines.sources.registry import RawSource, read_registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "budget_tables"
# Columns × rows of a whole worksheet: XFD is column 16,384.
WHOLE_SHEET = 16_384 * 1_048_576
CORNER = "(the highest cell reference spans 1,048,576 rows × 16,384 columns)"


def read(path: Path, file_format: str) -> None:
    parse_source(RawSource(path.name, path, file_format, "t", "p", "enacted", False, None))


def refused(path: Path, file_format: str, limit: str) -> LimitError:
    """Read ``path`` as ingest does; it must be refused by ``limit``; return the error."""
    with pytest.raises(LimitError) as caught:
        read(path, file_format)
    return named(caught.value, path, limit)


def named(error: LimitError, path: Path, limit: str) -> LimitError:
    message = str(error)
    assert error.limit.name == limit, message
    assert message.startswith(f"{path}, "), message
    assert f"(limit {limit})" in message, message
    assert f"BND_LIMIT_{limit}=" in message, message  # how to raise it
    return error


def test_a_workbook_merging_the_whole_sheet_is_refused_by_the_merged_cells_limit(
    tmp_path: Path,
) -> None:
    error = refused(hostile.xlsx_merged_range(tmp_path / "m.xlsx"), "xlsx", "MERGED_CELLS")
    assert error.value == WHOLE_SHEET
    assert "<mergeCell ref='A1:XFD1048576'>" in str(error)
    assert "xl/worksheets/sheet1.xml" in str(error)


@pytest.mark.parametrize("declared", [True, False], ids=["dimension declared", "cell only"])
def test_a_cell_at_xfd1048576_is_refused_by_the_sheet_area_limit(
    tmp_path: Path, declared: bool
) -> None:
    path = hostile.xlsx_sparse_corner(tmp_path / "corner.xlsx", declared=declared)
    error = refused(path, "xlsx", "SHEET_AREA")
    assert error.value == WHOLE_SHEET
    assert ("<dimension ref='A1:XFD1048576'>" if declared else "cell XFD1048576") in str(error)


@pytest.mark.parametrize(
    ("declared", "found", "where"),
    [(None, 150_000, "<sst count>"), (1, 100_001, "strings so far")],
    ids=["count declared", "count understated"],
)
def test_a_huge_shared_strings_part_is_refused_by_the_shared_strings_limit(
    tmp_path: Path, declared: int | None, found: int, where: str
) -> None:
    path = hostile.xlsx_shared_strings(tmp_path / "sst.xlsx", 150_000, declared)
    error = refused(path, "xlsx", "XLSX_SHARED_STRINGS")
    assert (error.value, where in str(error)) == (found, True)


def test_a_shared_strings_part_larger_than_its_byte_limit_is_refused_from_the_zip_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = hostile.xlsx_shared_strings(tmp_path / "sst.xlsx", 2_000)
    monkeypatch.setenv("BND_LIMIT_XLSX_SHARED_STRINGS_BYTES", "10000")
    error = refused(path, "xlsx", "XLSX_SHARED_STRINGS_BYTES")
    assert error.value == len(hostile.shared_strings_xml(2_000).encode())


def test_a_zip_bomb_is_refused_by_the_compression_ratio_limit(tmp_path: Path) -> None:
    error = refused(hostile.xlsx_zip_bomb(tmp_path / "bomb.xlsx", 20), "xlsx", "XLSX_ZIP_RATIO")
    assert error.value > 100


def test_a_sheet_of_more_cells_than_the_limit_is_refused_while_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BND_LIMIT_TABLE_CELLS", "5000")
    error = refused(hostile.xlsx_many_cells(tmp_path / "cells.xlsx", 10_000), "xlsx", "TABLE_CELLS")
    assert error.value == 5_001


def test_an_html_table_with_huge_spans_is_refused_by_the_span_limit(tmp_path: Path) -> None:
    error = refused(hostile.html_spans(tmp_path / "spans.html"), "html", "HTML_SPAN")
    assert (error.value, "(colspan)" in str(error)) == (100_000, True)
    path = hostile.html_spans(tmp_path / "rows.html", rowspan=1_000_000, colspan=1)
    error = refused(path, "html", "HTML_SPAN")
    assert (error.value, "(rowspan)" in str(error)) == (1_000_000, True)


def test_an_html_table_whose_spans_expand_past_the_cell_limit_is_refused(tmp_path: Path) -> None:
    error = refused(hostile.html_many_cells(tmp_path / "cells.html"), "html", "TABLE_CELLS")
    assert error.value == 2 + 1_000 * 1_000  # the two header cells, then the first big one


def test_a_csv_line_of_100000_fields_is_refused_by_the_fields_limit(tmp_path: Path) -> None:
    error = refused(hostile.csv_fields(tmp_path / "wide.csv", lines=2), "csv", "FIELDS_PER_LINE")
    assert error.value == 100_000
    assert error.place == "line 2"


def test_a_csv_line_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    error = refused(hostile.csv_long_line(tmp_path / "long.csv"), "csv", "LINE_BYTES")
    assert (error.value, error.place) == (1_000_000 + len(",1\n"), "line 3")


def test_a_registry_alias_bomb_is_refused_before_yaml_builds_objects(tmp_path: Path) -> None:
    path = hostile.yaml_alias_bomb(tmp_path / "raw")
    with pytest.raises(LimitError) as caught:
        read_registry(path.parent)
    named(caught.value, path, "YAML_NODES")


def test_a_deeply_nested_registry_is_refused_by_the_depth_limit(tmp_path: Path) -> None:
    path = hostile.yaml_deep(tmp_path / "raw")
    with pytest.raises(LimitError) as caught:
        read_registry(path.parent)
    assert named(caught.value, path, "YAML_DEPTH").value == 33


def test_a_registry_of_many_aliases_is_refused_by_the_alias_limit(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    aliases = ", ".join(["*x"] * 101)
    (raw / "sources.yml").write_text(f"x: &x 1\nsources: []\ny: [{aliases}]\n", encoding="utf-8")
    with pytest.raises(LimitError) as caught:
        read_registry(raw)
    assert named(caught.value, raw / "sources.yml", "YAML_ALIASES").value == 101


def test_anchors_and_merge_keys_of_an_ordinary_registry_are_allowed() -> None:
    text = (
        "defaults: &defaults {publisher: MOEF, phase: enacted}\n"
        "sources:\n"
        "  - {<<: *defaults, file: a.csv, format: csv, title: A}\n"
        "  - {<<: *defaults, file: b.csv, format: csv, title: B}\n"
    )
    assert limits.safe_load_yaml(text, "sources.yml") == yaml.safe_load(text)
    assert limits.safe_load_yaml(text, "sources.yml")["sources"][1]["publisher"] == "MOEF"


def test_a_file_larger_than_the_size_limit_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = FIXTURES / "seven_rows.html"
    monkeypatch.setenv("BND_LIMIT_FILE_BYTES", "100")
    error = refused(path, "html", "FILE_BYTES")
    assert error.value == path.stat().st_size


def test_a_raised_limit_lets_the_file_through_to_the_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = hostile.csv_fields(tmp_path / "wide.csv", fields=1_500, lines=2)
    refused(path, "csv", "FIELDS_PER_LINE")
    monkeypatch.setenv("BND_LIMIT_FIELDS_PER_LINE", "2000")
    with pytest.raises(SourceError) as caught:
        read(path, "csv")
    assert not isinstance(caught.value, LimitError)  # the parser refused it: 2100 is no year
    assert "line 2, column 87: expected a fiscal year" in str(caught.value)
    assert "2100" in str(caught.value)


@pytest.mark.parametrize("value", ["many", "0", "-5"])
def test_a_limit_set_to_no_positive_number_is_an_error_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BND_LIMIT_HTML_SPAN", value)
    with pytest.raises(LimitSettingError, match=f"BND_LIMIT_HTML_SPAN='{value}'"):
        read(hostile.html_spans(tmp_path / "spans.html"), "html")


def test_every_budget_table_fixture_passes_every_limit() -> None:
    checks = {".csv": limits.check_csv, ".xlsx": limits.check_xlsx, ".html": limits.check_html}
    fixtures = [path for path in FIXTURES.glob("*.*") if path.suffix in checks]
    assert len(fixtures) >= 5
    for path in fixtures:
        checks[path.suffix](path.read_bytes(), str(path))


# --- every limit at its edge -------------------------------------------------------------------
# The value at the limit is accepted, one past it refused, and the message names the limit; small
# limits are set with BND_LIMIT_<NAME>, as an operator would.

FILE = "data_raw/hostile"
SHEET = "xl/worksheets/sheet1.xml"
# The defaults as docs/sources.md documents them, and the words of each message: what the limit
# counts, and where (named when a setting is no number).
CSV, YAML = "CSV files", "the registry sources.yml and any YAML read with limits.safe_load_yaml"
SHEET_CELLS = "a worksheet's declared <dimension> and its highest cell reference"
SST, JSON = "an XLSX sharedStrings part", "JSON line files"
DEFAULTS = {
    "FILE_BYTES": (
        67_108_864,
        "bytes in a file",
        "every file registered in sources.yml (read whole before parsing)",
    ),
    "LINE_BYTES": (65_536, "bytes on a line", CSV),
    "FIELDS_PER_LINE": (1_000, "fields on a line", CSV),
    "TABLE_CELLS": (
        250_000,
        "cells in a table",
        "CSV fields in the file, cells of an HTML table with its spans expanded, cells present "
        "in a worksheet",
    ),
    "SHEET_AREA": (250_000, "cells spanned by a worksheet (rows × columns)", SHEET_CELLS),
    "MERGED_CELLS": (
        250_000,
        "cells covered by merged ranges in a worksheet",
        "the sum of the areas of a worksheet's <mergeCell> ranges",
    ),
    "HTML_SPAN": (1_000, "as a rowspan or colspan", "HTML table cells"),
    "XLSX_PART_BYTES": (67_108_864, "bytes uncompressed in one part", "XLSX zip parts"),
    "XLSX_TOTAL_BYTES": (268_435_456, "bytes uncompressed in all parts", "XLSX files"),
    "XLSX_ZIP_RATIO": (
        100,
        "times compressed (uncompressed / compressed size)",
        "XLSX zip parts larger than 1,048,576 bytes uncompressed",
    ),
    "XLSX_SHARED_STRINGS": (100_000, "shared strings", SST),
    "XLSX_SHARED_STRINGS_BYTES": (
        16_777_216,
        "bytes uncompressed in the shared-strings part",
        SST,
    ),
    "YAML_BYTES": (1_048_576, "bytes of YAML", YAML),
    "YAML_ALIASES": (100, "aliases (*name)", YAML),
    "YAML_NODES": (100_000, "nodes with every alias expanded", YAML),
    "YAML_DEPTH": (32, "levels of nesting", YAML),
    "JSON_KEYS_PER_RECORD": (1_000, "keys in a record", JSON),
    "JSON_KEYS_PER_FILE": (1_000, "distinct keys in the records of a file (its columns)", JSON),
    "JSON_DEPTH": (32, "levels of nesting", JSON),
    "JSON_NUMBER_DIGITS": (100, "digits in a number", JSON),
}


def limit(monkeypatch: pytest.MonkeyPatch, **values: int) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"BND_LIMIT_{name}", str(value))


def over(limit_name: str, check, data, place: str, value: int, detail: str = "") -> LimitError:
    """``check(data, FILE)`` must be refused by ``limit_name`` at ``place`` with ``value`` (and
    ``detail`` after it in the message)."""
    with pytest.raises(LimitError) as caught:
        check(data, FILE)
    error = caught.value
    assert (error.limit.name, error.place, error.value) == (limit_name, place, value), str(error)
    now = error.limit.value
    assert str(error) == (
        f"{FILE}, {place}: expected at most {now:,} {error.limit.what} (limit {limit_name}), "
        f"found {value:,}{detail}; if the file is genuine, raise the limit with the environment "
        f"variable BND_LIMIT_{limit_name}=<number> (now {now:,})"
    )
    return error


def workbook(parts: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sheet(cells: str = "", before: str = "", after: str = "") -> dict[str, str]:
    """One worksheet part: ``before`` its sheetData (a dimension), ``cells`` in one row."""
    xml = f'<worksheet xmlns="{hostile.MAIN_NS}">{before}<sheetData><row r="1">{cells}</row>'
    return {SHEET: xml + f"</sheetData>{after}</worksheet>"}


def cells(*refs: str) -> str:
    return "".join(f'<c r="{ref}"><v>1</v></c>' for ref in refs)


@pytest.mark.parametrize(("name", "default", "what"), [(n, *d[:2]) for n, d in DEFAULTS.items()])
def test_each_documented_default_is_the_last_value_accepted(
    name: str, default: int, what: str
) -> None:
    limits.check(name, default, FILE, "here")
    with pytest.raises(LimitError) as caught:
        limits.check(name, default + 1, FILE, "here", " so far")
    assert str(caught.value) == (
        f"{FILE}, here: expected at most {default:,} {what} (limit {name}), found "
        f"{default + 1:,} so far; if the file is genuine, raise the limit with the environment "
        f"variable BND_LIMIT_{name}=<number> (now {default:,})"
    )
    assert (caught.value.limit, caught.value.value) == (LIMITS[name], default + 1)


@pytest.mark.parametrize(
    ("text", "value"),
    [("7", 7), ("1", 1), (" 1,000 ", 1_000), ("1_000_", 1_000), ("", 1_000), (" \t", 1_000)],
)
def test_a_limit_is_set_by_its_variable_separators_and_all(
    monkeypatch: pytest.MonkeyPatch, text: str, value: int
) -> None:
    monkeypatch.setenv("BND_LIMIT_HTML_SPAN", text)
    assert LIMITS["HTML_SPAN"].value == value


def test_a_bad_setting_names_the_variable_its_default_and_what_it_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BND_LIMIT_FIELDS_PER_LINE", "0")
    with pytest.raises(LimitSettingError) as caught:
        limits.check_csv(b"a,b\n", FILE)
    assert str(caught.value) == (
        "BND_LIMIT_FIELDS_PER_LINE='0': expected a positive whole number (the default is 1,000: "
        "at most 1,000 fields on a line, in CSV files)"
    )


@pytest.mark.parametrize(
    ("name", "default", "what", "where"), [(n, *d) for n, d in DEFAULTS.items()]
)
def test_each_limit_says_what_it_counts_where_when_set_wrong(
    monkeypatch: pytest.MonkeyPatch, name: str, default: int, what: str, where: str
) -> None:
    monkeypatch.setenv(f"BND_LIMIT_{name}", "-1")
    with pytest.raises(LimitSettingError) as caught:
        LIMITS[name].value  # noqa: B018
    assert str(caught.value).endswith(f"at most {default:,} {what}, in {where})")
    with pytest.raises(FrozenInstanceError):
        LIMITS[name].default = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("check", "data"),
    [
        (limits.check_csv, b"Category,2018\nTotal,9889905\n"),
        (limits.check_html, b"<table><tr><td>Total</td><td>9,889,905</td></tr></table>"),
        (limits.check_xlsx, workbook(sheet(cells("A1", "B1")))),
    ],
    ids=["csv", "html", "xlsx"],
)
def test_a_file_of_the_size_limit_is_read_and_one_byte_more_is_not(
    monkeypatch: pytest.MonkeyPatch, check, data: bytes
) -> None:
    limit(monkeypatch, FILE_BYTES=len(data))
    check(data, FILE)
    limit(monkeypatch, FILE_BYTES=len(data) - 1)
    over("FILE_BYTES", check, data, "whole file", len(data))


def test_a_line_of_the_line_limit_is_read_and_one_byte_more_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = b"Year,2018\nTotal,9889905\n"  # line 2 is 14 bytes with its line break
    limit(monkeypatch, LINE_BYTES=14)
    limits.check_csv(data, FILE)
    limits.check_csv(data.rstrip(b"\n") + b"5", FILE)  # 14 bytes without a line break
    limit(monkeypatch, LINE_BYTES=13)
    over("LINE_BYTES", limits.check_csv, data, "line 2", 14)


@pytest.mark.parametrize("separator", [b",", b";", b"\t"], ids=["comma", "semicolon", "tab"])
def test_fields_are_counted_by_any_separator_to_the_limit(
    monkeypatch: pytest.MonkeyPatch, separator: bytes
) -> None:
    line = separator.join([b"Total", b"10338940", b"9973926"]) + b"\n"  # 3 fields
    limit(monkeypatch, FIELDS_PER_LINE=3)
    limits.check_csv(b"x\n" + line, FILE)
    limit(monkeypatch, FIELDS_PER_LINE=2)
    over("FIELDS_PER_LINE", limits.check_csv, b"x\n" + line, "line 2", 3)


def test_the_fields_of_a_csv_file_are_counted_to_the_cell_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = b"Category,2015,2016\nTotal,10338940,9973926\n"  # 6 fields
    limit(monkeypatch, TABLE_CELLS=6)
    limits.check_csv(data, FILE)
    over("TABLE_CELLS", limits.check_csv, data + b"x", "lines 1\u20133", 7, " fields so far")


# --- HTML --------------------------------------------------------------------------------------


EXPANDED = " cells so far, spans expanded"


def test_a_span_at_the_span_limit_is_read_and_one_more_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit(monkeypatch, HTML_SPAN=3)
    limits.check_html(b'<table><tr><td colspan="3" rowspan="3">x</td></tr></table>', FILE)
    for attribute in ("colspan", "rowspan"):
        page = f'<table>\n<tr>\n<td {attribute}="4">x</td></tr></table>'.encode()
        over("HTML_SPAN", limits.check_html, page, "table 1, line 3", 4, f" ({attribute})")


@pytest.mark.parametrize(
    ("span", "value"), [("3;", 3), (" +3 ", 3), ("three", 1), ("", 1)], ids=repr
)
def test_a_span_is_read_as_the_reader_reads_it(
    monkeypatch: pytest.MonkeyPatch, span: str, value: int
) -> None:
    # A table of one cell spanning ``value`` columns and 2 rows, then one more cell.
    page = f'<table><tr><td colspan="{span}" rowspan="2">x</td><td>y</td></tr></table>'.encode()
    limit(monkeypatch, TABLE_CELLS=2 * value + 1)
    limits.check_html(page, FILE)
    limit(monkeypatch, TABLE_CELLS=2 * value)
    place = "table 1 (up to line 1)"
    over("TABLE_CELLS", limits.check_html, page, place, 2 * value + 1, EXPANDED)


def test_each_table_s_cells_are_counted_with_their_spans_to_the_cell_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Table 1: 2 × 3 + 1 = 7 cells, the 7th on line 1; table 2 (inside it): 3 × 2 = 6; a cell
    # outside any table, which the reader never reads; table 3: 3 × 2 + 1 = 7, the 7th on line 5.
    page = (
        b'<table><tr><th colspan="2" rowspan="3">Account</th><td>\n'
        b'<table><tr><td rowspan="3" colspan="2">x</td></tr></table></td></tr></table>\n'
        b'<td colspan="900">outside any table</td>\n'
        b'<table><tr><th rowspan="2" colspan="3">A</th>\n<td>1</td></tr></table>'
    )
    limit(monkeypatch, TABLE_CELLS=7)
    limits.check_html(page, FILE)
    limit(monkeypatch, TABLE_CELLS=6)
    over("TABLE_CELLS", limits.check_html, page, "table 1 (up to line 1)", 7, EXPANDED)
    without_first = page[page.index(b"<td colspan") :]
    over("TABLE_CELLS", limits.check_html, without_first, "table 1 (up to line 3)", 7, EXPANDED)


def test_a_table_inside_a_table_is_counted_apart_and_named_by_its_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The outer table: 3 cells, one holding table 2, of one cell spanning 3 rows × 2 columns.
    page = (
        b"<table><tr><td>1</td><td>\n"
        b'<table><tr><td rowspan="3" colspan="2">x</td></tr></table></td><td>2</td></tr></table>'
    )
    limit(monkeypatch, TABLE_CELLS=6, HTML_SPAN=3)
    limits.check_html(page, FILE)
    limit(monkeypatch, TABLE_CELLS=5)
    over("TABLE_CELLS", limits.check_html, page, "table 2 (up to line 2)", 6, EXPANDED)
    limit(monkeypatch, TABLE_CELLS=6, HTML_SPAN=2)
    over("HTML_SPAN", limits.check_html, page, "table 2, line 2", 3, " (rowspan)")


def test_a_table_behind_a_text_node_of_more_than_ten_million_characters_is_still_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # lxml's HTML pull parser stops at such a text node unless huge_tree is on, while the reader
    # (lxml.html on the whole text) reads the table behind it.
    page = b"<p>" + b"x" * 10_000_001 + b'</p><table><tr><td colspan="5">x</td></tr></table>'
    limit(monkeypatch, HTML_SPAN=4)
    over("HTML_SPAN", limits.check_html, page, "table 1, line 1", 5, " (colspan)")


# --- XLSX --------------------------------------------------------------------------------------


def test_a_declared_dimension_at_the_area_limit_is_read_and_one_cell_more_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit(monkeypatch, SHEET_AREA=52)  # AZ is column 52: A1:AZ1 spans 1 row × 52 columns
    for ref in ("A1:AZ1", "$A$1:$AZ$1", "az1:a1", "B2:Z2", "A1:B26", "junk", ""):
        limits.check_xlsx(workbook(sheet(before=f'<dimension ref="{ref}"/>')), FILE)
    for ref, rows, columns in (("A1:BA1", 1, 53), ("A1:B27", 27, 2), ("AA2", 2, 27)):
        data = workbook(sheet(before=f'<dimension ref="{ref}"/>'))
        place = f"part {SHEET!r}, <dimension ref={ref!r}>"
        detail = f" (declared: {rows:,} rows × {columns:,} columns)"
        over("SHEET_AREA", limits.check_xlsx, data, place, rows * columns, detail)


def test_a_hostile_reference_is_cut_to_40_characters_in_the_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit(monkeypatch, SHEET_AREA=1, MERGED_CELLS=1)
    ref = "A1:B2" + " " * 10_000
    data = workbook(sheet(before=f'<dimension ref="{ref}"/>'))
    place = f"part {SHEET!r}, <dimension ref={ref[:40]!r}>"
    over("SHEET_AREA", limits.check_xlsx, data, place, 4, " (declared: 2 rows × 2 columns)")
    data = workbook(sheet(after=f'<mergeCells><mergeCell ref="{ref}"/></mergeCells>'))
    place = f"part {SHEET!r}, <mergeCell ref={ref[:40]!r}>"
    over("MERGED_CELLS", limits.check_xlsx, data, place, 4, " merged cells so far")


def test_the_highest_cell_reference_at_the_area_limit_is_read_and_past_it_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit(monkeypatch, SHEET_AREA=26)
    limits.check_xlsx(workbook(sheet(cells("A1", "Z1", "B1"))), FILE)  # 1 row × 26 columns
    limits.check_xlsx(workbook(sheet(cells("B13", "A2", "B1"))), FILE)  # 13 rows × 2 columns
    # A27 spans 27 rows × 1 column; A14 then B1 span 14 rows × 2 columns together.
    for refs, rows, columns in ((("A1", "A27"), 27, 1), (("A14", "B1"), 14, 2)):
        data = workbook(sheet(cells(*refs)))
        place = f"part {SHEET!r}, cell {refs[-1]}"
        detail = f" (the highest cell reference spans {rows:,} rows × {columns:,} columns)"
        over("SHEET_AREA", limits.check_xlsx, data, place, rows * columns, detail)


def test_merged_ranges_are_counted_by_area_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    merges = '<mergeCell ref="B2:C4"/><mergeCell ref="F9:E7"/>'  # 6 + 6
    merges += '<mergeCell ref="junk"/><mergeCell ref="B2:junk"/><mergeCell/>'  # no range: 0
    limit(monkeypatch, MERGED_CELLS=13)
    after = f"<mergeCells>{merges}<mergeCell ref='H1'/></mergeCells>"  # and 1
    limits.check_xlsx(workbook(sheet(after=after)), FILE)
    limit(monkeypatch, MERGED_CELLS=12)
    place = f"part {SHEET!r}, <mergeCell ref='H1'>"
    data = workbook(sheet(after=after))
    over("MERGED_CELLS", limits.check_xlsx, data, place, 13, " merged cells so far")


def test_the_cells_of_a_sheet_are_counted_to_the_cell_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit(monkeypatch, TABLE_CELLS=3)
    limits.check_xlsx(workbook(sheet(cells("A1", "B1", "C1"))), FILE)
    data = workbook(sheet(cells("A1", "B1", "C1") + "<c><v>1</v></c>"))
    over("TABLE_CELLS", limits.check_xlsx, data, f"part {SHEET!r}", 4, " cells so far")


def test_shared_strings_are_counted_to_the_limit_declared_or_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "xl/sharedStrings.xml"
    limit(monkeypatch, XLSX_SHARED_STRINGS=3)
    limits.check_xlsx(workbook({name: hostile.shared_strings_xml(3)}), FILE)
    data = workbook({name: hostile.shared_strings_xml(4, declared=1)})
    over("XLSX_SHARED_STRINGS", limits.check_xlsx, data, f"part {name!r}", 4, " strings so far")
    for attribute in ("count", "uniqueCount"):
        sst = f'<sst xmlns="{hostile.MAIN_NS}" {attribute}="4"><si><t>Total</t></si></sst>'
        place = f"part {name!r}, <sst {attribute}>"
        data = workbook({name: sst})
        over("XLSX_SHARED_STRINGS", limits.check_xlsx, data, place, 4, " declared")


@pytest.mark.parametrize("name", ["xl/sharedStrings.xml", "xl/SharedStrings2.xml"])
def test_the_shared_strings_part_is_held_to_its_byte_limit(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    part = hostile.shared_strings_xml(10)
    limit(monkeypatch, XLSX_SHARED_STRINGS_BYTES=len(part))
    limits.check_xlsx(workbook({name: part, "xl/other.xml": part + " "}), FILE)
    limit(monkeypatch, XLSX_SHARED_STRINGS_BYTES=len(part) - 1)
    data = workbook({name: part})
    over("XLSX_SHARED_STRINGS_BYTES", limits.check_xlsx, data, f"part {name!r}", len(part))


def test_each_part_and_all_parts_are_held_to_their_byte_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parts = {"a.xml": "<a>" + "1" * 97 + "</a>", "b.bin": b"\x89PNG" + bytes(96)}  # 104, 100
    limit(monkeypatch, XLSX_PART_BYTES=104, XLSX_TOTAL_BYTES=204)
    limits.check_xlsx(workbook(parts), FILE)
    limit(monkeypatch, XLSX_PART_BYTES=103)
    over("XLSX_PART_BYTES", limits.check_xlsx, workbook(parts), "part 'a.xml'", 104)
    limit(monkeypatch, XLSX_PART_BYTES=104, XLSX_TOTAL_BYTES=203)
    over("XLSX_TOTAL_BYTES", limits.check_xlsx, workbook(parts), "all parts", 204, " so far")


def test_the_compression_ratio_is_checked_above_one_mebibyte_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mib = 1024 * 1024
    limits.check_xlsx(workbook({"a.xml": " " * mib}), FILE)  # ~1,000:1, but not checked
    data = workbook({"a.xml": " " * (mib + 1)})
    (info,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
    ratio = (mib + 1) // info.compress_size
    assert ratio > 100
    detail = f" ({mib + 1:,} bytes from {info.compress_size:,})"
    over("XLSX_ZIP_RATIO", limits.check_xlsx, data, "part 'a.xml'", ratio, detail)
    limit(monkeypatch, XLSX_ZIP_RATIO=ratio)
    limits.check_xlsx(data, FILE)


def test_what_is_no_workbook_or_no_xml_is_left_to_the_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit(monkeypatch, SHEET_AREA=1)
    far = cells("XFD1048576")
    limits.check_xlsx(b"not a zip archive", FILE)
    limits.check_xlsx(workbook({"xl/media/image1.png": b"\x89PNG<c r='XFD1048576'/>"}), FILE)
    # A damaged part: openpyxl names it; nothing after the damage is counted.
    limits.check_xlsx(workbook({SHEET: sheet(cells("A1") + "<c r='B1'></v>" + far)[SHEET]}), FILE)
    # Leading blanks and a byte-order mark are XML all the same.
    data = workbook({SHEET: codecs.BOM_UTF8 + b" \n" + sheet(far)[SHEET].encode()})
    place, detail = f"part {SHEET!r}, cell XFD1048576", f" {CORNER}"
    over("SHEET_AREA", limits.check_xlsx, data, place, WHOLE_SHEET, detail)


NO_DTD = "an XML part without a DTD (workbook parts have none)"


@pytest.mark.parametrize("before", [4096 - 9, 5_000], ids=["ending at byte 4,096", "past 4 KiB"])
@pytest.mark.parametrize(
    "dtd",
    ['<!DOCTYPE worksheet SYSTEM "cells.dtd">', '<!DOCTYPE worksheet [<!ENTITY e "x">]>'],
    ids=["external", "internal"],
)
def test_a_part_with_a_dtd_is_refused_wherever_it_stands(before: int, dtd: str) -> None:
    # "<!DOCTYPE" ends at byte 4,096 (the head read before parsing) or stands after a comment
    # past it (found by the parser).
    padding = "<!--" + "x" * (before - 7) + "-->"
    data = workbook({SHEET: padding + dtd + sheet(cells("A1"))[SHEET]})
    with pytest.raises(SourceError) as caught:
        limits.check_xlsx(data, FILE)
    assert (caught.value.place, caught.value.expected, caught.value.found) == (
        f"part {SHEET!r}",
        NO_DTD,
        "one",
    )


def test_a_dtd_in_the_first_4_kib_is_refused_even_when_the_part_is_damaged_after_it() -> None:
    dtd = '<!DOCTYPE worksheet [<!ENTITY e "x">]>'
    padding = "<!--" + "x" * (4096 - 9 - 7) + "-->"  # "<!DOCTYPE" ends at byte 4,096
    data = workbook({SHEET: padding + dtd + "<worksheet><sheetData></row>"})
    with pytest.raises(SourceError) as caught:
        limits.check_xlsx(data, FILE)
    assert (caught.value.expected, caught.value.found) == (NO_DTD, "one")


def test_a_part_s_dtd_never_makes_the_scan_read_a_file_outside_the_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past the first 4 KiB, a DTD reaches the parser. Its external subset (load_dtd) and its
    # external entities (resolve_entities) name files outside the workbook, each holding a cell
    # the area limit would refuse: reading either would show as that refusal, not the DTD's.
    (tmp_path / "cells.dtd").write_text("<!ENTITY e '<c r=\"XFD1048576\"/>'>", encoding="utf-8")
    (tmp_path / "cells.xml").write_text('<c r="XFD1048575"/>', encoding="utf-8")
    doctype = (
        f'<!DOCTYPE worksheet SYSTEM "{(tmp_path / "cells.dtd").as_uri()}" '
        f'[<!ENTITY x SYSTEM "{(tmp_path / "cells.xml").as_uri()}">]>'
    )
    padding = "<!--" + "x" * 5_000 + "-->"
    part = padding + doctype + sheet("&e;&x;" + cells("A1"))[SHEET]
    with pytest.raises(SourceError) as caught:
        limits.check_xlsx(workbook({SHEET: part}), FILE)
    assert not isinstance(caught.value, LimitError)
    assert (caught.value.expected, caught.value.found) == (NO_DTD, "one")
    # The same cell in the part itself is refused: the check would see it.
    limit(monkeypatch, SHEET_AREA=1)
    with pytest.raises(LimitError):
        limits.check_xlsx(workbook({SHEET: padding + sheet(cells("XFD1048576"))[SHEET]}), FILE)


def claiming(data: bytes, compressed: int) -> bytes:
    """A zip of one part whose directory claims ``compressed`` bytes for it."""
    at = data.rindex(b"PK\x01\x02") + 20  # the compressed size in the central directory
    return data[:at] + compressed.to_bytes(4, "little") + data[at + 4 :]


def test_a_directory_claiming_a_part_compressed_to_nothing_is_refused_by_the_ratio() -> None:
    data = claiming(workbook({"a.xml": b"x" * 2_097_152}, zipfile.ZIP_STORED), 0)
    detail = " (2,097,152 bytes from 0)"
    over("XLSX_ZIP_RATIO", limits.check_xlsx, data, "part 'a.xml'", 2_097_152, detail)


def test_a_part_zip_cannot_inflate_is_named() -> None:
    data = bytearray(workbook({SHEET: sheet(cells("A1", "B1") * 50)[SHEET]}))
    data[30 + len(SHEET)] = 0xFF  # the first deflate block: a block type that does not exist
    with pytest.raises(SourceError) as caught:
        limits.check_xlsx(bytes(data), FILE)
    assert (caught.value.place, caught.value.expected) == (
        f"part {SHEET!r}",
        "a part stored or compressed as a spreadsheet program writes it (unencrypted)",
    )
    assert caught.value.found.startswith("error: Error -3 while decompressing data")


def _expansion() -> str:
    """A small "billion laughs": 10 MB of text from entities of 100 bytes, past 4 KiB."""
    entities = (
        '<!ENTITY a0 "'
        + "x" * 100
        + '">'
        + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 6))
    )
    padding = "<!--" + "x" * 5_000 + "-->"
    return padding + f"<!DOCTYPE worksheet [{entities}]>" + sheet("<c><v>&a5;</v></c>")[SHEET]


@pytest.mark.parametrize(
    "part",
    [
        sheet("<c><v>" + "1" * 10_000_001 + "</v></c>")[SHEET],
        sheet("<c><is>" + "<r>" * 300 + "</r>" * 300 + "</is></c>")[SHEET],
        _expansion(),
    ],
    ids=["a text node of 10,000,001 characters", "300 levels of elements", "entity expansion"],
)
def test_a_part_past_the_xml_parser_s_own_limits_is_refused_not_half_checked(
    monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    # huge_tree=False keeps lxml's limits, and lxml stops there; openpyxl (the standard library's
    # parser) would read on, so the cell behind the stop must not pass unchecked.
    far = part.replace("</row>", cells("XFD1048576") + "</row>")
    data = workbook({SHEET: far}, zipfile.ZIP_STORED)  # stored: no compression ratio to refuse
    with pytest.raises(SourceError) as caught:
        limits.check_xlsx(data, FILE)
    assert not isinstance(caught.value, LimitError)
    assert caught.value.place == f"part {SHEET!r}"
    assert caught.value.expected.startswith("an XML part within the XML parser's own limits (")


# --- YAML --------------------------------------------------------------------------------------


def test_yaml_of_the_byte_limit_is_read_and_one_byte_more_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "title: 국가균형발전특별회계\n"  # 8 + 10 Korean syllables of 3 bytes: 38 bytes
    limit(monkeypatch, YAML_BYTES=38)
    limits.check_yaml(text, FILE)
    limit(monkeypatch, YAML_BYTES=37)
    over("YAML_BYTES", limits.check_yaml, text, "whole file", 38)


def test_aliases_are_counted_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: &a 1\nb: [*a, *a]\nc:\n  - *a\n"
    limit(monkeypatch, YAML_ALIASES=3)
    limits.check_yaml(text, FILE)
    limit(monkeypatch, YAML_ALIASES=2)
    over("YAML_ALIASES", limits.check_yaml, text, "line 4", 3, " so far")


def test_nodes_are_counted_with_every_alias_expanded_to_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The mapping (1), its keys x and y (2), [1, 2] (3) and [*x, *x] (1 + 3 + 3): 13 nodes.
    text = "x: &x [1, 2]\ny: [*x, *x]\n"
    limit(monkeypatch, YAML_NODES=13)
    limits.check_yaml(text, FILE)
    limit(monkeypatch, YAML_NODES=12)
    over("YAML_NODES", limits.check_yaml, text, "line 3", 13, " so far, aliases expanded")
    limit(monkeypatch, YAML_NODES=10)  # 11 when the second *x is expanded, on line 2
    over("YAML_NODES", limits.check_yaml, text, "line 2", 11, " so far, aliases expanded")


def test_nesting_is_counted_to_the_depth_limit_aliases_expanded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit(monkeypatch, YAML_DEPTH=3)
    limits.check_yaml("a: [[1]]\nb: [2]\n", FILE)  # three levels: the mapping and two lists
    over("YAML_DEPTH", limits.check_yaml, "a:\n  - [[1]]\n", "line 2", 4)
    # b holds a list of what a holds: the mapping, that list, and a's two lists.
    text = "a: &a [[1]]\nb: [*a]\n"
    over("YAML_DEPTH", limits.check_yaml, text, "line 2", 4, ", aliases expanded")
    limit(monkeypatch, YAML_DEPTH=4)
    limits.check_yaml(text, FILE)
    limits.check_yaml("a: [[1]]\nb: 2\n", FILE)


def test_an_empty_list_is_a_level_when_an_alias_repeats_it(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: &a []\nb: [*a]\n"  # b: the mapping, b's list and a's list, empty
    limit(monkeypatch, YAML_DEPTH=3)
    limits.check_yaml(text, FILE)
    limit(monkeypatch, YAML_DEPTH=2)
    over("YAML_DEPTH", limits.check_yaml, text, "line 2", 3, ", aliases expanded")


def test_an_alias_to_no_anchor_counts_as_one_node_and_no_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "a: *nowhere\n"  # the mapping, its key and the alias: 3 nodes, 1 level
    limit(monkeypatch, YAML_NODES=3, YAML_DEPTH=1)
    limits.check_yaml(text, FILE)
    limit(monkeypatch, YAML_NODES=2)
    over("YAML_NODES", limits.check_yaml, text, "line 2", 3, " so far, aliases expanded")
    # As a scalar, it adds no level to a list that holds it: y holds x's list of one value.
    limit(monkeypatch, YAML_NODES=100, YAML_DEPTH=2)
    over(
        "YAML_DEPTH",
        limits.check_yaml,
        "x: &x [*nowhere]\ny: [*x]\n",
        "line 2",
        3,
        ", aliases expanded",
    )


def test_yaml_dates_stay_the_text_they_are_written_in() -> None:
    text = "published: 2020-12-02\nwhen: 2015-02-30\n"
    assert limits.safe_load_yaml(text, FILE) == {"published": "2020-12-02", "when": "2015-02-30"}


def test_text_that_is_no_yaml_is_left_to_the_loader() -> None:
    limits.check_yaml("a: [1, 2\nb: {", FILE)
    with pytest.raises(yaml.YAMLError):
        limits.safe_load_yaml("a: [1, 2\nb: {", FILE)


# --- JSON --------------------------------------------------------------------------------------


def test_json_nesting_is_counted_by_brackets_outside_strings_to_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = '{"k [": [\n[\n["1"]]]}'  # 4 levels; the bracket in a key is text
    limit(monkeypatch, JSON_DEPTH=4)
    assert limits.load_json(text, FILE) == {"k [": [[["1"]]]}
    limit(monkeypatch, JSON_DEPTH=3)
    detail = " (first passed on this line)"
    over("JSON_DEPTH", limits.load_json, text, "line 3", 4, detail)
    inside = functools.partial(limits.check_json_depth, place="inside its JSON string, ")
    over("JSON_DEPTH", inside, text, "inside its JSON string, line 3", 4, detail)
    # Closing brackets count down: side by side, lists are no deeper than one.
    limit(monkeypatch, JSON_DEPTH=2)
    over("JSON_DEPTH", limits.check_json_depth, "[[1],\n[[2]]]", "line 2", 3, detail)
    limits.check_json_depth("[[1], [2], [3]]", FILE)


def test_json_numbers_are_kept_as_printed_and_their_digits_counted_to_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "\n[1234567, -1.5e+10]"  # 7 digits, and 4 (signs, point and exponent are no digits)
    limit(monkeypatch, JSON_NUMBER_DIGITS=7)
    assert limits.load_json(text, FILE) == ["1234567", "-1.5e+10"]
    limit(monkeypatch, JSON_NUMBER_DIGITS=6)
    over(
        "JSON_NUMBER_DIGITS", limits.load_json, text, "line 2", 7, " (a number beginning 1234567…)"
    )
    long = "\n\n[" + "1234567890" * 3 + "]"
    detail = " (a number beginning 12345678901234567890…)"
    over("JSON_NUMBER_DIGITS", limits.load_json, long, "line 3", 30, detail)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_s_not_a_number_is_refused_by_its_line(constant: str) -> None:
    with pytest.raises(SourceError) as caught:
        limits.load_json(f"\n[1,\n{constant}]", FILE, "inside its JSON string, ")
    assert (caught.value.place, caught.value.expected, caught.value.found) == (
        "inside its JSON string, line 3",
        "a JSON number",
        repr(constant),
    )


@pytest.mark.parametrize(
    ("place", "named"), [("", "whole file"), ("inside its JSON string, ", "inside its JSON string")]
)
def test_json_deeper_than_the_parser_reaches_is_refused_naming_the_limit_to_lower(
    monkeypatch: pytest.MonkeyPatch, place: str, named: str
) -> None:
    limit(monkeypatch, JSON_DEPTH=1_000_000)
    with pytest.raises(SourceError) as caught:
        limits.load_json("[" * 200_000 + "]" * 200_000, FILE, place)
    assert (caught.value.place, caught.value.expected, caught.value.found) == (
        named,
        "JSON nested no deeper than the parser reaches",
        "deeper nesting (lower BND_LIMIT_JSON_DEPTH)",
    )
