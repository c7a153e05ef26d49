"""Balanced National Development finance warehouse: Dagster code location and command line.

Before dbt, Dagster or Great Expectations is imported, the environment they need is settled here
(the Makefile sets the same variables):

- telemetry off, so that no run ever waits on the network;
- the interpreter's own ``bin/`` on PATH, because dagster-dbt runs the ``dbt`` executable, which
  lives next to this interpreter in the project's virtual environment even when it is not activated.
"""

import os
import sys
from pathlib import Path

for _name, _value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "False",
    "DBT_USE_COLORS": "False",
}.items():
    os.environ.setdefault(_name, _value)

_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
