"""The dbt profile gives DuckDB its memory limit, insertion order and spill folder once, when the
database is opened, and a build's sessions have them.

dbt-duckdb runs ``SET <key> = …`` for every entry of a profile's ``settings`` on every cursor it
opens (222 cursors in a seed-size build, each waiting for the database's lock while other threads
run their models). DuckDB also refuses to switch the temporary directory once it has spilled
there ("Cannot switch temporary directory after the current one has been used"): with
``temp_directory`` among the ``settings``, a build that spilled (30 M budget lines under the 4 GB
memory limit, in ``make bench``) failed on the next model dbt started. ``config_options`` are
passed to ``duckdb.connect`` once; all three are DuckDB's global settings.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import yaml

from pipelines.core.settings import DBT_PROJECT_DIR, MEMORY_LIMIT_ENV, TEMP_DIR_ENV
from tests.integration.conftest import dbt_in

SETTINGS = "memory_limit", "preserve_insertion_order", "temp_directory"
SHOW_FLAGS = ("--output", "json", "--log-format", "text")


def test_the_profile_sets_nothing_again_per_cursor() -> None:
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    output = profile["bnd"]["outputs"]["build"]
    assert "settings" not in output
    assert set(output["config_options"]) == set(SETTINGS)


def test_a_dbt_session_has_the_memory_limit_order_and_spill_folder_it_was_given(
    tmp_path: Path,
) -> None:
    spill = tmp_path / "spill"
    select = ", ".join(f"current_setting('{name}') as {name}" for name in SETTINGS)
    dbt = dbt_in(tmp_path, **{MEMORY_LIMIT_ENV: "1234MB", TEMP_DIR_ENV: str(spill)})
    completed = dbt.run("show", "--inline", f"select {select}", *SHOW_FLAGS)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    shown = json.loads(completed.stdout[completed.stdout.index("{") :])["show"]
    # DuckDB's own spelling of 1234MB, asked of DuckDB.
    with duckdb.connect(config={"memory_limit": "1234MB"}) as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert shown == [
        {"memory_limit": limit, "preserve_insertion_order": False, "temp_directory": str(spill)}
    ]
