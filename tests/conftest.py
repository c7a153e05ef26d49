from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import pipelines  # noqa: F401  (settles telemetry and PATH before dagster/dbt/gx are imported)
from pipelines.core.settings import PROJECT_ROOT

DATA_RAW = PROJECT_ROOT / "data_raw"

# Tests run Dagster on ephemeral instances: they leave no run history in the project's .dagster/.
os.environ.pop("DAGSTER_HOME", None)
# A developer's .env never reaches the tests (in this process or the commands they start); a
# test that reads one names its own file.
os.environ["BND_ENV_FILE"] = os.devnull


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A private copy of data_raw/ that a test may tamper with."""
    target = tmp_path / "data_raw"
    shutil.copytree(DATA_RAW, target)
    return target


@pytest.fixture(scope="session")
def page_text() -> str:
    return (DATA_RAW / "000_cad87574ba41ba74.txt").read_text(encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project before any test module is imported: the Dagster definitions (which
    some test modules import) need its manifest, and a fresh clone has none yet. Runs in every
    xdist worker; ``prepare_manifest`` parses once and lets the others wait for it."""
    from pipelines.core.settings import Settings
    from pipelines.defs.transform.project import prepare_manifest

    # Two test workers build at once on CI's two cores: a build's dbt runs one node at a time
    # (each DuckDB query still uses every core). Measured on the seed-size run: 1 thread used
    # ~10 % less CPU than 4 and was no slower; set it to compare (docs/runbook.md, settings).
    os.environ.setdefault("BND_DBT_THREADS", "1")
    prepare_manifest(Settings.from_env())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Integration modules that need no shared published build first, then the other
    integration modules, then the light tests; each module's tests together and in their
    order. The shared build (``published_build``) takes one worker ~30 s at the start; the
    other worker then runs whole builds of its own instead of waiting for it."""

    needs_shared: dict[str, bool] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        uses = "published_build" in getattr(item, "fixturenames", ())
        needs_shared[module] = needs_shared.get(module, False) or uses

    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::")[0]
        if "/integration/" not in module:
            return 2
        return 1 if needs_shared[module] else 0

    items.sort(key=rank)  # stable: each module's tests stay together and in their order


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: its path there (``a/b.csv``) and its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
