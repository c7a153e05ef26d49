"""Every reader, fed mutated files, reads them or refuses them by name, and does nothing else.

Property: for any mutation of a valid file (bits flipped, cut short, runs deleted or repeated,
random bytes or the format's structural characters inserted; a workbook's parts edited, left
out or given an unknown compression), each reader (``tests.fuzz.readers``: the registry's
formats, the registry, the profiles and the publishers' files) either succeeds or raises a
``SourceError`` (a ``LimitError`` is one) naming a file of the run. Any other exception is an
unnamed failure: the run would stop with a traceback instead of the file's rejection.

Budget: ``BND_FUZZ_EXAMPLES`` inputs per reader. Left unset, a small derandomised budget keeps
``make test`` deterministic and this file under ~40 s on one core. Set large (``make fuzz``),
inputs are random on each run and the inputs tried per reader are printed at the session's end.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.core.errors import SourceError
from pipelines.sources.registry import FORMATS
from tests.fuzz.mutations import DrawChooser
from tests.fuzz.readers import READERS

SMALL_BUDGET = 50
EXAMPLES = int(os.environ.get("BND_FUZZ_EXAMPLES") or 0)
LONG = EXAMPLES > 0
# Per reader: inputs tried, read, refused by name (printed by conftest in the long mode).
TRIED: dict[str, Counter] = {name: Counter() for name in READERS}

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES or SMALL_BUDGET,
    derandomize=not LONG,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_every_format_of_the_registry_has_a_reader() -> None:
    assert set(FORMATS) <= set(READERS)


@pytest.mark.parametrize("name", sorted(READERS))
def test_each_seed_is_read(tmp_path: Path, name: str) -> None:
    """The seeds are valid files: a mutation starts from something each reader accepts."""
    reader = READERS[name]
    for seed, data in reader.seeds(tmp_path).items():
        reader.read(tmp_path, seed, data)


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_mutated_file_is_read_or_refused_by_name(tmp_path: Path, name: str) -> None:
    reader = READERS[name]
    seeds = reader.seeds(tmp_path)

    @FUZZ_SETTINGS
    @given(st.data())
    def read_mutated(data: st.DataObject) -> None:
        choose = DrawChooser(data)
        seed = choose.choice(sorted(seeds))
        mutated = reader.mutate(seeds[seed], choose)
        TRIED[name]["tried"] += 1
        try:
            reader.read(tmp_path, seed, mutated)
        except SourceError as error:
            TRIED[name]["refused"] += 1
            # Named: a file of this run (a raw file, the registry or a profile) and a place.
            assert str(error.file).startswith(str(tmp_path)), error.file
            assert error.place and error.expected, str(error)
        else:
            TRIED[name]["read"] += 1

    read_mutated()
