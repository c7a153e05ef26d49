"""Mutations of valid files, for the readers' fuzz test (``tests.fuzz.test_readers_fuzz``).

A mutation is a few edits of a seed's bytes: a bit flipped, a byte set, the file cut short, a run
deleted or repeated, random bytes inserted, or a token inserted that means something to the
format (a delimiter, a quote, a bracket, a tag, ``NaN``, a 5,000-digit number, ``\\u0000``). A
workbook is also mutated inside: one of its XML parts edited and the archive written again, a
part left out, or a zip header given another compression method or an encryption flag.

Choices come from a ``Chooser``: hypothesis's ``data.draw`` in the test (shrinkable and
reproducible), or ``random`` in a quick search outside pytest.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Sequence
from typing import Protocol


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int: ...
    def choice(self, options: Sequence): ...
    def blob(self, most: int) -> bytes: ...


class RandomChooser:
    """Choices from ``random`` (for a quick search outside hypothesis)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def choice(self, options: Sequence):
        return self.random.choice(list(options))

    def blob(self, most: int) -> bytes:
        return self.random.randbytes(self.random.randint(1, most))


class DrawChooser:
    """Choices drawn from hypothesis (``st.data()``), so failures shrink and replay."""

    def __init__(self, data) -> None:
        from hypothesis import strategies as st

        self.data, self.st = data, st

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(self.st.integers(low, high))

    def choice(self, options: Sequence):
        return self.data.draw(self.st.sampled_from(list(options)))

    def blob(self, most: int) -> bytes:
        return self.data.draw(self.st.binary(min_size=1, max_size=most))


