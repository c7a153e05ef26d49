"""The "Structure of the Special Accounts" matrix: formulation methods ①–⑧, by account and by
who formulates them.

The page's table reaches its text flattened (``data_raw/``, lines 79–86; long lines cut with …)::

    Local Autonomous Account Local Support Account Sejong Special … Account Jeju Special … Account
    Formulated Autonomously by Local Governments By Cities and Provinces ①Formulated … - ③Projects …
    * Including Infrastructure Projects by Districts, Cities and Provinces
    ④Projects Formulated Autonomously by Districts, Cities and Provinces
    * Including Infrastructure Projects by Districts, Cities and Provinces
    ⑤ Expenses for Transferring Special Local Administrative Agencies’ Work Outside the Capital …
    By Districts, Cities and Provinces ② Formulated Autonomously by Districts, Cities and … -
    Formulated by Government Agencies - ⑥ Projects Formulated by … ⑦ Projects … ⑧ Projects …

How it is read (names come from ``ref_plan_labels.csv``, never from code):

- **Columns**: the one line made only of account names (label kind ``account``), in order.
- **Rows**: a line that starts with a formulator's label (kind ``formulator``) followed by a cell
  starts a row; its group's label may stand before it ("Formulated Autonomously by Local
  Governments"). Other lines continue the row above.
- **Cells**: every numbered method (``①``, ``1.``, ``1)`` or ``(1)``) and every ``-`` (no method) is
  an item; ``*`` starts a note on the method before it; other text continues the method or note
  before it (a wrapped line).
- **Items to columns**: a row's items fill its columns left to right, one each, and the last column
  takes the items left over. The flattened text does not show where a cell holding two methods
  ends; on this page this rule reads ④ and ⑤ as the Jeju account's (⑤ pays for the work of
  special local administrative agencies transferred to Jeju), as issue 3 reads the page.
- **Merged cells**: a row with fewer items than columns, in the same group as the row above, fills
  its leftmost columns; the cells of the other columns span both rows. A method whose cell spans
  the rows of a group is formulated by the group (e.g. local governments, both levels).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipelines.core.errors import SourceError
from pipelines.sources.page_text import collapse
from pipelines.sources.reference import label_key

CIRCLED_NUMBERS = "".join(chr(code) for code in range(0x2460, 0x2474))  # ① … ⑳
ITEM_START = re.compile(
    r"(?P<circled>[\u2460-\u2473])\s*"
    r"|(?<!\S)\((?P<parenthesized>[0-9]{1,2})\)\s*"
    r"|(?<!\S)(?P<numbered>[0-9]{1,2})[.)](?![0-9])\s*"
    r"|(?<!\S)(?P<empty>[-–—－])(?!\S)\s*"
    r"|(?<!\S)(?P<note>[*※])\s*"
)


@dataclass(frozen=True)
class MatrixLabels:
    """Reference labels the matrix is read with, keyed by ``reference.label_key``."""

    accounts: Mapping[str, str]  # label key → account code
    formulators: Mapping[str, str]  # label key → formulator code
    parents: Mapping[str, str | None]  # formulator code → the group it belongs to

    def is_group(self, formulator: str) -> bool:
        return formulator in self.parents.values()


@dataclass(frozen=True)
class MatrixColumn:
    label: str  # as printed
    account_code: str


@dataclass(frozen=True)
class FormulationMethod:
    """One numbered method: where the matrix puts it and what it says, as printed."""

    number: int
    marker: str  # as printed: "①", "1." or "(1)"
    description: str
    starred_notes: tuple[str, ...]  # the notes marked '*' below it, without the '*'
    column_number: int  # 1-based
    column_label: str
    account_code: str
    row_labels: tuple[str, ...]  # the row label of every row its cell covers, as printed
    formulator_code: str
    first_line: int
    last_line: int


@dataclass(frozen=True)
class StructureMatrix:
    columns: tuple[MatrixColumn, ...]
    header_line: int
    methods: tuple[FormulationMethod, ...]  # in order of their numbers


@dataclass
class _Item:
    number: int | None  # None for '-', a cell without a method
    marker: str
    first_line: int
    last_line: int
    words: list[str] = field(default_factory=list)
    notes: list[list[str]] = field(default_factory=list)


@dataclass
class _Row:
    label: str
    formulator_code: str
    group_code: str | None
    line: int
    items: list[_Item] = field(default_factory=list)


@dataclass
class _Cell:
    column: int
    items: list[_Item]
    rows: list[_Row]


def parse_structure_matrix(
    lines: Sequence[str], labels: MatrixLabels, file: str
) -> StructureMatrix:
    header_index, columns = _find_header(lines, labels, file)
    rows = _read_rows(lines, header_index, labels, file)
    cells = _cells(rows, columns, file)
    methods = [
        method for cell in cells for method in _methods_of(cell, columns, labels.parents, file)
    ]
    _check_numbering(methods, file)
    return StructureMatrix(
        columns=tuple(columns),
        header_line=header_index + 1,
        methods=tuple(sorted(methods, key=lambda method: method.number)),
    )


def _spaced(line: str) -> list[str]:
    """The line's words, with circled numbers standing apart ("Provinces①Formulated" → 3 words)."""
    return re.sub(r"([\u2460-\u2473])", r" \1 ", line).split()


