"""``python -m pipelines run | prepare | docs | rollback``, as the Makefile calls it.

After a run, the interpreter's own teardown (freeing the objects of Dagster, dbt, GX and pandas
module by module) takes seconds on a busy machine, after everything was written and said. So
the command finishes the ordinary way (other threads joined, files flushed, ``atexit`` handlers
run: temporary folders removed) and then ends the process without that teardown.
"""

import atexit
import os
import sys
import threading

from pipelines.cli import main

code = main()
for thread in threading.enumerate():
    if thread is not threading.main_thread() and not thread.daemon:
        thread.join()
atexit._run_exitfuncs()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
