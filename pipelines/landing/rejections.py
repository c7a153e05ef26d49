"""The record of rejected raw files: ``<build reports>/rejected_files.json``.

Ingest checks every registered file (and every file nobody registered) before it stops, so one run
names all the files that need fixing. Each rejection is written, before the run fails, as
``{"file", "place", "expected", "found", "message"}``: ``file`` is the name inside ``data_raw/``
(or the path, for a file outside it), the rest are the parts of the ``SourceError``. The file is
appended to, so the budget and plan-document steps of one run share it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from pipelines.core.errors import SourceError

REJECTED_FILES = "rejected_files.json"
S = TypeVar("S")
T = TypeVar("T")


class RejectedFilesError(SourceError):
    """More than one raw file was rejected; the message lists every one."""

    def __init__(self, errors: Sequence[SourceError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.file, first.place, first.expected, first.found)
        self.args = (
            f"{len(self.errors)} raw files rejected:\n" + "\n".join(str(e) for e in self.errors),
        )

    def __str__(self) -> str:
        return self.args[0]


def record_rejections(reports_dir: Path, data_raw_dir: Path, errors: Sequence[SourceError]) -> Path:
    """Append ``errors`` to the build's ``rejected_files.json``; returns its path."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / REJECTED_FILES
    records = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    for error in errors:
        records.append(
            {
                "file": _name_in(error.file, data_raw_dir),
                "place": error.place,
                "expected": error.expected,
                "found": error.found,
                "message": str(error),
            }
        )
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def parse_every(
    sources: Iterable[S],
    parse: Callable[[S], T],
    reports_dir: Path,
    data_raw_dir: Path,
    rejected: Sequence[SourceError] = (),
) -> list[T]:
    """``parse`` each source; if any failed (or ``rejected`` holds errors found before), record
    every rejection in the build's reports and raise them together: one run names all the files
    that need fixing."""
    parsed, errors = [], list(rejected)
    for source in sources:
        try:
            parsed.append(parse(source))
        except SourceError as error:
            errors.append(error)
    if errors:
        record_rejections(reports_dir, data_raw_dir, errors)
        raise_rejections(errors)
    return parsed


def raise_rejections(errors: Sequence[SourceError]) -> None:
    """Raise the one error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise RejectedFilesError(errors)


def _name_in(file: str, data_raw_dir: Path) -> str:
    path = Path(file)
    try:
        return str(path.resolve().relative_to(data_raw_dir.resolve()))
    except ValueError:
        return file
