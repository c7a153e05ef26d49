"""``python -m pipelines …`` in a process forked from one that has already imported it.

A build's command spends about 10 s of CPU importing Dagster, dagster-dbt (which imports dbt)
and Great Expectations before it reads a file: more than its own work on the seed-size
``data_raw/``, and the suite runs some thirty of them. ``run_cli_forked`` runs the command as a
process of its own, with its own environment, folder, output and exit code, but forks it from a
server process (``multiprocessing``'s forkserver) that imported those modules once per xdist
worker. The child then runs ``pipelines/__main__.py`` exactly as ``python -m pipelines`` does.

Only imports are shared: the server imports the modules a build imports before dbt's manifest is
prepared (``pipelines.cli.build``: by design they build nothing and read no manifest), and GX; it
runs nothing. What a fresh interpreter does differently (its start-up, the lazy imports of a
no-change run) is tested on real ``python -m pipelines`` processes: ``published_build`` and
``tests/integration/test_run_path.py``. ``start_cli_forked`` starts one in the background (the
runs the crash-safety test kills).
"""

from __future__ import annotations

import locale
import multiprocessing
import os
import runpy
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

# What `pipelines.cli.run` imports for a build, and GX (which a build imports in a thread).
PRELOADED = (
    "pipelines.cli.run",
    "pipelines.cli.build",
    "pipelines.cli.docs",
    "pipelines.cli.rollback",
    "great_expectations",
)

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(list(PRELOADED))


def run_cli_forked(
    args: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m pipelines <args>`` with ``env`` in ``cwd``, its output captured as text (as
    ``subprocess.run(..., capture_output=True, text=True)`` gives it)."""
    with tempfile.TemporaryDirectory(prefix="cli-") as folder:
        stdout, stderr = Path(folder, "stdout"), Path(folder, "stderr")
        process = _start(args, env, cwd, str(stdout), str(stderr))
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(["python", "-m", "pipelines", *args], timeout)
        # As subprocess's text mode reads a pipe: the locale's encoding, universal newlines.
        encoding = locale.getpreferredencoding(False)
        return subprocess.CompletedProcess(
            ["python", "-m", "pipelines", *args],
            process.exitcode if process.exitcode is not None else -1,
            stdout.read_text(encoding=encoding),
            stderr.read_text(encoding=encoding),
        )


class ForkedCommand:
    """A command started by ``start_cli_forked``, with what the tests use of ``Popen``."""

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self._process = process

    def poll(self) -> int | None:
        return self._process.exitcode

    def send_signal(self, number: int) -> None:
        if self._process.pid is not None:
            os.kill(self._process.pid, number)

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        return self._process.exitcode


def start_cli_forked(args: Sequence[str], env: Mapping[str, str], cwd: Path) -> ForkedCommand:
    """``python -m pipelines <args>`` in the background, its output discarded."""
    return ForkedCommand(_start(args, env, cwd, os.devnull, os.devnull))


def _start(
    args: Sequence[str], env: Mapping[str, str], cwd: Path, stdout: str, stderr: str
) -> multiprocessing.process.BaseProcess:
    """The command forked from the server, its output into the files ``stdout`` and ``stderr``."""
    process = _context.Process(
        target=_command, args=(list(args), dict(env), str(cwd), stdout, stderr)
    )
    process.start()
    return process


def _command(args: list[str], env: dict[str, str], cwd: str, stdout: str, stderr: str) -> None:
    """In the forked child: the process's environment, folder and output, then ``__main__``."""
    for fd, path in ((1, stdout), (2, stderr)):
        written = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(written, fd)
        os.close(written)
    # sys.stdout and sys.stderr stay the objects the server's interpreter made at its start, as a
    # new one makes them (now writing to the files above): same encoding, errors and buffering.
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = ["pipelines", *args]
    # Ends the process itself (pipelines/__main__.py: `exit_after_cleanup`).
    runpy.run_module("pipelines", run_name="__main__", alter_sys=True)
