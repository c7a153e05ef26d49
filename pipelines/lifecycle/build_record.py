"""Which steps of the current build passed, so that only a whole, audited build is published.

Dagster's blocking checks stop publishing inside one run. But a person can also materialize the
publish step alone (in ``make dev``), after a failed run left its build file behind. The build
record closes that gap: ingest starts it with the run's id, the dbt build and the GX audit add
themselves when they pass, and publishing requires all of them from the same run.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from pipelines.core.settings import Settings

# What a build must have passed, by kind: a full refresh builds everything into a new file; a
# refresh of fiscal years starts from a copy of the published build and reprocesses only the budget
# lines of those years (with their models and checks).
FULL, FISCAL_YEARS = "full", "fiscal_years"
STEPS = {
    FULL: ("ingest", "ingest_lines", "transform", "transform_lines", "audit", "audit_lines"),
    FISCAL_YEARS: ("ingest_lines", "transform_lines", "audit_lines"),
}


class PublishRefusedError(RuntimeError):
    """The build file is not a build that this run made and audited in full."""


def _path(settings: Settings) -> Path:
    return settings.build_dir / "build.json"


def _write(settings: Settings, record: dict) -> None:
    temporary = _path(settings).with_suffix(".json.tmp")
    temporary.write_text(json.dumps(record, indent=2), encoding="utf-8")
    os.replace(temporary, _path(settings))


def read(settings: Settings) -> dict | None:
    path = _path(settings)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def forget(settings: Settings) -> None:
    _path(settings).unlink(missing_ok=True)


def begin(
    settings: Settings,
    run_id: str,
    kind: str = FULL,
    base_build_id: str | None = None,
) -> None:
    """Start the record of a new build; ``base_build_id`` is the published build it copies."""
    _write(
        settings,
        {
            "run_id": run_id,
            "kind": kind,
            "base_build_id": base_build_id,
            "started_at": datetime.now(UTC).isoformat(),
            "passed": [],
        },
    )


def is_building(settings: Settings, run_id: str) -> bool:
    """Whether this run has already started the build file (a full refresh's first step)."""
    record = read(settings)
    return record is not None and record["run_id"] == run_id


def mark_passed(
    settings: Settings,
    run_id: str,
    step: str,
    details: dict | None = None,
) -> None:
    """Record that ``step`` passed in ``run_id``.

    ``details`` are kept in the record as they are (ingest of budget lines notes
    ``fiscal_years``, the years the build reprocessed). What a step checked is not counted here:
    its results are in the build's reports folder (``checks.check_list``).
    """
    record = read(settings)
    if record is None or record["run_id"] != run_id:
        started_by = record["run_id"] if record else "no run"
        raise PublishRefusedError(
            f"the build file in {settings.build_dir} was started by {started_by}, not by run "
            f"{run_id}: run the whole refresh_warehouse job"
        )
    record["passed"] = [*dict.fromkeys([*record["passed"], step])]
    record.update(details or {})
    _write(settings, record)


def require_complete(settings: Settings, run_id: str) -> dict:
    """The build record of ``run_id``, if ingest, dbt and the audit all passed in it."""
    found = read(settings)
    record = found if found is not None and found["run_id"] == run_id else None
    passed = record["passed"] if record is not None else []
    required = STEPS[record.get("kind", FULL) if record is not None else FULL]
    missing = [step for step in required if step not in passed]
    if missing:
        raise PublishRefusedError(
            f"not publishing {settings.build_db}: in run {run_id} these steps did not pass: "
            f"{', '.join(missing)}. Publishing needs ingest, the full dbt build and every "
            "audit to pass in the same run: run the whole refresh_warehouse job (or "
            "refresh_fiscal_years for the budget lines of some years)."
        )
    assert record is not None  # every kind of build requires steps: none passed without one
    return record
