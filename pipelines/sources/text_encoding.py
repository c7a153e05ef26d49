"""How a text file's bytes become text, and hints when the text reads as another encoding's.

Every reader of text (CSV and HTML tables, control totals, publishers' files) decodes through
``decode_text``: the encoding declared in the registry (``encoding:``); else a byte-order mark
(UTF-8, UTF-16, UTF-32); UTF-16 without one, recognised by its NUL bytes; strict UTF-8; then
``charset-normalizer``, which recognises CP949/EUC-KR. Nothing is assumed: a byte no rule reads,
or a control character in the text, stops the run naming the line and what to declare.

Korean text that was decoded in the wrong encoding (``±¸ºÐ`` for 구분) is recognised by
``misread_korean``, and ``encoding_hint`` turns it into advice: declare the file's encoding, or
save it again from the original when the garbled text is in the file itself.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from pipelines.core.errors import SourceError

# Byte-order marks, longest first (a UTF-32 LE mark begins like a UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
DECLARE_ENCODING = "declare it with `encoding: <name>` in its sources.yml entry"


@dataclass(frozen=True)
class TextEncoding:
    """The codec a text file was read in and how it was chosen, in words for messages."""

    codec: str  # a Python codec name: utf-8, cp949, utf-16-le
    how: str  # "UTF-16 LE (by its byte-order mark)", "cp949 (declared in sources.yml)"

    def __str__(self) -> str:
        return self.how


def decode_text(data: bytes, file: str, encoding: str | None = None) -> tuple[str, TextEncoding]:
    """The text of a file and how it was read, in words ("UTF-16 LE, by its byte-order mark").

    In order: the encoding declared in the registry (``encoding:``); a byte-order mark (UTF-8,
    UTF-16, UTF-32); UTF-16 without a mark, recognised by a NUL byte in every other position;
    strict UTF-8; else ``charset-normalizer`` (which recognises CP949/EUC-KR).
    """
    if encoding is not None:
        codec = codecs.lookup(encoding).name
        body = _without_bom(data, codec)
        how = TextEncoding(codec, f"{codec} (declared in sources.yml)")
        text = _strict(body, codec, file, how, data_offset=len(data) - len(body))
        return _checked(text, file, how), how
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            how = TextEncoding(codec, f"{name} (by its byte-order mark)")
            text = _strict(data[len(bom) :], codec, file, how, data_offset=len(bom))
            return _checked(text, file, how), how
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            name = "UTF-16 LE" if utf16.endswith("le") else "UTF-16 BE"
            how = TextEncoding(utf16, f"{name} (no byte-order mark; recognised by its NUL bytes)")
            return _checked(_strict(data, utf16, file, how), file, how), how
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SourceError(
            file,
            f"line {line}",
            "text",
            "a NUL byte (binary data?)",
            hint="If the file is text in an encoding with NUL bytes (UTF-16 or UTF-32 without a "
            f"byte-order mark), {DECLARE_ENCODING} (utf-16-le, utf-16-be, utf-32-le, …).",
        )
    try:
        how = TextEncoding("utf-8", "UTF-8")
        return _checked(data.decode("utf-8"), file, how), how
    except UnicodeDecodeError:
        text, detected = _detected(data, file)
        how = TextEncoding(
            codecs.lookup(detected).name, f"{detected} (detected by charset-normalizer: not UTF-8)"
        )
        return _checked(text, file, how), how


def _without_bom(data: bytes, codec: str) -> bytes:
    """The bytes after a byte-order mark of ``codec`` (``utf-16``, ``utf-8-sig`` read their own)."""
    for bom, name, _ in _BOMS:
        if codec == name and data.startswith(bom):
            return data[len(bom) :]
    return data


def _strict(body: bytes, codec: str, file: str, how: TextEncoding, data_offset: int = 0) -> str:
    try:
        return body.decode(codec)
    except UnicodeDecodeError as error:
        line = _line_at(body, error.start, codec)
        bad = body[error.start : error.start + 4].hex(" ")
        raise SourceError(
            file,
            f"line {line}, byte {data_offset + error.start}",
            f"text in {how}",
            f"bytes {bad} that are not {codec} ({error.reason})",
            hint=f"If the file is in another encoding, {DECLARE_ENCODING} "
            "(utf-8, cp949, euc-kr, utf-16, …).",
        ) from None


def _line_at(body: bytes, offset: int, codec: str) -> int:
    """The line of the byte ``offset`` (counted in the decodable text before it)."""
    return body[:offset].decode(codec, errors="replace").count("\n") + 1


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NUL bytes stand in (nearly) every odd/even position, as in
    UTF-16 text of mostly ASCII characters; None for binary data, whose NULs fall anywhere."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    half = len(data) // 2
    if odd.count(0) >= 0.9 * half and even.count(0) == 0:
        codec = "utf-16-le"
    elif even.count(0) >= 0.9 * half and odd.count(0) == 0:
        codec = "utf-16-be"
    else:
        return None
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return None
    return codec


# A control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) is never a cell's
# text, except the tab, line feed, form feed and carriage return that lay text out: one found is
# binary data, a file of another kind or text in another encoding. Every reader of text and of
# publishers' cells refuses them by this one rule.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _checked(text: str, file: str, how: TextEncoding) -> str:
    """``text``, unless it holds a control character (binary data read as text)."""
    found = CONTROL_CHARACTER.search(text)
    control = found.start() if found else None
    if control is not None:
        line = text[:control].count("\n") + 1
        start = text.rfind("\n", 0, control) + 1
        stop = text.find("\n", control)
        words = text[start : stop if stop >= 0 else None].split()
        raise SourceError(
            file,
            f"line {line}",
            "text",
            f"a control character {text[control]!r} when read as {how} (binary data, a file of "
            "another kind, or text in another encoding?)",
            hint=encoding_hint(words, how)
            or f"If the file is text in another encoding, {DECLARE_ENCODING}.",
        )
    return text


def _detected(body: bytes, file: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None:
        raise SourceError(
            file,
            "whole file",
            "text in UTF-8, UTF-16 or a Korean encoding (CP949, EUC-KR)",
            "bytes that no encoding reads (binary data?)",
            hint=f"If the file is text, {DECLARE_ENCODING}.",
        )
    return str(best), best.encoding


# Mis-decoded Korean: the bytes of one encoding read as another ("±¸ºÐ" for 구분 in CP949 read
# as Latin-1, "援щ텇" for 구분 in UTF-8 read as CP949). Each pair is (read as, written in).
_MISREADINGS = (
    ("latin-1", "cp949"),
    ("latin-1", "utf-8"),
    ("cp1252", "cp949"),
    ("cp1252", "utf-8"),
    ("cp949", "utf-8"),
)
_HANGUL = re.compile("[\uac00-\ud7a3]")


def misread_korean(texts: list[str]) -> tuple[str, str, str, str] | None:
    """``(text, repaired, read as, written in)`` for the first text that reads as Korean once its
    characters are taken back to the bytes of one encoding and read in another; else None."""
    for text in texts:
        if text.isascii():
            continue
        for read_as, written_in in _MISREADINGS:
            try:
                repaired = text.encode(read_as).decode(written_in)
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if repaired != text and len(_HANGUL.findall(repaired)) > len(_HANGUL.findall(text)):
                return text, repaired, read_as, written_in
    return None


def encoding_hint(texts: list[str], how: TextEncoding) -> str | None:
    """A hint that the file's text is likely in another encoding than it was read in."""
    misread = misread_korean(texts)
    if misread is not None:
        text, repaired, read_as, written_in = misread
        seen = f"{text[:30]!r} reads {repaired[:30]!r} as {written_in} bytes taken for {read_as}"
        if codecs.lookup(read_as).name == how.codec:
            return (
                f"The labels look mis-decoded: {seen}. The file was read as {how}: "
                f"{DECLARE_ENCODING.replace('<name>', written_in)}."
            )
        return (
            f"The labels look mis-decoded: {seen}. The file was read as {how} and holds that "
            "garbled text itself (it was saved after being read in the wrong encoding): save it "
            "again from the original"
            + (" in UTF-8." if written_in == "utf-8" else f" (in UTF-8, or in {written_in}).")
        )
    if "charset-normalizer" in how.how or "declared" in how.how:
        return (
            f"The file was read as {how}; if that is not its encoding, {DECLARE_ENCODING} "
            "(utf-8, cp949, euc-kr, utf-16, …)."
        )
    return None