def _labels_in(words: list[str], known: Mapping[str, str]) -> list[tuple[str, str]] | None:
    """The words as a sequence of known labels (longest first), or None if anything is left."""
    found, start = [], 0
    while start < len(words):
        for end in range(len(words), start, -1):
            printed = " ".join(words[start:end])
            if label_key(printed) in known:
                found.append((printed, known[label_key(printed)]))
                start = end
                break
        else:
            return None
    return found


def _leading_label(words: list[str], known: Mapping[str, str]) -> tuple[str, str, int] | None:
    """The longest known label the words start with: (printed, code, words used)."""
    for end in range(len(words), 0, -1):
        printed = " ".join(words[:end])
        if label_key(printed) in known:
            return printed, known[label_key(printed)], end
    return None


def _find_header(
    lines: Sequence[str], labels: MatrixLabels, file: str
) -> tuple[int, list[MatrixColumn]]:
    """The first run of lines made only of account names, two or more of them."""
    for index, line in enumerate(lines):
        columns: list[MatrixColumn] = []
        end = index
        while end < len(lines) and lines[end].strip():
            found = _labels_in(_spaced(lines[end]), labels.accounts)
            if not found:
                break
            columns += [MatrixColumn(printed, code) for printed, code in found]
            end += 1
        if len(columns) >= 2:
            codes = [column.account_code for column in columns]
            if len(set(codes)) != len(codes):
                raise SourceError(
                    file,
                    f"line {index + 1}",
                    "each account once in the header of the structure matrix",
                    repr(collapse(line)),
                )
            return end - 1, columns
    raise SourceError(
        file,
        "whole file",
        "a header line of the structure matrix made of account names listed in "
        "dbt_project/seeds/ref_plan_labels.csv (label_kind account), such as "
        "'Local Autonomous Account Local Support Account …'",
        "no such line",
    )


def _row_start(
    line: str, labels: MatrixLabels, pending_group: str | None
) -> tuple[str, str, str | None, str] | None:
    """(printed label, formulator, group, rest of line) when ``line`` starts a row.

    A label starts a row only when a cell follows it on the same line, so that a wrapped line that
    happens to begin with words of a label ("Cities and Provinces …") is not read as a row.
    A group's label on a line of its own is returned with an empty formulator.
    """
    words = _spaced(line)
    leading = _leading_label(words, labels.formulators)
    if leading is None:
        return None
    printed, code, used = leading
    group = pending_group
    if labels.is_group(code):
        inner = _leading_label(words[used:], labels.formulators)
        if inner is not None:
            group, (printed_row, code, inner_used) = code, inner
            printed, used = f"{printed} {printed_row}", used + inner_used
        elif used == len(words):
            return printed, "", code, ""
    rest = " ".join(words[used:])
    start = ITEM_START.match(rest)
    if start is None or start["note"]:
        return None
    return printed, code, group, rest


def _read_rows(
    lines: Sequence[str], header_index: int, labels: MatrixLabels, file: str
) -> list[_Row]:
    rows: list[_Row] = []
    pending_group: str | None = None
    after_blank = False
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        if not line.strip():
            after_blank = True
            continue
        start = _row_start(line, labels, pending_group)
        if start is not None:
            printed, code, group, rest = start
            if not code:  # a group's label on its own line: its rows follow
                pending_group = group
                after_blank = False
                continue
            parent = labels.parents.get(code)
            if group is not None and parent != group:
                raise SourceError(
                    file,
                    f"line {index + 1}",
                    f"a row of the group printed before it ({group}) per "
                    "dbt_project/seeds/ref_formulators.csv",
                    f"{printed!r}, which belongs to {parent or 'no group'}",
                )
            pending_group = None
            rows.append(_Row(printed, code, parent, index + 1))
            _add_text(rows[-1], rest, index + 1, file)
        elif rows and (not after_blank or ITEM_START.match(line.strip())):
            _add_text(rows[-1], line, index + 1, file)
        elif rows:
            break  # a line after a blank line that belongs to no row: the matrix has ended
        else:
            raise SourceError(
                file,
                f"line {index + 1}",
                "a row of the structure matrix below its header: a formulator's label listed in "
                "dbt_project/seeds/ref_plan_labels.csv (label_kind formulator) followed by a "
                "numbered method or '-'",
                repr(collapse(line)),
            )
        after_blank = False
    if not rows:
        raise SourceError(
            file,
            f"line {header_index + 2}",
            "rows of the structure matrix below its header",
            "the end of the page",
        )
    return rows


