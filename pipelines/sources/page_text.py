"""A published page's text as lines, headings, bulleted lists and paragraphs.

Pages copied from the web vary in ways that carry no meaning: Windows line endings, extra blank
lines, the bullet character (``•``, ``·``, ``-``, ``*``), numbered items (``1.``, ``(1)``, ``①``),
a long item wrapped onto the next line. These helpers absorb such variants, so the section parsers
(``plan_hierarchy``, ``plan_sections``) see the same items whichever way the page was copied, and
every item keeps the lines it was read from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.core.errors import SourceError

# A list item starts with a bullet character or a number. A hyphen, an asterisk and a number need a
# space after them, so that "-1,000", "*note" or "3.5 trillion" never read as bullets.
BULLET = re.compile(
    r"^\s*(?:[•·∙◦‣▪▫■□●○◆◇・‧⁃]\s*"
    r"|[-–*]\s+"
    r"|[0-9]{1,2}[.)]\s+"
    r"|\([0-9]{1,2}\)\s*"
    r"|[\u2460-\u2473]\s*)"
)


@dataclass(frozen=True)
class TextItem:
    """One list item, heading or paragraph: its text with whitespace collapsed, and its lines."""

    text: str
    first_line: int  # 1-based line of the file
    last_line: int

    @property
    def place(self) -> str:
        """``line 28`` or ``lines 36–37``, for messages and source locators."""
        if self.first_line == self.last_line:
            return f"line {self.first_line}"
        return f"lines {self.first_line}–{self.last_line}"


def collapse(text: str) -> str:
    """Runs of whitespace (also non-breaking spaces and tabs) as one space, trimmed."""
    return " ".join(text.split())


def page_lines(text: str, file: str) -> list[str]:
    """The page's lines without line endings (``\\n`` or ``\\r\\n``); NUL bytes are an error."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SourceError(file, f"line {line}", "text", "a NUL byte (binary data?)")
    return [line.rstrip("\r") for line in text.split("\n")]


def bullet_text(line: str) -> str | None:
    """The item's text when ``line`` starts a list item, else None."""
    match = BULLET.match(line)
    return collapse(line[match.end() :]) if match else None


def find_heading(lines: Sequence[str], pattern: re.Pattern[str], file: str, what: str) -> int:
    """Index of the one line that is a heading matching ``pattern`` (a list item never is)."""
    found = [
        index
        for index, line in enumerate(lines)
        if bullet_text(line) is None and pattern.fullmatch(collapse(line))
    ]
    if not found:
        raise SourceError(file, "whole file", f"a heading {what}", "no such line")
    if len(found) > 1:
        where = ", ".join(str(index + 1) for index in found)
        raise SourceError(file, f"lines {where}", f"one heading {what}", f"{len(found)} headings")
    return found[0]


def bullet_list(lines: Sequence[str], after: int, file: str, what: str) -> list[TextItem]:
    """The bulleted list that follows line index ``after`` (blank lines in between are skipped).

    A line without a bullet right below an item (no blank line between) continues that item, as a
    wrapped line does. The list ends at the first other line without a bullet, or at the end.
    """
    items: list[TextItem] = []
    previous_blank = True
    for index in range(after + 1, len(lines)):
        line = lines[index]
        if not line.strip():
            previous_blank = True
            continue
        text = bullet_text(line)
        if text is not None:
            items.append(TextItem(text, index + 1, index + 1))
        elif items and not previous_blank:
            last = items[-1]
            items[-1] = TextItem(collapse(f"{last.text} {line}"), last.first_line, index + 1)
        else:
            if not items:
                raise SourceError(
                    file,
                    f"line {index + 1}",
                    f"a bulleted list of {what} below line {after + 1}",
                    repr(collapse(line)),
                )
            break
        previous_blank = False
    if not items:
        raise SourceError(
            file, f"line {after + 1}", f"a bulleted list of {what} below it", "the end of the page"
        )
    return items


def paragraphs(lines: Sequence[str]) -> list[TextItem]:
    """Runs of consecutive non-blank lines, each joined into one text (wrapped prose)."""
    found: list[TextItem] = []
    start: int | None = None
    for index, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = index
        elif not line.strip() and start is not None:
            text = collapse(" ".join(lines[start:index]))
            found.append(TextItem(text, start + 1, index))
            start = None
    return found
