"""dbt's runner from the project's parse state: what a build's dbt command runs, in its own
process or in the run's warm one (``warm_dbt``).

dbt is imported inside the functions, not with the module: the pipeline imports this module for
its constants, and dbt's imports belong to the dbt process only.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.core.queued_output import QueuedOutput
from pipelines.platform.dbt_events import write_only_kept_lines
from pipelines.platform.dbt_parse_state import load_parse_state

if TYPE_CHECKING:
    from dbt.contracts.graph.manifest import Manifest

PARSE_STATE_ENV = "BND_DBT_PARSE_STATE"
# The parse state ``prepare`` keeps for the builds: a copy of what its own ``dbt parse`` wrote,
# under a name no other dbt command writes. dbt's ``partial_parse.msgpack`` in target/ is also
# written by any other dbt command pointed there (sqlfluff's dbt templater in ``make lint``, with
# the lint profile): a build started from that state fails, and the project's fingerprint alone
# cannot tell, since the sources did not change.
KEPT_PARSE_STATE = "bnd_parse_state.msgpack"


def prepare_dbt() -> None:
    """Import dbt and its DuckDB adapter, and keep dbt from writing lines its log drops."""
    # (dbt's DuckDB adapter: dbt loads it for the profile of the command; loaded ahead here)
    for module in ("dbt.cli.main", "dbt.adapters.duckdb"):
        importlib.import_module(module)

    write_only_kept_lines()  # dbt's debug events are not written as lines to be dropped


def load_state(state: str) -> Manifest | None:
    """The parse state at ``state`` (a path), or None (dbt then parses) when there is none or it
    cannot be read, which is said on the output."""
    if not state:
        return None
    try:
        return load_parse_state(Path(state))
    except Exception as error:
        print(f"{state}: parse state not used ({type(error).__name__}: {error})", flush=True)
        return None


def run(args: list[str], manifest: Manifest | None) -> int:
    """``dbt <args>`` through dbt's own runner, from ``manifest`` if there is one; dbt's exit
    code: 0 success, 1 a model or test failed, 2 dbt could not run."""
    from dbt.cli.main import dbtRunner

    # dbt writes its events to a pipe that the pipeline reads one event at a time: through
    # ``QueuedOutput`` it never waits for that reader (``core.queued_output``).
    pipe = sys.stdout
    sys.stdout = output = QueuedOutput(pipe)
    try:
        result = dbtRunner(manifest=manifest).invoke(args)
    finally:
        sys.stdout = pipe
        output.close()  # waits until all of it is in the pipe
    return 0 if result.success else (2 if result.exception is not None else 1)
