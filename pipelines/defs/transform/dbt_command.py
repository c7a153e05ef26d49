"""The dbt command a build runs: dbt, started from the project's parse state instead of a parse.

dagster-dbt runs ``<executable> <flags> build …`` in a process of its own, with the run's
warehouse in the profile. dbt checks its saved parse state against the rendered profile and
starts its parse over when the profile changed: every new warehouse (each test's, each bench
size's) paid a full parse of about 2 s, and every other build about 1 s of partial parsing.
The dbt project's parse does not depend on the warehouse (its database is named after the build
file, ``bnd.duckdb`` in every warehouse), so ``prepare`` parses once per change of the project
and every build starts from that state: this script loads it and hands it to dbt's own runner.

Run by path with the project's Python (``project.dbt_build_resource``). The command first hands
itself to the run's warm dbt process (``warm_dbt``: dbt imported and the state loaded while the
run imported Dagster); without one it runs dbt itself (``dbt_runner``: the state read with dbt's
internals in ``platform.dbt_parse_state``, lines its log drops spared by ``platform.dbt_events``).
Without the state (``BND_DBT_PARSE_STATE`` unset, or a file that cannot be read) dbt parses as
usual.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if not __package__:  # run by path: the project's root, not this folder, holds `pipelines`
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from pipelines.defs.transform.dbt_runner import PARSE_STATE_ENV, load_state, prepare_dbt, run
from pipelines.defs.transform.warm_dbt import hand_over


def main(args: list[str]) -> int:
    """Run ``dbt <args>``: in the run's warm dbt process when there is one (``warm_dbt``), else
    here, from the parse state named by ``BND_DBT_PARSE_STATE``."""
    handed_over = hand_over(args)
    if handed_over is not None:
        return handed_over
    prepare_dbt()
    return run(args, load_state(os.environ.get(PARSE_STATE_ENV) or ""))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
