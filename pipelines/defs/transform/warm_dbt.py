"""dbt made ready beside Dagster's imports: the build's dbt command hands itself to it.

A build's dbt command (``dbt_command.py``, run by dagster-dbt in a process of its own) spends
its first seconds importing dbt and loading the project's parse state, on the run's critical
path, after the run itself spent seconds importing Dagster. ``start`` forks a process before
those imports; while the run imports Dagster, prepares and ingests, that process imports dbt
and loads the parse state ``prepare`` kept, then waits. When dagster-dbt starts the build's
``dbt_command.py``, the command connects to it (``hand_over``), passes its standard input,
output and error (the pipe dagster-dbt reads), its arguments, environment and folder, and waits
for its exit code, which it exits with. dbt then runs in the warm process exactly as it would
have in the command's own: the same ``dbt_runner.run``, the same environment and output.

Nothing depends on it: a command that finds no warm process (none started, already used, or
gone) runs dbt itself, as before. The warm process serves one command, only its own user's
(the peer's credentials are checked), ends when it has, and ends at once when the run that
started it ends (a pipe it holds open), so a killed run leaves no dbt running behind it.
The parse state it loaded is used only if it is the file the command is told to use and that
file has not changed since (same inode, size and time); otherwise the command's state is loaded
as the command would have loaded it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import struct
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.defs.transform import dbt_runner
from pipelines.platform.process_exit import end_forked_process

# The name of the run's warm dbt process's socket (in Linux's abstract namespace: no file).
SERVER_ENV = "BND_DBT_SERVER"
# A request: arguments, environment and folder as JSON, with the three standard streams' fds.
REQUEST_LIMIT = 1 << 20
STANDARD_FDS = (0, 1, 2)
# struct ucred: pid, uid, gid.
PEER_CREDENTIALS = struct.Struct("3i")


@dataclass
class WarmDbt:
    """The run's side of a warm dbt process: its pid and the pipe that keeps it alive."""

    pid: int
    address: str
    lifeline: int

    def stop(self) -> None:
        """End the warm process (at once if it is still waiting) and reap it."""
        os.environ.pop(SERVER_ENV, None)
        with contextlib.suppress(OSError):
            os.close(self.lifeline)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def start(parse_state: Path) -> WarmDbt | None:
    """Fork the warm dbt process (call before importing Dagster, with no other thread running)
    and tell the run's dbt commands where it is (``BND_DBT_SERVER``); None if it cannot start."""
    if threading.active_count() > 1:  # a fork would copy locks other threads may hold
        return None
    address = f"bnd-dbt-{os.getpid()}-{secrets.token_hex(8)}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(f"\0{address}")
        listener.listen(1)
        lifeline, kept_open = os.pipe()
    except OSError:
        listener.close()
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        listener.close()
        os.close(lifeline)
        os.close(kept_open)
        return None
    if pid == 0:  # the warm process: never returns into the run's code
        code = 1
        try:
            os.close(kept_open)
            code = _serve(listener, lifeline, parse_state)
        finally:
            end_forked_process(code)
    listener.close()
    os.close(lifeline)
    os.environ[SERVER_ENV] = address
    return WarmDbt(pid, address, kept_open)


def _serve(listener: socket.socket, lifeline: int, parse_state: Path) -> int:
    """Get dbt ready, wait for one command, run it, and send its exit code."""
    _detach()
    threading.Thread(target=_end_with_the_run, args=(lifeline,), daemon=True).start()
    dbt_runner.prepare_dbt()
    kept = _identity(parse_state)
    manifest = dbt_runner.load_state(str(parse_state)) if kept else None
    connection, _ = listener.accept()
    listener.close()
    with connection:
        peer = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEER_CREDENTIALS.size)
        if PEER_CREDENTIALS.unpack(peer)[1] != os.getuid():
            return 1
        request = _request(connection)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        connection.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        state = request["env"].get(dbt_runner.PARSE_STATE_ENV) or ""
        if manifest is None or state != str(parse_state) or _identity(parse_state) != kept:
            manifest = dbt_runner.load_state(state)  # as the command would have loaded it
        try:
            code = dbt_runner.run(request["args"], manifest)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        connection.sendall(json.dumps({"exit": code}).encode() + b"\n")
    return 0


def _request(connection: socket.socket) -> dict[str, Any]:
    """The command's request (one JSON line, at most ``REQUEST_LIMIT`` bytes), its standard
    streams made this process's own."""
    message, fds, _, _ = socket.recv_fds(connection, REQUEST_LIMIT, len(STANDARD_FDS))
    if len(fds) != len(STANDARD_FDS):
        raise ValueError(f"a dbt command sent {len(fds)} file descriptors, not 3")
    for fd, standard in zip(fds, STANDARD_FDS, strict=True):
        os.dup2(fd, standard)
        os.close(fd)
    while not message.endswith(b"\n"):
        more = connection.recv(REQUEST_LIMIT - len(message))
        if not more or len(message) + len(more) >= REQUEST_LIMIT:
            raise ValueError("a dbt command's request was cut short or too long")
        message += more
    request: dict[str, Any] = json.loads(message)
    return request


def hand_over(args: list[str]) -> int | None:
    """In ``dbt_command.py``: have the run's warm dbt process run ``args`` with this process's
    standard streams, environment and folder; its exit code, or None if there is none to use."""
    address = os.environ.get(SERVER_ENV)
    if not address:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(f"\0{address}")
    except OSError:
        connection.close()
        return None
    env = {name: value for name, value in os.environ.items() if name != SERVER_ENV}
    request = json.dumps({"args": args, "env": env, "cwd": os.getcwd()}).encode() + b"\n"
    with connection:
        socket.send_fds(connection, [request], list(STANDARD_FDS))
        replies = connection.makefile("rb")
        started = _reply(replies)
        if started is None:
            return _lost()
        # dagster-dbt stops a dbt command with a signal: the warm process gets it.
        for forwarded in (signal.SIGINT, signal.SIGTERM):
            signal.signal(forwarded, lambda number, _: os.kill(started["pid"], number))
        ended = _reply(replies)
    return ended["exit"] if ended is not None else _lost()


def _reply(replies: Any) -> dict[str, int] | None:
    line = replies.readline()
    return json.loads(line) if line else None


def _lost() -> int:
    print("the warm dbt process ended without an exit code", file=sys.stderr, flush=True)
    return 2


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _detach() -> None:
    """Let go of the run's terminal: standard streams on /dev/null until a command brings its
    own. What else the run had open (its run lock) goes with this process, which never outlives
    the run (``_end_with_the_run``), and which the run reaps before it lets its lock go."""
    null = os.open(os.devnull, os.O_RDWR)
    for standard in STANDARD_FDS:
        os.dup2(null, standard)
    os.close(null)


def _end_with_the_run(lifeline: int) -> None:
    """End this process as soon as the run that started it has ended (or stopped it)."""
    with contextlib.suppress(OSError):
        while os.read(lifeline, 1):
            pass
    end_forked_process(0)
