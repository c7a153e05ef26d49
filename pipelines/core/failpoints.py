"""Named points where a test can freeze a run, to kill it there (``kill -9``) and see what survives.

Set ``BND_FAILPOINT=<name>`` and a run that reaches ``failpoint("<name>", folder)`` writes
``<folder>/failpoint-<name>`` and sleeps until it is killed. Without the variable a failpoint does
nothing. The crash tests use them to stop a run during ingest, dbt, validation and publishing; no
other code sets the variable.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

FAILPOINT_ENV = "BND_FAILPOINT"
# Where a kill must leave the published warehouse byte-identical ...
BEFORE_SWITCH = ("ingest", "transform", "audit", "publish", "kept")
# ... and right after publishing switched to the new build (database, reports, exports).
NAMES = (*BEFORE_SWITCH, "switched")


def failpoint(name: str, folder: Path) -> None:
    if name not in NAMES:
        raise ValueError(f"unknown failpoint {name!r}; known: {', '.join(NAMES)}")
    if os.environ.get(FAILPOINT_ENV) != name:
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"failpoint-{name}").touch()
    while True:  # wait for the test's kill -9
        time.sleep(1)
