"""The dbt project. Kept apart so its manifest can be prepared before the assets are imported."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dbt.version import __version__ as installed_dbt_version
from packaging import version

from pipelines.lib.settings import DBT_PROJECT_DIR, Settings

bnd_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class LocalDbtCliResource(DbtCliResource):
    """The dbt CLI resource, without its per-command ``dbt --version`` call.

    dagster-dbt runs ``dbt --version`` before every dbt command to learn the version; dbt then asks
    the package index for the latest release (1 s timeout) and the whole call costs about 3 s. The
    executable is the dbt-core installed in this environment, so its version is known here.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_dbt_version)


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """Point the dbt profile at this run's build file for the duration of a dbt command."""
    saved = {name: os.environ.get(name) for name in settings.dbt_env}
    os.environ.update(settings.dbt_env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def prepare_manifest(settings: Settings) -> None:
    """Parse the dbt project (partially, when nothing changed) so the manifest is current.

    Parsing with the same environment as the run lets dbt reuse its partial parse at build time.
    """
    with dbt_environment(settings):
        bnd_dbt_project.preparer.prepare(bnd_dbt_project)


# dagster-dbt gives every dbt invocation its own folder under target/ (artifacts and logs). Keep the
# newest few for debugging so that a scheduled warehouse does not fill the disk.
INVOCATION_FOLDERS_KEPT = 5


def prune_invocation_folders(keep: Path, kept: int = INVOCATION_FOLDERS_KEPT) -> None:
    """Remove all but the newest ``kept`` folders of the same op next to ``keep`` (never ``keep``).

    dagster-dbt names them ``<op name>-<run id>-<invocation id>``.
    """
    op_prefix = keep.name.rsplit("-", 2)[0] + "-"
    folders = sorted(
        (
            path
            for path in keep.parent.iterdir()
            if path.is_dir() and path.name.startswith(op_prefix) and path != keep
        ),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for old in folders[max(kept - 1, 0) :]:
        shutil.rmtree(old, ignore_errors=True)
