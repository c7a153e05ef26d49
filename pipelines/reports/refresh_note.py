"""The published build's note on its latest refresh: was a later refresh refused?

A refused refresh never touches the published build: not its database, not its ``dq.json``,
not its report's pages. Yet an analyst opening the published report should learn that the
latest refresh was refused, when, why, and where its report is. So each published report
shows, in a frame (the page's one embedded file, beside it; no script), a small note:

- ``latest_refresh.json``: the record, for machines: ``status`` (``published`` or ``refused``),
  the published build, and for a refusal its run, time (UTC), reason and the failed report's
  path;
- ``latest_refresh.html`` and ``latest_refresh.ko.html``: the same in words, read by the frame of
  ``index.html`` and ``index.ko.html``.

Publishing writes the note with the report ("published by run …; no refresh refused since").
A refused run rewrites these three files, and only them, in the published reports folder, each
written to a temporary file and renamed over the old one, so a reader sees the old note or the
new one, never half of one. The next build to be published comes with its own folder and its own
note; a rollback publishes a kept copy with the note it was published with.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from pipelines.reports.html_pages import page_environment

NOTE_JSON = "latest_refresh.json"
NOTE_PAGES = {"en": "latest_refresh.html", "ko": "latest_refresh.ko.html"}
FAILED_PAGES = {"en": "index.html", "ko": "index.ko.html"}

TEXT = {
    "title": ("The latest refresh", "최근 갱신"),
    "published": (
        "<b>Latest refresh:</b> this build, published on {at} UTC by run <code>{run}</code>. "
        "No refresh has been refused since.",
        "<b>최근 갱신:</b> {at} (UTC)에 실행 <code>{run}</code>으로 게시된 이 빌드입니다. 그 뒤로 "
        "거부된 갱신은 없습니다.",
    ),
    "refused": (
        "<b>The latest refresh was refused.</b> Run <code>{run}</code>, on {at} UTC, failed its "
        "checks — {reason}. This build, <code>{build}</code>, is still the published one: the "
        "figures of this report stand.",
        "<b>최근 갱신이 거부되었습니다.</b> {at} (UTC) 실행 <code>{run}</code>이 검증을 통과하지 "
        "못했습니다 — {reason}. 게시된 빌드는 여전히 이 빌드(<code>{build}</code>)이며, "
        "이 보고서의 "
        "수치는 그대로 유효합니다.",
    ),
    "its_report": ("The refused run's report →", "거부된 실행의 보고서 →"),
}


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def published_note(build_id: str | None, run_id: str | None) -> dict[str, Any]:
    """The note a build is published with."""
    return {"status": "published", "build_id": build_id, "run_id": run_id, "at_utc": now_utc()}


def refusal_note(
    published_reports: Path,
    published_build_id: str | None,
    run_id: str,
    reason: dict[str, str],
    failed_reports: Path,
) -> dict[str, Any]:
    """The note of a refused run: when, which run, why, and its report (a path relative to the
    published reports folder as the warehouse names it, ``reports/``, and the absolute one)."""
    return {
        "status": "refused",
        "published_build_id": published_build_id,
        "refused_run_id": run_id,
        "refused_at_utc": now_utc(),
        "reason": reason,
        "failed_report": {
            lang: os.path.relpath(failed_reports / page, published_reports)
            for lang, page in FAILED_PAGES.items()
        },
        "failed_report_path": str(failed_reports / FAILED_PAGES["en"]),
    }


def render_note(note: dict[str, Any], lang: str) -> str:
    environment = page_environment()

    def t(key: str, **values: Any) -> Markup:
        english, korean = TEXT[key]
        return Markup(korean if lang == "ko" else english).format(**values)

    environment.globals["t"] = t
    return environment.get_template("refresh_note.html.j2").render(note=note, lang=lang)


def write_atomically(path: Path, text: str) -> None:
    """``text`` into ``path`` through a temporary file beside it, flushed, then renamed over it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_note(reports_dir: Path, note: dict[str, Any]) -> Path:
    """The note's record and its two pages in ``reports_dir``; returns the record's path."""
    for lang, page in NOTE_PAGES.items():
        write_atomically(reports_dir / page, render_note(note, lang))
    record = reports_dir / NOTE_JSON
    write_atomically(record, json.dumps(note, indent=2, ensure_ascii=False))
    return record


def read_note(reports_dir: Path) -> dict[str, Any] | None:
    path = reports_dir / NOTE_JSON
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
