"""Whether the published build was made from the inputs of now (a no-change ``make run``)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import Settings
from pipelines.lifecycle import run_inputs
from pipelines.lifecycle.history import MANIFEST, UnreadableEntryError, read_record
from pipelines.lifecycle.published_layout import current_folder


@dataclass(frozen=True)
class UpToDate:
    """The outcome of comparing the inputs with the published build's."""

    summary: str  # the line printed
    build_id: str | None = None  # set when the published build is up to date
    published: str | None = None


def compare_inputs(
    settings: Settings, years: tuple[int, int] | None, force: bool
) -> tuple[UpToDate, dict | None]:
    """Whether the published build was made from the inputs of now; and the inputs this run's
    build will record (None when it cannot vouch for them).

    The published build is up to date when it recorded its inputs, they equal those of now
    (every file of ``data_raw/`` by sha256, the registry among them, and ``code_fingerprint``),
    its database still has its recorded sha256, its history entry exists (a publish killed after
    its switch leaves work for the next run), and no failed or interrupted run left a build
    record. A run of some fiscal years is skipped on the same terms: a build from the inputs of
    now holds those years as they are. Reads only files; imports neither Dagster, dbt nor GX."""
    published = published_record(settings)
    recorded = published.get("inputs") if published else None
    try:
        current = run_inputs.current_inputs(settings.data_raw_dir, recorded)
    except OSError as error:  # an unreadable raw file: ingest names it, with its remedy
        return UpToDate(f"rebuilding: data_raw/ cannot be compared ({error.strerror})"), None
    if years is None:
        inputs = current
    else:
        span = list(range(years[0], years[1] + 1))
        inputs = run_inputs.inputs_of_fiscal_years_build(recorded, current, span)
    if force:
        return UpToDate("rebuilding: forced (--force)"), inputs
    if published is None:
        return UpToDate("rebuilding: no published build with a readable build.json"), inputs
    reasons = run_inputs.inputs_changed(recorded, current)
    if (settings.build_dir / "build.json").exists():
        reasons.append("the last run did not publish (its build record is in .build)")
    if not reasons:
        reasons = _published_problems(settings, published)
    if reasons:
        return UpToDate("rebuilding: changed since the published build: " + "; ".join(reasons)), (
            inputs
        )
    when = str(published.get("published_at_utc", "?"))
    when = when[:16].replace("T", " ") + " UTC" if len(when) >= 16 else when
    summary = f"unchanged since build {published['build_id']}: data_raw/, registry, code"
    return UpToDate(summary, published["build_id"], when), inputs


def published_record(settings: Settings) -> dict | None:
    """``build.json`` of the published build (through ``warehouse/current``), checked as history
    checks its entries (``history.read_record``); None when there is none or it is unreadable."""
    folder = current_folder(settings)
    if folder is None:
        return None
    try:
        return read_record(folder)
    except UnreadableEntryError:
        return None


def _published_problems(settings: Settings, record: dict) -> list[str]:
    """Why the published build, whose inputs are those of now, still needs a run."""
    if not settings.published_db.is_file():
        return ["the published database is missing"]
    if file_sha256(settings.published_db) != record.get("sha256"):
        return ["the published database does not have its recorded sha256"]
    try:
        manifest = json.loads((settings.history_dir / MANIFEST).read_text(encoding="utf-8"))
        kept = {entry.get("build_id") for entry in manifest.get("builds", [])}
    except (OSError, ValueError, AttributeError):
        kept = set()
    if record["build_id"] not in kept:
        return ["the published build has no history entry yet (an interrupted publish)"]
    return []
