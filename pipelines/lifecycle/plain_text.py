"""Markdown as the plain text a BI tool shows: the marts' comments.

The descriptions are written once, in the dbt YAML and doc blocks, as Markdown: the dbt docs site
renders it. Superset, Metabase, DBeaver and SQL IDEs show a comment as it is, in a tooltip or a
grid cell of one line, where ``**Grain**:``, backticks, ``[text](address)``, list markers, table
pipes and the YAML's wrapped lines are noise. ``markdown_to_text`` turns one into the other: the
words stay, the markup goes, and the result is one line.

It covers what the descriptions use and the rest of common Markdown (headings, emphasis, code,
links, images, lists, block quotes, tables, fenced code, rules, hard breaks, escapes); it is not a
full CommonMark parser, and needs none: the text is ours.
"""

from __future__ import annotations

import re

# A code span's text is taken out before anything else and put back last, so that ``*`` or ``_``
# inside it (``a_b``, ``*``) is never read as emphasis. Private-use characters mark its place.
_HOLE = "\ue000{}\ue001"
_HOLE_PATTERN = re.compile("\ue000([0-9]+)\ue001")
_CODE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]+)>")
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Emphasis: the delimiter touches the text on both sides (``* note`` or ``2 * 3`` is no emphasis),
# and ``_`` only between non-word characters (``share_of_year_pct`` stays as it is).
_EMPHASIS = (
    re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])"),
    re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"),
    re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"),
    re.compile(r"(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"),
    re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"),
)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|[0-9]{1,9}[.)])\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_FENCED = re.compile(r"^ {0,3}(```+|~~~+)[^\n]*\n(.*?)\n {0,3}\1[ \t]*$", re.MULTILINE | re.DOTALL)
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$")
_SPACES = re.compile(r"\s+")
_ENDINGS = (".", "!", "?", ":", ";", "…", "。")


def markdown_to_text(markdown: str) -> str:
    """``markdown`` as readable plain text on one line.

    Paragraphs, list items, headings and table rows become sentences, one after another (a full
    stop added between them where one has none). A table row reads ``header: value, header:
    value.``; a link ``text (address)`` (only ``text`` for an address within the project); code
    and emphasis keep their words."""
    code: list[str] = []

    def hold(match: re.Match[str]) -> str:
        code.append(_SPACES.sub(" ", match[2]).strip() or match[2])
        return _HOLE.format(len(code) - 1)

    def hold_block(match: re.Match[str]) -> str:
        code.append(_SPACES.sub(" ", match[2]).strip())
        return f"\n{_HOLE.format(len(code) - 1)}\n"

    markdown = markdown.replace("\r\n", "\n").replace("\r", "\n")
    markdown = _CODE.sub(hold, _FENCED.sub(hold_block, markdown))
    pieces = [_inline(piece) for piece in _blocks(markdown)]
    pieces = [piece for piece in pieces if piece]
    text = " ".join([*(_sentence(piece) for piece in pieces[:-1]), *pieces[-1:]])
    return _HOLE_PATTERN.sub(lambda match: code[int(match[1])], text)


def _blocks(markdown: str) -> list[str]:
    """The text of each paragraph, heading, list item and table row, in order, markup removed
    (a fenced code block is a paragraph of its own by then, held like a code span)."""
    pieces: list[str] = []
    current: list[str] = []
    lines = markdown.split("\n")

    def flush() -> None:
        if current:
            pieces.append(" ".join(current))
            current.clear()

    index = 0
    while index < len(lines):
        line = _QUOTE.sub("", lines[index]).rstrip()
        index += 1
        if line.endswith("\\") and not line.endswith("\\\\"):
            line = line[:-1]  # a hard break: the lines are joined anyway
        if not line.strip() or _RULE.match(line):
            flush()
            continue
        if heading := _HEADING.match(line):
            flush()
            pieces.append(heading[1])
            continue
        if _is_table_start(line, lines, index):
            flush()
            header = _cells(line)
            index += 1  # the separator row
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                pieces.append(_table_row(header, _cells(lines[index])))
                index += 1
            continue
        if item := _LIST_ITEM.match(line):
            flush()
            current.append(item[1])
            continue
        current.append(line.strip())
    flush()
    return pieces


def _is_table_start(line: str, lines: list[str], next_index: int) -> bool:
    return (
        "|" in line
        and next_index < len(lines)
        and "|" in lines[next_index]
        and bool(_TABLE_SEPARATOR.match(lines[next_index]))
    )


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)]


def _table_row(header: list[str], cells: list[str]) -> str:
    pairs = []
    for number, cell in enumerate(cells):
        name = header[number] if number < len(header) else ""
        if cell:
            pairs.append(f"{name}: {cell}" if name else cell)
    return ", ".join(pairs)


def _inline(text: str) -> str:
    text = _LINE_BREAK_TAG.sub(" ", text)
    escaped: list[str] = []

    def keep(match: re.Match[str]) -> str:
        escaped.append(match[1])
        return f"\ue002{len(escaped) - 1}\ue003"

    text = _ESCAPE.sub(keep, text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(_link, text)
    text = _REFERENCE_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    for _ in range(2):  # emphasis within emphasis: ***both***, **bold with *italic***
        for pattern in _EMPHASIS:
            text = pattern.sub(r"\1", text)
    text = re.sub("\ue002([0-9]+)\ue003", lambda match: escaped[int(match[1])], text)
    return _SPACES.sub(" ", text).strip()


def _link(match: re.Match[str]) -> str:
    text, address = match[1], match[2]
    if not re.match(r"(?:https?|mailto|ftp):", address) or address == text:
        return text
    return f"{text} ({address})"


def _sentence(piece: str) -> str:
    """A piece followed by another ends as a sentence does: with a full stop unless it has its
    own punctuation."""
    return piece if _HOLE_PATTERN.sub("x", piece).endswith(_ENDINGS) else f"{piece}."
