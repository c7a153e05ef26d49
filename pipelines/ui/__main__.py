"""``make dev``: the Dagster UI and daemon for this project, guarded, stopped cleanly.

``dagster dev`` starts the webserver and the daemon as processes of its own and offers no way to
put anything in front of the webserver (no host check, mutations accepted over GET, see
``ui.guard``). ``dg dev``, which Dagster 1.13 recommends instead, needs the ``dagster-dg-cli``
package, which this project does not pin, and starts the same webserver. So this module does what
``dagster dev`` does with the pinned packages' own parts (``platform.webserver``): the daemon as
a process (stopped through Dagster's shutdown pipe, as ``dagster dev`` stops it) and the
webserver's Starlette app, wrapped in ``LocalOnlyGuard``, served by uvicorn in this process. On
SIGTERM or Ctrl-C uvicorn stops taking requests, waits at most ``GRACE_S`` for open ones (the UI
keeps websockets open), then the code server and the daemon are stopped.

Run as ``python -m pipelines.ui --host 127.0.0.1 --port 3000`` (``DAGSTER_HOME`` as ``make``
sets it).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from pipelines.core.env_file import load_env_file
from pipelines.core.settings import PROJECT_ROOT
from pipelines.platform.process_exit import exit_without_teardown
from pipelines.platform.webserver import start_daemon, webserver_app
from pipelines.ui.guard import LocalOnlyGuard, allowed_hosts

DEFINITIONS_MODULE = "pipelines.definitions"
# Seconds uvicorn waits for open requests and websockets after a stop signal.
GRACE_S = 2
# Seconds the daemon gets to stop after its shutdown message, before it (and the code server it
# started) is killed: its code server waits up to 60 s for a sensor tick under way otherwise.
DAEMON_STOP_S = 4


def main(argv: list[str] | None = None) -> int:
    load_env_file(PROJECT_ROOT)  # DAGSTER_HOST, DAGSTER_PORT and the rest; inherited below
    parser = argparse.ArgumentParser(prog="python -m pipelines.ui", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("DAGSTER_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DAGSTER_PORT") or 3000))
    parser.add_argument("--no-daemon", action="store_true", help="the UI only (no sensors)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster"))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    # uvicorn answers SIGTERM by stopping, then sends the signal again to the handler that was
    # there before it: this one, which unwinds through the blocks below so that the code server
    # and the daemon are stopped too (their processes do not stop on a SIGTERM of their own).
    signal.signal(signal.SIGTERM, _stop)
    try:
        with _daemon(enabled=not args.no_daemon):
            serve(args.host, args.port)
    except (Stopped, KeyboardInterrupt):
        print("Dagster UI stopped")
    return 0


class Stopped(Exception):
    """SIGTERM received."""


# Called first when a stop signal arrives: the daemon starts stopping while the UI does.
_on_stop: list[Callable[[], None]] = []


def _stop(signum: int, frame: object) -> None:
    for callback in _on_stop:
        callback()
    raise Stopped


def serve(host: str, port: int) -> None:
    """Serve the guarded Dagster UI on ``host:port`` until SIGTERM or SIGINT."""
    import uvicorn

    with webserver_app(DEFINITIONS_MODULE, PROJECT_ROOT, lifespan=_lifespan) as app:
        guarded = LocalOnlyGuard(app, allowed_hosts(host))
        config = uvicorn.Config(
            guarded,
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=GRACE_S,
        )
        print(f"Dagster UI on http://{host}:{port} (hosts: {', '.join(sorted(guarded.hosts))})")
        uvicorn.Server(config).run()


@asynccontextmanager
async def _lifespan(app: object) -> Iterator[None]:  # type: ignore[misc]
    yield


@contextmanager
def _daemon(enabled: bool) -> Iterator[None]:
    """The Dagster daemon (sensors, schedules, run queue) for the block's duration."""
    if not enabled:
        yield
        return
    process, send_stop = start_daemon(DEFINITIONS_MODULE, PROJECT_ROOT)
    asked: list[float] = []

    def ask_to_stop() -> None:
        if not asked:
            asked.append(time.monotonic())
            send_stop()

    _on_stop.append(ask_to_stop)
    try:
        yield
    finally:
        ask_to_stop()
        try:
            process.wait(timeout=max(0.0, asked[0] + DAEMON_STOP_S - time.monotonic()))
        except subprocess.TimeoutExpired:
            logging.getLogger(__name__).warning("the Dagster daemon did not stop; killing it")
        # Whatever is left of its group (the daemon, or a code server it started) goes now.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


if __name__ == "__main__":
    # Everything the UI started is stopped by now (uvicorn, code server, daemon): what is left is
    # the interpreter's own clean-up of gRPC and Dagster internals, with nothing left to save.
    exit_without_teardown(main())
