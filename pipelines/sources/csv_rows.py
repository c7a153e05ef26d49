"""The CSV files people keep by hand in the raw folder (control totals, cited figures,
acknowledged differences), read one way: within the limits every CSV reader applies, decoded as
budget CSVs are, each record with the line it ends on, blank rows passed over and a ragged row
refused by its line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from pipelines.core import limits
from pipelines.core.errors import SourceError
from pipelines.sources.table_files import decode_text


def csv_table(data: bytes, file: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]] | None:
    """The header (each name's spaces folded) and the rows below it of a CSV file, with their
    lines; None for a blank file. A row of another width than the header stops with its line."""
    limits.check_csv(data, file)  # before csv reads a byte
    text, _ = decode_text(data, file)
    if not text.strip():
        return None
    records = csv_records(text, file)
    headers = [" ".join(name.split()) for name in next(records)[1]]
    return headers, _rows(records, len(headers), file)


def _rows(
    records: Iterator[tuple[int, list[str]]], width: int, file: str
) -> Iterator[tuple[int, list[str]]]:
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != width:
            raise SourceError(
                file, f"line {number}", f"{width} fields", f"{len(cells)} (ragged row)"
            )
        yield number, cells


def csv_records(text: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it ends on; one ``csv`` cannot read is named by that line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:  # a quoted field past csv's field limit, spanning lines
        raise SourceError(
            file,
            f"line {reader.line_num}",
            f"CSV fields of at most {csv.field_size_limit():,} characters",
            str(error),
        ) from None


def check_header(headers: list[str], columns: Sequence[str], file: str) -> None:
    """The header is ``columns``, in order; otherwise what is missing, unknown or out of order."""
    if headers == list(columns):
        return
    missing = [name for name in columns if name not in headers]
    extra = [name for name in headers if name not in columns]
    found = "; ".join(
        part
        for part in (
            missing and f"no {', '.join(map(repr, missing))}",
            extra and f"unknown {', '.join(map(repr, extra))}",
            not missing and not extra and "the columns in another order",
        )
        if part
    )
    raise SourceError(file, "line 1", f"the header {','.join(columns)}", found)