def _add_text(row: _Row, text: str, line_number: int, file: str) -> None:
    """Split a row's text into items ('-' or numbered), notes ('*') and wrapped continuations."""
    position = 0
    for match in ITEM_START.finditer(text):
        _continue(row, text[position : match.start()], line_number, file)
        position = match.end()
        if match["note"]:
            item = row.items[-1] if row.items else None
            if item is None or item.number is None:
                raise SourceError(
                    file,
                    f"line {line_number}",
                    "a note ('*') right below a numbered method",
                    repr(collapse(text)),
                )
            item.notes.append([])
            item.last_line = line_number
            continue
        if match["empty"]:
            number, marker = None, match["empty"]
        elif match["circled"]:
            number, marker = CIRCLED_NUMBERS.index(match["circled"]) + 1, match["circled"]
        else:
            number = int(match["parenthesized"] or match["numbered"])
            marker = match[0].strip()
        row.items.append(_Item(number, marker, line_number, line_number))
    _continue(row, text[position:], line_number, file)


def _continue(row: _Row, text: str, line_number: int, file: str) -> None:
    """Text that is not an item's start belongs to the method (or its note) before it."""
    words = text.split()
    if not words:
        return
    item = row.items[-1] if row.items else None
    if item is None or item.number is None:
        raise SourceError(
            file,
            f"line {line_number}",
            "a numbered method (①, 1. or (1)) or '-' for none; text only after a method",
            repr(collapse(text)),
        )
    (item.notes[-1] if item.notes else item.words).extend(words)
    item.last_line = line_number


def _cells(rows: list[_Row], columns: list[MatrixColumn], file: str) -> list[_Cell]:
    width = len(columns)
    cells: list[_Cell] = []
    above: list[_Cell] = []
    previous: _Row | None = None
    for row in rows:
        count = len(row.items)
        if count >= width:
            groups = [[item] for item in row.items[: width - 1]] + [row.items[width - 1 :]]
            current = [_Cell(column, items, [row]) for column, items in enumerate(groups)]
        elif (
            count > 0
            and previous is not None
            and row.group_code is not None
            and (row.group_code == previous.group_code)
        ):
            current = [_Cell(column, [item], [row]) for column, item in enumerate(row.items)]
            for spanned in above[count:]:
                spanned.rows.append(row)
                current.append(spanned)
        else:
            raise SourceError(
                file,
                f"line {row.line}",
                f"{width} cells in row {row.label!r}, one per account "
                f"({', '.join(column.label for column in columns)}), '-' where there is no "
                "method (fewer only below a row of the same group, whose cells then span both)",
                f"{count}",
            )
        for cell in current:
            if len(cell.items) > 1 and any(item.number is None for item in cell.items):
                raise SourceError(
                    file,
                    f"line {row.line}",
                    f"at most {width} cells in row {row.label!r}, a '-' alone in its cell",
                    f"{count} items: {' '.join(item.marker for item in row.items)}",
                )
        cells += [cell for cell in current if cell.rows[0] is row]
        above, previous = current, row
    return cells


def _methods_of(
    cell: _Cell, columns: list[MatrixColumn], parents: Mapping[str, str | None], file: str
) -> list[FormulationMethod]:
    formulators = {row.formulator_code for row in cell.rows}
    formulator: str | None
    if len(formulators) == 1:
        (formulator,) = formulators
    else:
        groups = {parents.get(code) for code in formulators}
        if len(groups) != 1 or None in groups:
            raise SourceError(
                file,
                f"line {cell.rows[0].line}",
                "a merged cell to span rows of one group",
                ", ".join(row.label for row in cell.rows),
            )
        (formulator,) = groups
        assert formulator is not None
    column = columns[cell.column]
    return [
        FormulationMethod(
            number=item.number,
            marker=item.marker,
            description=" ".join(item.words),
            starred_notes=tuple(" ".join(note) for note in item.notes if note),
            column_number=cell.column + 1,
            column_label=column.label,
            account_code=column.account_code,
            row_labels=tuple(row.label for row in cell.rows),
            formulator_code=formulator,
            first_line=item.first_line,
            last_line=item.last_line,
        )
        for item in cell.items
        if item.number is not None
    ]


def _check_numbering(methods: list[FormulationMethod], file: str) -> None:
    """Methods are numbered 1, 2, … without a gap or a repeat (in any order on the page)."""
    numbers = sorted(method.number for method in methods)
    expected = list(range(1, len(numbers) + 1))
    if numbers != expected:
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
        lines = sorted({method.first_line for method in methods})
        problems = [f"number {n} twice" for n in repeated] + [f"no number {n}" for n in missing]
        raise SourceError(
            file,
            f"lines {lines[0]}–{lines[-1]}" if lines else "whole file",
            f"formulation methods numbered 1 to {len(numbers)} without a gap or a repeat",
            ", ".join(problems) or "no numbered method",
        )
