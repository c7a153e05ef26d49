"""``kill -9`` during ingest, dbt, validation or publishing loses nothing.

Each run is frozen at a failpoint (``core.failpoints``) inside a stage and killed there. The
published file must stay byte-identical and queryable, and the next run must succeed without
anyone cleaning up. Killed right after its switch, a run leaves its build published whole: the
database with its own reports and exports.

The kills during ingest, dbt and validation are the command line's own process (with dbt's; forked
as the tests' commands are, ``tests/warm_cli.py``). The kills during publishing are a process that
does what the publish step does and nothing else: it starts the build as a run does (recovering
from the kill before), puts a copy of the published build in place vouched for by a build record,
and calls ``publish_build`` (the function the publish step calls). Killing the whole pipeline there
would add a full run to each kill for nothing that survives a ``kill -9``. Every kill is followed
by the next one, which must first recover from it; one whole run at the end must then succeed and
publish.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

from pipelines.core.checksums import file_sha256
from pipelines.core.failpoints import BEFORE_SWITCH, FAILPOINT_ENV
from pipelines.core.settings import PROJECT_ROOT, Settings
from pipelines.lifecycle import history
from pipelines.lifecycle.history import published_build_id
from tests.integration.conftest import cli_environment, run_cli, start_cli
from tests.source_figures import TOTALS
from tests.warm_cli import ForkedCommand

# Failpoints reached by ``make run`` itself, and those of ``publish_build`` (before its switch).
IN_THE_PIPELINE = ("ingest", "transform", "audit")
IN_PUBLISHING = ("publish", "kept")

PUBLISH = """
import shutil, sys
from pathlib import Path
from pipelines.lifecycle import build_record
from pipelines.lifecycle.publishing import publish_build
from pipelines.core.settings import Settings
from pipelines.lifecycle.build import start_build

raw, warehouse, template, run_id = sys.argv[1:5]
settings = Settings.at(Path(raw), Path(warehouse))
start_build(settings, run_id)
shutil.copyfile(template, settings.build_db)
for step in build_record.STEPS[build_record.FULL]:
    build_record.mark_passed(settings, run_id, step)
publish_build(settings, run_id)
"""


def start_publish(settings: Settings, template: Path, stage: str) -> subprocess.Popen:
    """A process that publishes a copy of ``template`` through ``publish_build``."""
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(PUBLISH),
            str(settings.data_raw_dir),
            str(settings.warehouse_dir),
            str(template),
            f"killed-at-{stage}",
        ],
        cwd=PROJECT_ROOT,
        env=cli_environment(settings, **{FAILPOINT_ENV: stage}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_at(
    stage: str, settings: Settings, process: subprocess.Popen | ForkedCommand, timeout_s=300
) -> None:
    marker = settings.build_dir / f"failpoint-{stage}"
    deadline = time.monotonic() + timeout_s
    try:
        while not marker.exists():
            assert process.poll() is None, f"the run ended before reaching stage {stage}"
            assert time.monotonic() < deadline, f"the run never reached stage {stage}"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    marker.unlink()


def total_2015(published: Path) -> int:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(
            "select sum(amount_krw_million) from marts.fct_budget where fiscal_year = 2015"
        ).fetchone()[0]


def test_killing_a_run_in_any_stage_loses_nothing(
    raw_copy: Path, warehouse_with_published: Path, tmp_path: Path
) -> None:
    assert (*IN_THE_PIPELINE, *IN_PUBLISHING) == BEFORE_SWITCH  # every failpoint is killed at
    settings = Settings.at(raw_copy, warehouse_with_published)
    before = file_sha256(settings.published_db)
    template = tmp_path / "template.duckdb"
    shutil.copyfile(settings.published_db, template)

    for stage in IN_THE_PIPELINE:
        kill_at(stage, settings, start_cli("run", settings, **{FAILPOINT_ENV: stage}))
        assert file_sha256(settings.published_db) == before, f"killed in {stage}"
        assert total_2015(settings.published_db) == TOTALS["bnd_special_account"][0]
    kept_before = [entry.build_id for entry in history.entries(settings)]
    for stage in IN_PUBLISHING:
        kill_at(stage, settings, start_publish(settings, template, stage))
        assert file_sha256(settings.published_db) == before, f"killed in {stage}"
        assert total_2015(settings.published_db) == TOTALS["bnd_special_account"][0]
        # Killed with its history copy made ("kept"): no entry until the switch named it.
        assert [entry.build_id for entry in history.entries(settings)] == kept_before, stage

    # Killed right after the switch: the new build is published with its own reports and exports.
    kill_at("switched", settings, start_publish(settings, template, "switched"))
    switched = published_build_id(settings.published_db)
    assert switched is not None and file_sha256(settings.published_db) != before
    package = json.loads((settings.export_dir / "datapackage.json").read_text(encoding="utf-8"))
    dq = json.loads((settings.reports_dir / "dq.json").read_text(encoding="utf-8"))
    assert package["build_id"] == dq["build"]["build_id"] == switched
    assert total_2015(settings.published_db) == TOTALS["bnd_special_account"][0]

    completed = run_cli("run", settings, "--no-docs")  # (docs: no part of what survives a kill)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    final = published_build_id(settings.published_db)
    assert final not in (None, switched)
    assert total_2015(settings.published_db) == TOTALS["bnd_special_account"][0]
    assert not list(settings.history_dir.glob(".*"))  # no half-copied history entries
    # The next run kept the switched build in the history, checked against its sha256.
    assert [entry.build_id for entry in history.entries(settings)][:2] == [final, switched]
    assert [path.name for path in settings.build_dir.glob("bnd.duckdb*")] == []
