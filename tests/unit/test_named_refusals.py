"""Failures fuzzing found unnamed (a bare ``zlib.error``, ``IndexError``, ``TypeError`` …), each
now a named refusal: a ``SourceError`` naming the file, the place and what was expected, which
ingest records with the run's other rejections instead of stopping on a traceback.

Each test writes the file that failed, reads it as ingest does, and checks the file and the
place the refusal names.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.core.limits import LimitError
from pipelines.landing.raw_landing import parse_source
from pipelines.landing.rejections import (
    REJECTED_FILES,
    RejectedFilesError,
    parse_every,
)
from pipelines.sources.profiles import load_profile
from pipelines.sources.registry import RawSource, load_registry
from pipelines.sources.table_files import html_grids
from tests.helpers import page_entry, replace_in_registry
from tests.publisher_files import (
    API_HEADER,
    OFD,
    api_answer,
    api_records,
    detail_rows_2016,
    land_publisher_lines,
    raw_with_profiles,
    register_line_file,
    write_csv,
    write_json_answer,
    write_portal_xlsx,
)
from tests.source_figures import PAGE_FILE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "budget_tables"
WORKBOOK = FIXTURES / "seven_rows_en.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


# --- XLSX: parts zipfile cannot read ---------------------------------------------------------


def _central_header(data: bytes, part: str) -> int:
    """Where the zip's central directory describes ``part``."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        (length,) = struct.unpack("<H", data[at + 28 : at + 30])
        if data[at + 46 : at + 46 + length] == part.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 1)
    raise AssertionError(f"no {part} in the archive")


