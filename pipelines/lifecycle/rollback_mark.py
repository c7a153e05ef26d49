"""A build published again by ``make rollback`` says so, where analysts and BI tools look.

The kept copy in ``history/`` stays as it was (its sha256 is what a later rollback checks). The
copy that is published gets, before the switch:

- in ``marts.meta_build``: ``rolled_back_at_utc`` and ``rolled_back_from_build_id`` (a build
  published before these columns existed gains them);
- in its report: ``dq.json`` gains ``rollback`` and ``index.html`` is rendered again from it, with
  a banner above the verdict;
- in its ``build.json``: the database's new sha256 and meta_build row, so the published build
  is checked against what it is now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import PUBLISHED_NAME
from pipelines.lifecycle.build_meta import COLUMN_DOCS, META_TABLE, as_json_ready, read_meta_build
from pipelines.lifecycle.published_layout import RECORD_FILE
from pipelines.reports.dq_report import DQ_JSON, render_pages

MARK_COLUMNS = ("rolled_back_at_utc", "rolled_back_from_build_id")


@dataclass(frozen=True)
class Rollback:
    build_id: str  # the build published again
    at_utc: datetime  # when (UTC, naive)
    from_build_id: str | None  # the build published until then


def mark_rolled_back(folder: Path, rollback: Rollback, config: dict[str, Any]) -> None:
    """Mark the build in ``folder`` (a copy about to be published) as published again."""
    database = folder / PUBLISHED_NAME
    with duckdb.connect(str(database), config=config) as con:
        for column in MARK_COLUMNS:
            kind, _ = COLUMN_DOCS[column]
            # Names and types from the code, never from a file.
            con.execute(f"alter table {META_TABLE} add column if not exists {column} {kind}")
        con.execute(
            f"update {META_TABLE} set rolled_back_at_utc = ?, rolled_back_from_build_id = ?",
            [rollback.at_utc, rollback.from_build_id],
        )
        con.execute("checkpoint")
    meta = read_meta_build(database)
    record_path = folder / RECORD_FILE
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["sha256"] = file_sha256(database)
    if meta is not None:
        record["meta_build"] = as_json_ready(meta)
    record_path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    _mark_report(folder / "reports", rollback)


def _mark_report(reports: Path, rollback: Rollback) -> None:
    dq_path = reports / DQ_JSON
    if not dq_path.is_file():  # a build kept without its report: nothing to mark
        return
    dq = json.loads(dq_path.read_text(encoding="utf-8"))
    dq["rollback"] = {
        "build_id": rollback.build_id,
        "at_utc": rollback.at_utc.strftime("%Y-%m-%d %H:%M:%S"),
        "from_build_id": rollback.from_build_id,
    }
    dq_path.write_text(json.dumps(dq, indent=2, ensure_ascii=False), encoding="utf-8")
    try:
        pages = render_pages(dq)  # the English page and the Korean one
    except (KeyError, TypeError, AttributeError):  # a report of another shape: its pages stay
        return
    for name, html in pages.items():
        (reports / name).write_text(html, encoding="utf-8")
