"""Text from raw files made safe to print: a name shown on a terminal or written to a log.

A file name, a label or a 회계 as published may hold control characters: ``ESC c`` clears a
terminal, a newline forges a line of its own ("all 149 checks passed"), a right-to-left override
reverses what follows. Wherever such text is shown to a person (error messages, the run's
lines, its log), each of these characters is written as its escape (``\\x1b``, ``\\n``,
``\\u202e``) instead, so what is printed is exactly what the file holds, visibly. Hangul and every
other printable character stay as they are.
"""

from __future__ import annotations

import re

# C0 controls (newline and tab included), DEL, C1 controls, and the Unicode format characters
# that reorder or hide text: bidirectional embeddings, overrides and isolates, zero-width
# joiners and marks, the line and paragraph separators, the byte order mark.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    character = match[0]
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` (``str()`` of it) with every control or reordering character escaped."""
    return _UNPRINTABLE.sub(_escape, str(text))


def printable_lines(text: object) -> str:
    """``printable`` for text of several lines: each line escaped, the newlines between kept."""
    return "\n".join(printable(line) for line in str(text).split("\n"))
