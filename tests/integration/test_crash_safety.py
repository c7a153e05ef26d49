"""``kill -9`` during ingest, dbt, validation or publishing loses nothing.

Each run is frozen at a failpoint (``lib.failpoints``) inside a stage and killed there. The
published file must stay byte-identical and queryable, and the next run must succeed without
anyone cleaning up. Killed right after its switch, a run leaves its build published whole: the
database with its own reports and exports.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import duckdb

from pipelines.lib import history
from pipelines.lib.checksums import file_sha256
from pipelines.lib.failpoints import BEFORE_SWITCH, FAILPOINT_ENV
from pipelines.lib.history import published_build_id
from pipelines.lib.settings import Settings
from tests.integration.conftest import run_cli, start_cli
from tests.source_figures import TOTALS


def kill_at(stage: str, settings: Settings, timeout_s: float = 300) -> None:
    marker = settings.build_dir / f"failpoint-{stage}"
    marker.unlink(missing_ok=True)
    process = start_cli("run", settings, **{FAILPOINT_ENV: stage})
    deadline = time.monotonic() + timeout_s
    try:
        while not marker.exists():
            assert process.poll() is None, f"the run ended before reaching stage {stage}"
            assert time.monotonic() < deadline, f"the run never reached stage {stage}"
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()


def total_2015(published: Path) -> int:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(
            "select sum(amount_krw_million) from marts.fct_budget where fiscal_year = 2015"
        ).fetchone()[0]


def test_killing_a_run_in_any_stage_loses_nothing(
    raw_copy: Path, warehouse_with_published: Path
) -> None:
    settings = Settings.at(raw_copy, warehouse_with_published)
    before = file_sha256(settings.published_db)

    for stage in BEFORE_SWITCH:
        kill_at(stage, settings)
        assert file_sha256(settings.published_db) == before, f"killed in {stage}"
        assert total_2015(settings.published_db) == TOTALS["bnd_special_account"][0]

    # Killed right after the switch: the new build is published with its own reports and exports.
    kill_at("switched", settings)
    switched = published_build_id(settings.published_db)
    assert switched is not None and file_sha256(settings.published_db) != before
    package = json.loads((settings.export_dir / "datapackage.json").read_text(encoding="utf-8"))
    dq = json.loads((settings.reports_dir / "dq.json").read_text(encoding="utf-8"))
    assert package["build_id"] == dq["build"]["build_id"] == switched
    assert total_2015(settings.published_db) == TOTALS["bnd_special_account"][0]

    completed = run_cli("run", settings)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    final = published_build_id(settings.published_db)
    assert final not in (None, switched)
    assert total_2015(settings.published_db) == TOTALS["bnd_special_account"][0]
    assert not list(settings.history_dir.glob(".*"))  # no half-copied history entries
    # The next run kept the switched build in the history, checked against its sha256.
    assert [entry.build_id for entry in history.entries(settings)][:2] == [final, switched]
    assert [path.name for path in settings.build_dir.glob("bnd.duckdb*")] == []
