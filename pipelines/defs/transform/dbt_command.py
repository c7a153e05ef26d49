"""The dbt command a build runs: dbt, started from the project's parse state instead of a parse.

dagster-dbt runs ``<executable> <flags> build …`` in a process of its own, with the run's
warehouse in the profile. dbt checks its saved parse state against the rendered profile and
starts its parse over when the profile changed: every new warehouse (each test's, each bench
size's) paid a full parse of about 2 s, and every other build about 1 s of partial parsing.
The dbt project's parse does not depend on the warehouse (its database is named after the build
file, ``bnd.duckdb`` in every warehouse), so ``prepare`` parses once per change of the project
and every build starts from that state: this script loads it and hands it to dbt's own runner.

Run by path with the project's Python (``project.dbt_build_resource``); besides dbt it imports
only ``platform.dbt_parse_state``, which reads the state (with dbt's internals), and
``platform.dbt_events``, which spares dbt writing lines its log drops. Without the state
(``BND_DBT_PARSE_STATE`` unset, or a file that cannot be read) dbt parses as usual.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if not __package__:  # run by path: the project's root, not this folder, holds `pipelines`
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from pipelines.core.queued_output import QueuedOutput
from pipelines.platform.dbt_events import write_only_kept_lines
from pipelines.platform.dbt_parse_state import load_parse_state

PARSE_STATE_ENV = "BND_DBT_PARSE_STATE"


def main(args: list[str]) -> int:
    # dbt is imported here, not with the module: the pipeline imports this module for its
    # constant, and a second of dbt's imports belongs to the dbt process only.
    from dbt.cli.main import dbtRunner

    write_only_kept_lines()  # dbt's debug events are not written as lines to be dropped
    state = os.environ.get(PARSE_STATE_ENV)
    manifest = None
    if state:
        try:
            manifest = load_parse_state(Path(state))
        except Exception as error:
            print(f"{state}: parse state not used ({type(error).__name__}: {error})", flush=True)
    # dbt writes its events to a pipe that the pipeline reads one event at a time: through
    # ``QueuedOutput`` it never waits for that reader (``core.queued_output``).
    pipe = sys.stdout
    sys.stdout = output = QueuedOutput(pipe)
    try:
        result = dbtRunner(manifest=manifest).invoke(args)
    finally:
        sys.stdout = pipe
        output.close()  # waits until all of it is in the pipe
    # dbt's own exit codes: 0 success, 1 a model or test failed, 2 dbt could not run.
    return 0 if result.success else (2 if result.exception is not None else 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