def _invalid_deflate(data: bytes, part: str = SHEET) -> bytes:
    """``part``'s deflate data starting with a block of the reserved type 11 (no inflater reads
    it: ``zlib.error: invalid block type``)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 :][:4])
    out = bytearray(data)
    out[info.header_offset + 30 + name_length + extra_length] = 0xFF
    return bytes(out)


def _method(data: bytes, method: int, part: str = SHEET) -> bytes:
    """``part`` said to be compressed by ``method`` (99: AES, which zipfile does not know)."""
    out = bytearray(data)
    out[_central_header(data, part) + 10] = method
    return bytes(out)


def _flags(data: bytes, flags: int, part: str = SHEET) -> bytes:
    """``part`` with general purpose ``flags`` set (0x01 encrypted, 0x40 strong encryption)."""
    out = bytearray(data)
    out[_central_header(data, part) + 8] |= flags
    return bytes(out)


def _table_refused(tmp_path: Path, data: bytes, name: str = "table.xlsx") -> SourceError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SourceError) as error:
        parse_source(RawSource(name, path, "xlsx", "t", "p", "enacted", False, None))
    assert error.value.file == str(path)
    return error.value


def test_an_xlsx_part_with_invalid_deflate_data_is_refused_by_its_part(tmp_path: Path) -> None:
    error = _table_refused(tmp_path, _invalid_deflate(WORKBOOK.read_bytes()))
    assert error.place == f"part {SHEET!r}"
    assert error.found.startswith("error: Error -3 while decompressing data: invalid block type")


def test_an_xlsx_part_of_an_unknown_compression_method_is_refused(tmp_path: Path) -> None:
    error = _table_refused(tmp_path, _method(WORKBOOK.read_bytes(), 99))
    assert error.place == f"part {SHEET!r}"
    assert error.found == "NotImplementedError: That compression method is not supported"


def test_an_xlsx_part_under_strong_encryption_is_refused(tmp_path: Path) -> None:
    error = _table_refused(tmp_path, _flags(WORKBOOK.read_bytes(), 0x41))
    assert error.place == f"part {SHEET!r}"
    assert error.found == "NotImplementedError: strong encryption (flag bit 6)"


def test_an_xlsx_part_encrypted_with_a_password_is_refused(tmp_path: Path) -> None:
    error = _table_refused(tmp_path, _flags(WORKBOOK.read_bytes(), 0x01))
    assert error.place == f"part {SHEET!r}"
    assert "is encrypted, password required" in error.found


def _without(data: bytes, part: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist() if name != part}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_workbook_without_its_worksheet_parts_is_refused(tmp_path: Path) -> None:
    data = _without(_without(WORKBOOK.read_bytes(), SHEET), "xl/worksheets/sheet2.xml")
    error = _table_refused(tmp_path, data)
    assert (error.place, error.expected) == ("whole file", "a workbook with a worksheet")


# --- the publishers' files ---------------------------------------------------------------------


def _publisher_refused(raw: Path, path: Path) -> SourceError:
    with pytest.raises(SourceError) as error:
        land_publisher_lines(raw, [2016])
    assert error.value.file == str(path)
    return error.value


def _portal_workbook(raw: Path, change) -> Path:
    path = write_portal_xlsx(raw / "budget_lines" / "2016" / "portal.xlsx", detail_rows_2016())
    path.write_bytes(change(path.read_bytes()))
    register_line_file(raw, "budget_lines/2016/portal.xlsx", OFD, "천원")
    return path


def test_a_portal_workbook_without_its_worksheet_part_is_refused(tmp_path: Path) -> None:
    raw = raw_with_profiles(tmp_path)
    path = _portal_workbook(raw, lambda data: _without(data, SHEET))
    error = _publisher_refused(raw, path)
    assert (error.place, error.found) == ("whole file", "none (a worksheet part missing?)")


def test_a_portal_workbook_with_invalid_deflate_data_is_refused(tmp_path: Path) -> None:
    raw = raw_with_profiles(tmp_path)
    path = _portal_workbook(raw, _invalid_deflate)
    assert _publisher_refused(raw, path).place == f"part {SHEET!r}"


def test_a_publisher_csv_with_its_header_only_is_refused(tmp_path: Path) -> None:
    raw = raw_with_profiles(tmp_path)
    path = write_csv(raw / "budget_lines" / "2016" / "api.csv", API_HEADER, [])
    register_line_file(raw, "budget_lines/2016/api.csv", OFD, "천원")
    error = _publisher_refused(raw, path)
    assert (error.place, error.found) == ("line 1", "a header only")


def test_a_json_object_with_a_value_for_the_service_s_parts_is_refused(tmp_path: Path) -> None:
    raw = raw_with_profiles(tmp_path)
    path = write_json_answer(raw, {"S": 5})
    error = _publisher_refused(raw, path)
    assert (error.place, error.found) == ("whole file", "another JSON document (an object of 1 "
                                          "keys: 'S')")  # fmt: skip


def test_2_000_bytes_of_nested_arrays_are_refused_by_the_depth_limit(tmp_path: Path) -> None:
    raw = raw_with_profiles(tmp_path)
    path = write_json_answer(raw, "[" * 1_000 + "]" * 1_000)
    error = _publisher_refused(raw, path)
    assert isinstance(error, LimitError) and error.limit.name == "JSON_DEPTH"
    assert error.place == "line 1"


@pytest.mark.parametrize("year", ["２０１６", "2016.0", "", "1900"])
def test_a_fiscal_year_duckdb_cannot_read_is_refused_by_line_and_column(
    tmp_path: Path, year: str
) -> None:
    raw = raw_with_profiles(tmp_path)
    rows = detail_rows_2016()
    rows[2][0] = year  # Python's int reads a full-width ２０１６; DuckDB's cast does not
    path = write_csv(raw / "budget_lines" / "2016" / "api.csv", API_HEADER, rows)
    register_line_file(raw, "budget_lines/2016/api.csv", OFD, "천원")
    error = _publisher_refused(raw, path)
    assert (error.place, error.expected) == ("line 4, column FSCL_YY", "a fiscal year")
    assert error.found == repr(year or None)


def _with_number(answer: dict, digits: str) -> str:
    """The answer as JSON with its fourth record's proposed amount printed as ``digits``
    (``json.dumps`` cannot print a 5,000-digit integer: Python's int → str limit is 4,300)."""
    records = answer["ExpenditureBudgetInit5"][1]["row"]
    records[3]["Y_YY_MEDI_KCUR_AMT"] = "NUMBER"
    return json.dumps(answer, ensure_ascii=False).replace('"NUMBER"', digits)


def test_a_5_000_digit_integer_is_refused_by_the_digits_limit(tmp_path: Path) -> None:
    raw = raw_with_profiles(tmp_path)
    answer = api_answer(api_records(detail_rows_2016()))
    path = write_json_answer(raw, _with_number(answer, "1" + "0" * 4_999))
    error = _publisher_refused(raw, path)
    assert isinstance(error, LimitError) and error.limit.name == "JSON_NUMBER_DIGITS"
    assert (error.place, error.value) == ("line 1", 5_000)


# --- the registry and the profiles -------------------------------------------------------------


def _registry_refused(raw: Path) -> SourceError:
    with pytest.raises(SourceError) as error:
        load_registry(raw)
    assert error.value.file == str(raw / "sources.yml")
    return error.value


def test_a_registry_byte_that_is_not_utf_8_is_refused_by_line_and_byte(raw_copy: Path) -> None:
    registry = raw_copy / "sources.yml"
    data = registry.read_bytes()
    at = data.index(b"format: page_text")
    registry.write_bytes(data[:at] + b"\xff" + data[at:])
    error = _registry_refused(raw_copy)
    line = data[:at].count(b"\n") + 1
    assert error.place == f"line {line}, byte {at}"
    assert error.expected == "UTF-8 text"


def test_a_profile_byte_that_is_not_utf_8_is_refused_by_line_and_byte(tmp_path: Path) -> None:
    raw = raw_with_profiles(tmp_path)
    profile = raw / "profiles" / f"{OFD}.yml"
    profile.write_bytes(b"name: " + b"\xc3\x28" + b"\n")
    with pytest.raises(SourceError) as error:
        load_profile(raw, OFD, str(raw / "sources.yml"), "entry 1")
    assert (error.value.file, error.value.place) == (str(profile), "line 1, byte 6")


@pytest.mark.parametrize("date", ["2015-02-30", "0000-01-01"])
def test_an_impossible_publication_date_is_refused_by_its_entry(raw_copy: Path, date) -> None:
    replace_in_registry(raw_copy, "    format: page_text\n", f"    format: page_text\n"
                        f"    publication_date: {date}\n")  # fmt: skip
    error = _registry_refused(raw_copy)
    assert error.place == "entry 1 under 'sources', publication_date"
    assert error.found == repr(date)


def test_a_date_elsewhere_in_the_registry_stays_text(raw_copy: Path) -> None:
    replace_in_registry(raw_copy, "title: Balanced National Development, Projects and Budget",
                        "title: 2015-02-30\n    publication_date: 2020-12-02")  # fmt: skip
    source = page_entry(raw_copy)
    assert (source.title, source.publication_date) == ("2015-02-30", dt.date(2020, 12, 2))


@pytest.mark.parametrize(
    ("value", "error"),
    [("!!int twelve", "ValueError"), ("!!int", "IndexError"), ("!!bool maybe", "KeyError")],
)
def test_a_value_an_explicit_tag_cannot_build_is_refused(raw_copy: Path, value, error) -> None:
    replace_in_registry(raw_copy, "    format: page_text\n", "    format: page_text\n"
                        f"    note: {value}\n")  # fmt: skip
    refused = _registry_refused(raw_copy)
    assert (refused.place, refused.expected) == ("whole file", "valid YAML")
    assert refused.found.startswith(f"a value YAML cannot build ({error}: ")


def test_a_format_given_as_a_list_is_refused_by_its_entry(raw_copy: Path) -> None:
    replace_in_registry(raw_copy, "format: page_text", "format: [page_text]")
    error = _registry_refused(raw_copy)
    assert (error.place, error.found) == ("entry 1 under 'sources'", "['page_text']")


def test_a_file_name_longer_than_the_file_system_holds_is_refused(raw_copy: Path) -> None:
    name = "x" * 296 + ".csv"
    replace_in_registry(raw_copy, f"file: {PAGE_FILE}", f"file: {name}")
    error = _registry_refused(raw_copy)
    assert error.place == f"entry 1 under 'sources', file {name!r}"
    assert error.found == "a name of 300 bytes"


def test_a_file_name_as_long_as_the_file_system_holds_is_read(raw_copy: Path) -> None:
    from pipelines.sources.registry import NAME_MAX_BYTES

    name = "x" * (NAME_MAX_BYTES - 4) + ".txt"
    (raw_copy / PAGE_FILE).rename(raw_copy / name)
    replace_in_registry(raw_copy, f"file: {PAGE_FILE}", f"file: {name}")
    assert name in {source.file for source in load_registry(raw_copy)}


def test_a_file_name_one_byte_longer_than_the_file_system_holds_is_refused(raw_copy) -> None:
    from pipelines.sources.registry import NAME_MAX_BYTES

    name = "가" + "x" * (NAME_MAX_BYTES - 6) + ".txt"  # 가 is three bytes in UTF-8
    replace_in_registry(raw_copy, f"file: {PAGE_FILE}", f"file: {name}")
    assert _registry_refused(raw_copy).found == "a name of 256 bytes"


def test_a_line_file_name_longer_than_the_file_system_holds_is_refused(tmp_path: Path) -> None:
    raw = raw_with_profiles(tmp_path)
    register_line_file(raw, "budget_lines/2016/" + "x" * 300 + ".csv", OFD, "천원")
    with pytest.raises(SourceError) as error:
        land_publisher_lines(raw, [2016])
    assert error.value.file == str(raw / "sources.yml")
    assert error.value.place.startswith("entry 1 under 'line_files', file ")
    assert error.value.found == "a name of 304 bytes"


# --- HTML -------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b" \n\t"], ids=["empty", "blank"])
def test_an_empty_html_file_given_to_the_html_reader_is_refused(data: bytes) -> None:
    with pytest.raises(SourceError) as error:
        html_grids(data, "page.html")
    assert (error.value.file, error.value.place) == ("page.html", "whole file")
    assert error.value.found == "an empty or blank file"


# --- collected with the run's other rejections -------------------------------------------------


def test_these_refusals_are_recorded_with_the_run_s_other_rejections(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    broken = {
        "deflate.xlsx": _invalid_deflate(WORKBOOK.read_bytes()),
        "method.xlsx": _method(WORKBOOK.read_bytes(), 99),
    }
    sources = []
    for name, data in broken.items():
        (raw / name).write_bytes(data)
        sources.append(RawSource(name, raw / name, "xlsx", "t", "p", "enacted", False, None))
    reports = tmp_path / "reports"
    with pytest.raises(RejectedFilesError) as error:
        parse_every(sources, parse_source, reports, raw)
    assert [e.file for e in error.value.errors] == [str(raw / name) for name in broken]
    recorded = json.loads((reports / REJECTED_FILES).read_text(encoding="utf-8"))
    assert [(r["file"], r["place"]) for r in recorded] == [
        (name, f"part {SHEET!r}") for name in broken
    ]
