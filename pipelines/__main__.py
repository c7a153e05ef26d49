"""``python -m pipelines run | prepare | docs | rollback``, as the Makefile calls it.

After a run, the interpreter's own teardown (freeing the objects of Dagster, dbt, GX and pandas
module by module) takes time after everything was written and said. So the command finishes the
ordinary way (other threads joined, files flushed, ``atexit`` handlers run: temporary folders
removed) and then ends the process without that teardown (``platform.process_exit``).
"""

from pipelines.cli import main
from pipelines.platform.process_exit import exit_after_cleanup

exit_after_cleanup(main())
