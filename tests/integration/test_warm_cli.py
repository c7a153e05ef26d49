"""The tests' forked command line (``tests.warm_cli``) behaves as a new ``python -m pipelines``:
same exit code, same output, and each call's own environment and folder."""

from __future__ import annotations

from pathlib import Path

from pipelines.core.settings import Settings
from tests.conftest import DATA_RAW
from tests.integration.conftest import run_cli, run_cli_process


def test_a_forked_command_says_and_exits_exactly_as_a_new_interpreter(tmp_path: Path) -> None:
    settings = Settings.at(DATA_RAW, tmp_path / "warehouse")
    for command in (("rollback",), ("unknown",), ("run", "--years", "2020-2019")):
        forked = run_cli(*command[:1], settings, *command[1:])
        fresh = run_cli_process(*command[:1], settings, *command[1:])
        assert forked.returncode == fresh.returncode != 0, command
        assert (forked.stdout, forked.stderr) == (fresh.stdout, fresh.stderr), command
        assert (forked.stdout + forked.stderr).strip(), command


def test_each_forked_command_has_its_own_environment(tmp_path: Path) -> None:
    said = []
    for name in ("first", "second", "first"):
        completed = run_cli("rollback", Settings.at(DATA_RAW, tmp_path / name))
        said.append(completed.stdout + completed.stderr)
    assert str(tmp_path / "first") in said[0] and str(tmp_path / "second") not in said[0]
    assert str(tmp_path / "second") in said[1] and str(tmp_path / "first") not in said[1]
    assert said[2] == said[0]
