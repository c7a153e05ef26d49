"""The dbt project. Kept apart so its manifest can be prepared before the assets are imported."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_dbt import DbtProject
from dbt.version import __version__ as installed_dbt_version

from pipelines.core.settings import DBT_PROJECT_DIR, DBT_TARGET_DIR, Settings
from pipelines.defs.transform.dbt_command import PARSE_STATE_ENV
from pipelines.platform.dbt_cli import LocalDbtCliResource

bnd_dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target_path=DBT_TARGET_DIR.relative_to(DBT_PROJECT_DIR),
)


# The script every build's dbt command runs (with this Python): dbt from the project's parse state.
DBT_COMMAND = Path(__file__).with_name("dbt_command.py")


def dbt_command_line(*args: str) -> list[str]:
    """``python dbt_command.py <args>``: a dbt command of the project's own, outside dagster-dbt
    (the docs, a test's command on a copy). Give it ``parse_state_env()`` in its environment."""
    return [sys.executable, str(DBT_COMMAND), *args]


def parse_state_env() -> dict[str, str]:
    """The environment that starts ``dbt_command`` from the kept parse state when it is the
    current sources' (``current_parse_state``), else has dbt parse."""
    return {PARSE_STATE_ENV: str(current_parse_state() or "")}


def dbt_build_resource() -> LocalDbtCliResource:
    """The dbt resource of the builds: ``python dbt_command.py build …`` instead of ``dbt
    build …``, so that dbt starts from the parse state ``prepare`` kept (``dbt_command``)."""
    return LocalDbtCliResource(
        project_dir=bnd_dbt_project,
        dbt_executable=sys.executable,
        global_config_flags=[str(DBT_COMMAND)],
    )


# Each warehouse keeps its own dbt target folder: its builds' artifacts and logs (dbt's invocation
# folders, the newest few kept) and its docs. A build that cannot start from the kept parse state
# (the project changed since `prepare`, e.g. in `make dev`) has dbt parse, and keeps that parse
# here for the warehouse's next command (dbt reparses in full whenever the rendered profile, which
# holds the warehouse's paths, changes).
WAREHOUSE_TARGETS = "warehouses"
WAREHOUSE_TARGETS_KEPT = 8
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def warehouse_target_dir(settings: Settings) -> Path:
    """``dbt_project/target/warehouses/<hash of the warehouse folder>``."""
    key = hashlib.sha256(str(settings.warehouse_dir).encode()).hexdigest()[:16]
    return DBT_TARGET_DIR / WAREHOUSE_TARGETS / key


def keep_partial_parse(state: Path, kept: Path) -> None:
    """Copy a dbt command's parse state ``state`` to ``kept`` (whole, via a temporary name)."""
    if state.is_file():
        partial = kept.with_name(f".{kept.name}.partial")
        shutil.copyfile(state, partial)
        os.replace(partial, kept)


def _prune_warehouse_targets(keep: Path) -> None:
    """Keep the target folders of the warehouses used last (tests make many warehouses)."""
    others = [path for path in keep.parent.iterdir() if path.is_dir() and path != keep]
    remove_all_but_newest(others, WAREHOUSE_TARGETS_KEPT - 1)


def remove_all_but_newest(folders: list[Path], kept: int) -> None:
    """Delete all but the ``kept`` most recently modified of ``folders``."""
    newest_first = sorted(folders, key=lambda path: path.stat().st_mtime, reverse=True)
    for old in newest_first[max(kept, 0) :]:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """Point the dbt profile at this run's build file, and dbt's target folder at the
    warehouse's own one, for the duration of a dbt command."""
    target = warehouse_target_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    os.utime(target)
    _prune_warehouse_targets(target)
    variables = {**settings.dbt_env, "DBT_TARGET_PATH": str(target), **parse_state_env()}
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Folders of the dbt project that dbt writes; everything else is its source.
GENERATED_FOLDERS = {"target", "logs", "dbt_packages"}
FINGERPRINT_FILE = "bnd_manifest.fingerprint"


def project_fingerprint() -> str:
    """sha256 over the dbt project's source files (path and content) and the dbt version."""
    digest = hashlib.sha256(installed_dbt_version.encode())
    root = Path(DBT_PROJECT_DIR)
    # Generated folders are never walked: a concurrent dbt run may be deleting folders there.
    sources = [path for path in root.iterdir() if path.name not in GENERATED_FOLDERS]
    files = [path for top in sources for path in (top, *(top.rglob("*") if top.is_dir() else ()))]
    for path in sorted(files):
        if path.is_file():
            relative = path.relative_to(root)
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# The parse state ``prepare`` keeps for the builds: a copy of what its own ``dbt parse`` wrote,
# under a name no other dbt command writes. dbt's ``partial_parse.msgpack`` in target/ is also
# written by any other dbt command pointed there (sqlfluff's dbt templater in ``make lint``, with
# the lint profile): a build started from that state fails, and the project's fingerprint alone
# cannot tell, since the sources did not change.
KEPT_PARSE_STATE = "bnd_parse_state.msgpack"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stamp() -> dict[str, str]:
    """What ``prepare_manifest`` recorded: the sources' fingerprint, and the sha256 of the
    manifest and of the parse state its parse wrote (empty when there is no stamp)."""
    stamp = DBT_TARGET_DIR / FINGERPRINT_FILE
    try:
        lines = stamp.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    return dict(line.split(" ", 1) for line in lines if " " in line)


def _write_stamp(fingerprint: str) -> None:
    lines = [
        f"fingerprint {fingerprint}",
        f"manifest {_sha256(bnd_dbt_project.manifest_path)}",
        f"parse_state {_sha256(DBT_TARGET_DIR / KEPT_PARSE_STATE)}",
    ]
    partial = DBT_TARGET_DIR / f".{FINGERPRINT_FILE}.partial"
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(partial, DBT_TARGET_DIR / FINGERPRINT_FILE)


def _is_own(path: Path, recorded: str | None) -> bool:
    return recorded is not None and path.is_file() and _sha256(path) == recorded


def current_parse_state() -> Path | None:
    """The parse state ``prepare_manifest`` kept, if its parse was of the project's current
    sources (the manifest Dagster's assets were made from) and the file is still the one that
    parse wrote (its sha256), else None: dbt then parses itself."""
    stamp, state = _stamp(), DBT_TARGET_DIR / KEPT_PARSE_STATE
    if stamp.get("fingerprint") != project_fingerprint():
        return None
    return state if _is_own(state, stamp.get("parse_state")) else None


def prepare_manifest(settings: Settings) -> bool:
    """Parse the dbt project unless its manifest is already that of the current sources.

    The manifest does not depend on which warehouse is built, so it is reparsed only when a file
    of the dbt project (or dbt itself) changed; returns whether it parsed. This skips dagster-dbt's
    own preparer, which spends about 3 s on ``dbt --version`` before the parse.
    """
    DBT_TARGET_DIR.mkdir(parents=True, exist_ok=True)
    fingerprint = project_fingerprint()
    # Two processes preparing at once (make dev and make run) parse one after the other.
    with (DBT_TARGET_DIR / "prepare.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = _stamp()
        # Fresh: parsed from these sources, and neither file overwritten since by another dbt.
        if (
            stamp.get("fingerprint") == fingerprint
            and _is_own(bnd_dbt_project.manifest_path, stamp.get("manifest"))
            and _is_own(DBT_TARGET_DIR / KEPT_PARSE_STATE, stamp.get("parse_state"))
        ):
            return False
        (DBT_TARGET_DIR / FINGERPRINT_FILE).unlink(missing_ok=True)
        with dbt_environment(settings):
            LocalDbtCliResource(project_dir=bnd_dbt_project).cli(
                ["parse", "--quiet"], target_path=bnd_dbt_project.target_path
            ).wait()
        keep_partial_parse(DBT_TARGET_DIR / PARTIAL_PARSE_FILE, DBT_TARGET_DIR / KEPT_PARSE_STATE)
        _write_stamp(fingerprint)
    return True


# dagster-dbt gives every dbt invocation its own folder under target/ (artifacts and logs). Keep the
# newest few for debugging so that a scheduled warehouse does not fill the disk.
INVOCATION_FOLDERS_KEPT = 5


def prune_invocation_folders(keep: Path, kept: int = INVOCATION_FOLDERS_KEPT) -> None:
    """Remove all but the newest ``kept`` folders of the same op next to ``keep`` (never ``keep``).

    dagster-dbt names them ``<op name>-<run id>-<invocation id>``.
    """
    op_prefix = keep.name.rsplit("-", 2)[0] + "-"
    siblings = [
        path
        for path in keep.parent.iterdir()
        if path.is_dir() and path.name.startswith(op_prefix) and path != keep
    ]
    remove_all_but_newest(siblings, kept - 1)
