"""``python -m pipelines run | prepare | docs``, as the Makefile calls it."""

import sys

from pipelines.cli import main

sys.exit(main())
