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

from pipelines.lib.settings import Settings

STEPS = ("ingest", "transform", "audit")


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


def begin(settings: Settings, run_id: str) -> None:
    _write(
        settings,
        {"run_id": run_id, "started_at": datetime.now(UTC).isoformat(), "passed": ["ingest"]},
    )


def mark_passed(
    settings: Settings,
    run_id: str,
    step: str,
    checks: dict[str, dict[str, int]] | None = None,
) -> None:
    """Record that ``step`` passed in ``run_id``.

    ``checks`` counts what the step checked, by kind: ``{"dbt_tests": {"passed": 60, "failed":
    0}}``; ``marts.meta_build`` sums them.
    """
    record = read(settings)
    if record is None or record["run_id"] != run_id:
        started_by = record["run_id"] if record else "no run"
        raise PublishRefusedError(
            f"the build file in {settings.build_dir} was started by {started_by}, not by run "
            f"{run_id}: run the whole refresh_warehouse job"
        )
    record["passed"] = [*dict.fromkeys([*record["passed"], step])]
    record.setdefault("checks", {}).update(checks or {})
    _write(settings, record)


def require_complete(settings: Settings, run_id: str) -> dict:
    """The build record of ``run_id``, if ingest, dbt and the audit all passed in it."""
    record = read(settings)
    passed = record["passed"] if record and record["run_id"] == run_id else []
    missing = [step for step in STEPS if step not in passed]
    if missing:
        raise PublishRefusedError(
            f"not publishing {settings.build_db}: in run {run_id} these steps did not pass: "
            f"{', '.join(missing)}. Publishing needs ingest, the full dbt build and every "
            "audit to pass in the same run: run the whole refresh_warehouse job."
        )
    return record
