"""The dbt resource knows the installed dbt's version without running `dbt --version`."""

from __future__ import annotations

import subprocess

import pytest
from dagster_dbt import DbtCliResource

from pipelines.defs.transform.project import LocalDbtCliResource, bnd_dbt_project


def test_the_overridden_member_still_exists_in_dagster_dbt() -> None:
    # If dagster-dbt renames it, the override silently stops working: fail here instead.
    assert "_cli_version" in vars(DbtCliResource)


def test_version_is_known_without_a_subprocess(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"unexpected subprocess {args}")

    monkeypatch.setattr(subprocess, "check_output", no_subprocess)
    monkeypatch.setattr("dagster_dbt.core.resource.check_output", no_subprocess, raising=False)
    resource = LocalDbtCliResource(project_dir=bnd_dbt_project)
    assert resource._cli_version.major == 1
    assert resource._cli_version.minor == 11
