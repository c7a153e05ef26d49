from __future__ import annotations

import os
from pathlib import Path

from pipelines.defs.transform.project import prune_invocation_folders


def test_only_the_newest_invocation_folders_of_the_op_are_kept(tmp_path: Path) -> None:
    folders = []
    for age in range(8):
        folder = tmp_path / f"bnd_dbt_models-run{age}-inv{age}"
        folder.mkdir()
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))  # run0 is the newest
        folders.append(folder)
    (tmp_path / "docs").mkdir()
    current = tmp_path / "bnd_dbt_models-now-inv"  # not created yet when dbt starts

    prune_invocation_folders(keep=current, kept=3)

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "bnd_dbt_models-run0-inv0",
        "bnd_dbt_models-run1-inv1",
        "docs",
    ]