COMMON = (b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xff\xfe", b"\n", b"\r\n", b" ", b"-1", b"9" * 30)
TOKENS = {
    "text": (b"\t", b",", b"-", b"Total", b"2015", b"(Unit: KRW 1 million)",
             "(단위: 억원)".encode(), b"1,234", b"\xed\xa0\x80", b"\x0b", b"\x1b[31m"),
    "csv": (b",", b";", b"\t", b'"', b'""', b",,,,", b"2015", b"1e400", b"Total", "합계".encode(),
            "(단위: 천원)".encode(), b"\xb1\xb8\xba\xd0"),
    "json": (b"{", b"}", b"[", b"]", b'"', b":", b",", b"\\u0000", b"\\ud800", b"null", b"true",
             b"NaN", b"Infinity", b"1e999", b"-0", b"9" * 5_000, b"[" * 200, b'{"a":', b'"row"',
             b'{"RESULT":{"CODE":"ERROR-300","MESSAGE":"x"}}', b'"S": 5', b"\\"),
    "yaml": (b":", b": ", b"- ", b"[", b"]", b"{", b"}", b"&a ", b"*a", b"!!int ", b"!!bool ",
             b"!!float ", b"!!timestamp ", b"!!binary ", b"2015-02-30", b"0000-01-01", b"\n  ",
             b"#", b"|", b">", b"'", b'"', b"? ", b"<<: ", b"~", b"[csv]", b"x" * 300, b"%YAML"),
    "html": (b"<", b">", b"/", b"=", b'"', b"<table>", b"</table>", b"<tr>", b"<td>", b"</td>",
             b'<td rowspan="5">', b'colspan="0"', b'rowspan="-1"', b"&amp;", b"&#0;", b"<!--",
             b"<?xml version='1.0'?>", b"<caption>", b"<![CDATA[", b"<!DOCTYPE html>"),
    "xml": (b"<", b">", b"/", b'"', b"=", b"&", b"</c>", b'<c r="A1">', b'<c r="XFD1048576">',
            b' t="s"', b' t="inlineStr"', b"<v>", b"</v>", b"<v>99999</v>", b'ref="A1:B2"',
            b"<!DOCTYPE x>", b'<mergeCell ref="A1:B3"/>', b'r="0"', b"<f>SUM(A1)</f>",
            b'<sheet name="x" sheetId="2" r:id="rId9"/>'),
}  # fmt: skip
EDITS = ("flip", "byte", "truncate", "delete", "insert_bytes", "insert_token", "repeat")
# Values a cell or a JSON value may hold that a reader must read or refuse by name: numbers in
# every notation, years that are not four ASCII digits, names of accounts, text that is not text.
VALUES = ("", " ", "-1", "-0", "0", "1e5", "1e40", "9" * 40, "9" * 19, "１２", "NaN", "inf",
          "2016.5", "1,2,3", "1.2345678", "0x10", "2_016", "+2016", "２０１６", "16", "\x00",
          "\u00a0", "\ud800", "지역자율계정", "일반회계", "국가균형발전특별회계", "소계",
          "x" * 2_000, "'; drop table x; --", '"', "(단위: 억원)",
          "정부안금액(백만원)")  # fmt: skip
JSON_VALUES = (None, True, 1.5, -3, 10**20, 10**35, [], {}, [1], {"a": 1}, *VALUES)
# A workbook's XML cannot hold a lone surrogate: openpyxl would fail to write the file.
WORKBOOK_VALUES = tuple(value for value in VALUES if "\ud800" not in value)


def mutate(data: bytes, choose: Chooser, tokens: Sequence[bytes]) -> bytes:
    """``data`` after one to four edits (``EDITS``); ``tokens`` are the format's own."""
    out = bytearray(data)
    for _ in range(choose.integer(1, 4)):
        edit = choose.choice(EDITS)
        at = choose.integer(0, len(out))
        if edit in ("flip", "byte") and out:
            at = min(at, len(out) - 1)
            if edit == "flip":
                out[at] ^= 1 << choose.integer(0, 7)
            else:
                out[at] = choose.integer(0, 255)
        elif edit == "truncate":
            del out[at:]
        elif edit == "delete":
            del out[at : at + choose.integer(1, 64)]
        elif edit == "insert_bytes":
            out[at:at] = choose.blob(16)
        elif edit == "insert_token":
            out[at:at] = choose.choice((*tokens, *COMMON)) * choose.choice((1, 1, 1, 2, 40))
        elif edit == "repeat":
            start = choose.integer(0, len(out))
            out[at:at] = out[start : start + choose.integer(1, 200)] * choose.integer(1, 3)
    return bytes(out)


def mutate_workbook(data: bytes, choose: Chooser) -> bytes:
    """A workbook's bytes mutated as bytes, in one of its parts, by a part left out, or in a zip
    header (its compression method or its flags)."""
    how = choose.choice(("bytes", "part", "part", "part", "drop", "header"))
    if how == "bytes":
        return mutate(data, choose, TOKENS["xml"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    if how == "header":
        return _mutate_header(data, choose)
    names = sorted(parts)
    name = choose.choice(names)
    if how == "drop":
        del parts[name]
    else:
        parts[name] = mutate(parts[name], choose, TOKENS["xml"])
    method = choose.choice((zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return buffer.getvalue()


# Where a zip header keeps its flags and compression method: local file header, central directory.
_HEADERS = ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10))


def _mutate_header(data: bytes, choose: Chooser) -> bytes:
    signature, flags_at, method_at = choose.choice(_HEADERS)
    offsets = []
    start = data.find(signature)
    while start >= 0:
        offsets.append(start)
        start = data.find(signature, start + 1)
    if not offsets:
        return data
    at = choose.choice(offsets)
    out = bytearray(data)
    if choose.choice(("method", "flags")) == "method":
        # 1 shrunk, 6 imploded, 9 deflate64, 12 bzip2, 14 lzma, 99 AES: mostly unsupported.
        out[at + method_at] = choose.choice((1, 6, 9, 12, 14, 98, 99))
    else:
        out[at + flags_at] |= choose.choice((0x01, 0x40, 0x41, 0x08, 0x20))
    return bytes(out)


def mutate_cells(data: bytes, choose: Chooser, encoding: str) -> bytes:
    """A CSV with one to three cells (or header cells) replaced by ``VALUES``, or a row repeated
    or dropped: inputs that reach the landing's checks, past the parser."""
    import csv

    rows = list(csv.reader(io.StringIO(data.decode(encoding), newline="")))
    for _ in range(choose.integer(1, 3)):
        edit = choose.choice(("cell", "cell", "cell", "repeat", "drop"))
        row = choose.integer(0, len(rows) - 1)
        if edit == "repeat":
            rows.insert(row, list(rows[row]))
        elif edit == "drop" and len(rows) > 1:
            del rows[row]
        elif rows[row]:
            rows[row][choose.integer(0, len(rows[row]) - 1)] = choose.choice(VALUES)
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


def mutate_json_values(data: bytes, choose: Chooser) -> bytes:
    """The API's answer with one to three values of its records (or keys) replaced, a record
    repeated or dropped, or a part of the answer replaced: inputs past the JSON parser."""
    import json

    answer = json.loads(data)
    (parts,) = answer.values()
    records = next(part["row"] for part in parts if "row" in part)
    for _ in range(choose.integer(1, 3)):
        edit = choose.choice(("value", "value", "value", "key", "repeat", "drop", "part"))
        number = choose.integer(0, len(records) - 1) if records else 0
        if edit == "part":
            parts[choose.integer(0, len(parts) - 1)] = choose.choice(JSON_VALUES)
        elif not records:
            continue
        elif edit == "repeat":
            records.insert(number, dict(records[number]))
        elif edit == "drop":
            del records[number]
        elif edit == "key":
            key = choose.choice(sorted(records[number]))
            records[number][str(choose.choice(VALUES))] = records[number].pop(key)
        else:
            key = choose.choice(sorted(records[number]))
            records[number][key] = choose.choice(JSON_VALUES)
    return json.dumps(answer, ensure_ascii=choose.choice((True, False))).encode(
        "utf-8", errors="surrogatepass"
    )


def mutate_workbook_cells(data: bytes, choose: Chooser) -> bytes:
    """A workbook with one to three cells given ``VALUES`` (or a number) through openpyxl, so
    that the sheet stays a sheet and the values reach the landing's checks."""
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    for _ in range(choose.integer(1, 3)):
        cell = sheet.cell(choose.integer(1, sheet.max_row + 1), choose.integer(1, sheet.max_column))
        value = choose.choice((*WORKBOOK_VALUES, 10**20, -5, 2016.5, 0.001))
        try:
            cell.value = value
        except (IllegalCharacterError, AttributeError):  # NUL, a merged cell: left as it is
            continue
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
