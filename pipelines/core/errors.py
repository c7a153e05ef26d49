"""One exception type for bad input: every message names the file, the place and the expectation."""

from __future__ import annotations

from pipelines.core.printable import printable, printable_lines


class SourceError(ValueError):
    """A raw file that cannot be used as it is.

    The message always reads ``<file>, <place>: expected <what>, found <what>`` so that a data
    engineer can open the file at the right line without reading code. ``hint`` (how to fix it, or
    an example to copy) follows on lines of its own, so that a block meant to be copied (a YAML
    entry) carries no prose of the message.

    The message shows the file, place and values escaped (``core.printable``): a name holding a
    newline or a terminal's control sequence is printed as it is spelled, never obeyed. The
    attributes keep them as given.
    """

    def __init__(
        self,
        file: str,
        place: str,
        expected: str,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.place = place
        self.expected = expected
        self.found = found
        self.hint = hint
        message = f"{printable(file)}, {printable(place)}: expected {printable(expected)}"
        if found is not None:
            message += f", found {printable(found)}"
        if hint:
            message += f"\n{printable_lines(hint)}"
        super().__init__(message)
