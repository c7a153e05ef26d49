"""The dbt profile gives DuckDB its spill folder once, when the database is opened.

dbt-duckdb runs ``SET <key> = …`` for every entry of a profile's ``settings`` on every cursor it
opens, and DuckDB refuses to switch the temporary directory once it has spilled there ("Cannot
switch temporary directory after the current one has been used"). With ``temp_directory`` among
the ``settings``, a build that spilled (30 M budget lines under the 4 GB memory limit, in
``make bench``) failed on the next model dbt started. ``config_options`` are passed to
``duckdb.connect`` once.
"""

from __future__ import annotations

import yaml

from pipelines.core.settings import DBT_PROJECT_DIR


def test_the_spill_folder_is_given_once_and_never_set_again_per_cursor() -> None:
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    output = profile["bnd"]["outputs"]["build"]
    assert "BND_DUCKDB_TEMP_DIR" in output["config_options"]["temp_directory"]
    assert "temp_directory" not in output["settings"]
    # the memory limit may be SET again on every cursor (DuckDB allows it), and is
    assert "BND_DUCKDB_MEMORY_LIMIT" in output["settings"]["memory_limit"]
