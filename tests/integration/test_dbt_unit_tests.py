"""The dbt unit tests (models' logic on fixed inputs) pass.

They prove code, not data, so a build of the data leaves them out (``DBT_BUILD_FLAGS``) and they
run here, once per test session, against a copy of the shared build. dbt reads the upstream
relations' columns from it, and the published file keeps only what readers and a refresh need
(``pipelines.lifecycle.published_schemas``): the copy gets the seeds and every model again, built
empty (``--empty``: the columns without the rows), in the same ``dbt build`` that runs the unit
tests. The list of unit tests is read from the dbt
project's YAML, so a unit test that dbt did not run fails this test too.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pipelines.core.settings import DBT_PROJECT_DIR
from pipelines.defs.transform.assets import DBT_BUILD_FLAGS
from tests.integration.conftest import Build, dbt_on_copy


def unit_tests_in_the_project() -> set[str]:
    names = set()
    for path in Path(DBT_PROJECT_DIR, "models").rglob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names |= {test["name"] for test in document.get("unit_tests", [])}
    return names


def test_every_dbt_unit_test_passes(published_build: Build, tmp_path: Path) -> None:
    assert DBT_BUILD_FLAGS == ("--exclude-resource-type", "unit_test")
    expected = unit_tests_in_the_project()
    assert len(expected) >= 7  # conversion, reconciliation, value of record, formulation, …
    dbt = dbt_on_copy(published_build.settings.published_db, tmp_path, built=False)

    # One dbt command: every model built empty, each unit test run before the model it tests
    # (dbt build's order); data tests left out (they test data, and the models are empty).
    completed = dbt.run("build", "--empty", "--exclude-resource-type", "test")

    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    results = dbt.results()
    ran = {
        name: result["status"]
        for name, result in results.items()
        if result["unique_id"].startswith("unit_test.")
    }
    assert set(ran) == expected
    assert set(ran.values()) == {"pass"}
    assert {result["status"] for result in results.values()} <= {"pass", "success"}
