"""The run path: a no-change ``make run`` stops early; a change or ``--force`` builds again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli.up_to_date import compare_inputs
from pipelines.core.checksums import file_sha256
from pipelines.core.settings import PROJECT_ROOT, Settings
from tests.integration.conftest import Build, cli_environment, run_cli


def _identity(path: Path) -> tuple[int, int, str]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, file_sha256(path)


def _published_id(settings: Settings) -> str:
    record = json.loads((settings.warehouse_dir / "current" / "build.json").read_text())
    return record["build_id"]


@pytest.fixture
def copied(tmp_path: Path, published_build: Build) -> Settings:
    """The shared published build's warehouse (layout, history) and raw folder, copied."""
    source = published_build.settings
    raw, warehouse = tmp_path / "data_raw", tmp_path / "warehouse"
    shutil.copytree(source.data_raw_dir, raw)
    shutil.copytree(
        source.warehouse_dir, warehouse, symlinks=True, ignore=shutil.ignore_patterns(".build")
    )
    return Settings.at(raw, warehouse)


def test_a_no_change_run_says_up_to_date_without_dagster_dbt_or_gx(
    published_build: Build,
) -> None:
    settings = published_build.settings
    before = _identity(settings.published_db)
    build_id = _published_id(settings)
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipelines", "run"],
        cwd=PROJECT_ROOT,
        env=cli_environment(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert any(line.startswith(f"up to date (build {build_id}, published 20") for line in lines)
    assert "full log:" not in completed.stdout  # no build was started
    imported = {line.split("|")[-1].strip() for line in completed.stderr.splitlines()}
    for heavy in ("dagster", "dagster_dbt", "dbt", "great_expectations"):
        assert heavy not in imported
    assert _identity(settings.published_db) == before
    assert _published_id(settings) == build_id


def test_what_makes_a_run_build_again(copied: Settings) -> None:
    """Each of these is a reason to rebuild; their absence is "up to date" (no run needed)."""
    up_to_date, _ = compare_inputs(copied, None, force=False)
    assert up_to_date.build_id == _published_id(copied)
    assert compare_inputs(copied, None, force=True)[0].build_id is None
    # A fiscal-years run over unchanged inputs is up to date too.
    assert compare_inputs(copied, (2026, 2026), force=False)[0].build_id is not None

    registry = copied.data_raw_dir / "sources.yml"
    original = registry.read_bytes()
    registry.write_bytes(original + b"# an edit\n")
    changed = compare_inputs(copied, None, force=False)[0]
    assert changed.build_id is None and "sources.yml" in changed.summary
    assert compare_inputs(copied, (2026, 2026), force=False)[0].build_id is None
    registry.write_bytes(original)

    page = next(copied.data_raw_dir.glob("*.txt"))
    text = page.read_bytes()
    page.write_bytes(text.replace(b"2015", b"2016", 1))
    assert page.name in compare_inputs(copied, None, force=False)[0].summary
    page.write_bytes(text)
    assert compare_inputs(copied, None, force=False)[0].build_id is not None

    record = copied.build_dir / "build.json"  # what a failed run leaves
    record.parent.mkdir(exist_ok=True)
    record.write_text("{}", encoding="utf-8")
    assert "did not publish" in compare_inputs(copied, None, force=False)[0].summary
    record.unlink()

    published = copied.published_db.resolve()
    os.chmod(published, 0o644)
    with published.open("r+b") as handle:  # a published file written in place
        handle.seek(0, 2)
        handle.write(b"\0")
    assert "sha256" in compare_inputs(copied, None, force=False)[0].summary


def test_without_a_recorded_build_the_run_builds(last_good) -> None:
    """A warehouse published without a build record (or none at all) always builds."""
    up_to_date, _ = compare_inputs(last_good.settings, None, force=False)
    assert up_to_date.build_id is None
    empty = Settings.at(last_good.settings.data_raw_dir, last_good.settings.warehouse_dir / "new")
    assert compare_inputs(empty, None, force=False)[0].build_id is None


def test_force_builds_again_and_records_the_inputs(copied: Settings) -> None:
    before = _published_id(copied)
    completed = run_cli("run", copied, "--force", "--no-docs")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "rebuilding: forced (--force)" in completed.stdout
    assert " 0 failed; 3 differences acknowledged (each one is in the report)" in completed.stdout
    after = _published_id(copied)
    assert after != before
    # Every second of the run is on a line: start-up, dbt, Dagster, each step.
    steps = [line.split()[0] for line in completed.stdout.splitlines() if line.endswith(" s")]
    assert steps[:5] == ["startup", "inputs", "imports", "prepare", "load"]
    assert "dagster" in steps and "transform" in steps and "publish" in steps
    assert "the lines above account for" in completed.stdout.splitlines()[-1]
    # The new build recorded its inputs: the next run is a no-change one.
    again = run_cli("run", copied)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"up to date (build {after}, published" in again.stdout


def test_make_run_reads_the_folders_from_env_file(published_build: Build, tmp_path: Path) -> None:
    settings = published_build.settings
    env_file = tmp_path / "settings.env"
    env_file.write_text(
        f"# as .env.example\nBND_DATA_RAW={settings.data_raw_dir}\n"
        f'BND_WAREHOUSE_DIR="{settings.warehouse_dir}"\n',
        encoding="utf-8",
    )
    env = cli_environment(settings, BND_ENV_FILE=str(env_file), PYTHONPATH=str(PROJECT_ROOT))
    del env["BND_DATA_RAW"], env["BND_WAREHOUSE_DIR"]  # only the file names the folders

    completed = subprocess.run(
        [sys.executable, "-m", "pipelines", "run"],
        cwd=tmp_path,  # not the project: the folders can only come from the file
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"up to date (build {_published_id(settings)}" in completed.stdout


def test_a_broken_env_file_stops_the_run_naming_its_line(
    published_build: Build, tmp_path: Path
) -> None:
    env_file = tmp_path / "settings.env"
    env_file.write_text("BND_WAREHOUSE_DIR=/somewhere\nnot a setting\n", encoding="utf-8")
    env = cli_environment(published_build.settings, BND_ENV_FILE=str(env_file))

    completed = subprocess.run(
        [sys.executable, "-m", "pipelines", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 2
    assert completed.stdout.startswith(f"error: {env_file}, line 2: expected NAME=value")
    assert "Traceback" not in completed.stdout + completed.stderr
