"""Wall time and peak memory of a command's whole process tree, read from ``/proc`` (Linux).

While the command runs, every ``INTERVAL`` seconds the resident memory (``VmRSS``) of the process
and of all its descendants is summed; the peak is the largest sum seen. Descendants are found by
parent pid, and by session (the command starts a session of its own), so a grandchild whose parent
has exited is still counted. Memory two processes share is counted in each, as ``VmRSS`` reports
it. A peak shorter than the interval can fall between two samples. The kernel's own peak of a
reaped child (``ru_maxrss``) is not used: Linux carries a forked process's peak over from its
parent through ``exec``, so it would report the harness's own size.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

INTERVAL = 0.02
TAIL_LINES = 40


class Measurement(NamedTuple):
    seconds: float
    peak_bytes: int
    returncode: int


class CommandFailed(RuntimeError):
    """The measured command exited non-zero; the message ends with the tail of its output."""


def measure(
    command: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
) -> Measurement:
    """Run ``command`` and return its wall time, peak tree memory and return code.

    Its output (stdout and stderr) goes to ``log`` (a temporary file when none is given). Raises
    ``CommandFailed`` with the tail of that output when the command exits non-zero.
    """
    with tempfile.TemporaryDirectory() as scratch:
        log_path = log or Path(scratch) / "output.log"
        with log_path.open("wb") as output:
            started = time.perf_counter()
            process = subprocess.Popen(
                [str(part) for part in command],
                env=dict(env) if env is not None else None,
                cwd=cwd,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                returncode, peak = _sample_until_exit(process.pid)
                process.returncode = returncode
            finally:
                _stop_if_running(process)
            seconds = time.perf_counter() - started
        if returncode != 0:
            raise CommandFailed(
                f"{' '.join(str(part) for part in command)} exited with {returncode}; "
                f"last lines of its output:\n{tail(log_path)}"
            )
    return Measurement(seconds, peak, returncode)


def _sample_until_exit(pid: int) -> tuple[int, int]:
    """Sample the tree of ``pid`` until it exits; return (return code, peak bytes)."""
    peak = 0
    while True:
        peak = max(peak, tree_rss_bytes(pid))
        reaped, status = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return os.waitstatus_to_exitcode(status), peak
        time.sleep(INTERVAL)


def _stop_if_running(process: subprocess.Popen[bytes]) -> None:
    """If the harness is interrupted, end the command's process group (the one it started)."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    process.returncode = os.waitstatus_to_exitcode(os.waitpid(process.pid, 0)[1])


def tree_rss_bytes(root: int) -> int:
    """Sum of ``VmRSS`` over ``root`` and its descendants (by parent pid or by session)."""
    parents, sessions = _process_table()
    members = {root}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if pid not in members and (parent in members or sessions.get(pid) == root):
                members.add(pid)
                changed = True
    return sum(_rss_bytes(pid) for pid in members)


def _process_table() -> tuple[dict[int, int], dict[int, int]]:
    """pid → parent pid and pid → session id, for every process ``/proc`` lists."""
    parents: dict[int, int] = {}
    sessions: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:  # the process exited meanwhile
            continue
        # "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        sessions[int(entry.name)] = int(fields[3])
    return parents, sessions


def _rss_bytes(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024  # reported in kB
    return 0  # a zombie has no VmRSS


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])
