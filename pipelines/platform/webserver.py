"""The Dagster webserver and daemon of ``make dev``, built from the pinned Dagster's own parts.

``dagster dev`` starts the webserver as a process of its own, with no way to put anything in
front of it (``ui.guard``), and ``dg dev`` needs the unpinned ``dagster-dg-cli`` and starts the
same webserver. Both functions here exist for correctness, not speed: without them the UI would
be served unguarded (no host check, mutations accepted over GET). No saving is claimed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def webserver_app(module_name: str, working_directory: Path, lifespan: Any) -> Iterator[Any]:
    """The webserver's Starlette app for the code location ``module_name``, for the block.

    What ``dagster-webserver`` builds before serving: the instance in ``$DAGSTER_HOME``, the
    private ``WorkspaceProcessContext`` (which starts the code server) over a ``ModuleTarget``,
    and ``create_app_from_workspace_process_context``. The caller serves the app, wrapped.
    """
    from dagster import DagsterInstance
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster_webserver.app import create_app_from_workspace_process_context
    from dagster_webserver.version import __version__

    target = ModuleTarget(
        module_name=module_name,
        attribute=None,
        working_directory=str(working_directory),
        location_name=None,
    )
    with (
        DagsterInstance.get() as instance,
        WorkspaceProcessContext(
            instance, workspace_load_target=target, version=__version__
        ) as context,
    ):
        yield create_app_from_workspace_process_context(context, "", lifespan=lifespan)


def start_daemon(module_name: str, cwd: Path) -> tuple[subprocess.Popen, Callable[[], None]]:
    """The Dagster daemon for ``module_name`` as ``dagster dev`` starts it, in a process group
    of its own (the daemon and the code server it starts), and a function that asks it to stop.

    ``dagster dev`` runs the private module ``dagster._daemon`` with the internal
    ``--shutdown-pipe`` option and stops it through that pipe (``dagster_shared.ipc``): the
    daemon then stops its code server too, which a signal would not.
    """
    from dagster_shared.ipc import (
        get_ipc_shutdown_pipe,
        open_ipc_subprocess,
        send_ipc_shutdown_message,
    )

    read_fd, write_fd = get_ipc_shutdown_pipe()
    process = open_ipc_subprocess(
        [
            *(sys.executable, "-m", "dagster._daemon", "run", "-m", module_name),
            *("--shutdown-pipe", str(read_fd)),
        ],
        pass_fds=[read_fd],
        cwd=cwd,
        start_new_session=True,
    )
    os.close(read_fd)

    def ask_to_stop() -> None:
        send_ipc_shutdown_message(write_fd)

    return process, ask_to_stop
