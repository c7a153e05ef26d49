"""What ``data_raw/`` holds, by content: the sensor's way to notice new or changed files.

Modification times lie (a copy, a checkout or a restore changes them without changing a byte), so
the sensor compares content hashes. ``README.md`` is documentation, not input, and is left out;
the registry is input (a changed phase or unit changes the warehouse) and is counted.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from stat import S_ISLNK, S_ISREG

from pipelines.core.checksums import file_sha256, stat_identity
from pipelines.landing.line_files import LINES_FOLDER
from pipelines.lifecycle.build_meta import code_fingerprint, read_meta_build
from pipelines.sources.profiles import PROFILES_FOLDER
from pipelines.sources.registry import REGISTRY_NAME

IGNORED = {"README.md"}


# name → [sha256, size, modification time (ns), inode]
FileStates = dict[str, list]


def raw_file_states(data_raw_dir: Path, known: FileStates | None = None) -> FileStates:
    """sha256, size, modification time and inode of every input file in ``data_raw_dir``.

    A file whose size, modification time and inode are those in ``known`` keeps its known sha256
    instead of being read again: the sensor looks every 30 s, and gigabytes of budget lines would
    otherwise be hashed each time. Any other file is hashed (a copy or a checkout changes the
    time, so its content is compared again; only content decides what changed).

    Symbolic links are never followed (a link could point at any file of the machine): a link,
    to a file or a folder, counts by where it points (its own ``lstat`` and target text), so
    adding or changing one still starts a run, and that run refuses it or, where the registry
    allows the link, reads it.
    """
    if not data_raw_dir.is_dir():
        return {}
    states: FileStates = {}
    # os.walk does not enter linked folders (followlinks=False); they are listed as links.
    for folder, folders, files in os.walk(data_raw_dir):
        base = Path(folder)
        folders[:] = [name for name in folders if not name.startswith(".")]
        for entry in [*files, *(name for name in folders if (base / name).is_symlink())]:
            path = base / entry
            if entry.startswith(".") or entry in IGNORED:
                continue
            stat = path.lstat()
            identity = stat_identity(stat)
            name = str(path.relative_to(data_raw_dir))
            if S_ISLNK(stat.st_mode):
                target = f"symbolic link to {os.readlink(path)}"
                states[name] = [hashlib.sha256(target.encode()).hexdigest(), *identity]
                continue
            if not S_ISREG(stat.st_mode):
                continue
            previous = (known or {}).get(name)
            digest = previous[0] if previous and previous[1:] == identity else file_sha256(path)
            states[name] = [digest, *identity]
    return dict(sorted(states.items()))


def fingerprint(hashes: dict[str, str]) -> str:
    """One hash for a set of files and their contents."""
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()


def published_source_hashes(published_db: Path) -> dict[str, str] | None:
    """The raw files (name → sha256) the published warehouse was built from, if there is one."""
    meta = read_meta_build(published_db)
    if meta is None:
        return None
    return {item["file"]: item["sha256"] for item in json.loads(meta["raw_files"])}


def is_published(hashes: dict[str, str], published: dict[str, str] | None) -> bool:
    """Whether the published warehouse was built from exactly these source files.

    The registry and the publishers' profiles are not among the published raw files (they say
    how to read them); they are compared by the sensor's cursor.
    """
    sources = {
        name: digest
        for name, digest in hashes.items()
        if name != REGISTRY_NAME and Path(name).parts[0] != PROFILES_FOLDER
    }
    return published is not None and sources == published


def changed_fiscal_years(
    previous: dict[str, str] | None, current: dict[str, str]
) -> list[int] | None:
    """The fiscal years whose line files changed, when nothing but line files changed."""
    if previous is None:
        return None
    changed = {
        name for name in previous.keys() | current.keys() if previous.get(name) != current.get(name)
    }
    years = set()
    for name in changed:
        parts = Path(name).parts
        if len(parts) < 3 or parts[0] != LINES_FOLDER or not parts[1].isdigit():
            return None
        years.add(int(parts[1]))
    return sorted(years) or None


# A build's inputs, as ``build.json`` of the published build records them (key ``inputs``):
# ``{"data_raw": FileStates, "code": code_fingerprint()}``. A no-change ``make run`` compares
# them with the inputs of now and stops early when they are the same.
INPUTS_KEY = "inputs"


def current_inputs(data_raw_dir: Path, recorded: dict | None = None) -> dict:
    """What a run would build from now: every input file of ``data_raw_dir`` (the registry too)
    and the code. Files whose size, modification time and inode are those ``recorded`` keep
    their recorded sha256 (as the sensor does: gigabytes of budget lines are not read again to
    learn that nothing changed); every other file is hashed."""
    known = (recorded or {}).get("data_raw") if isinstance(recorded, dict) else None
    return {
        "data_raw": raw_file_states(data_raw_dir, known if isinstance(known, dict) else None),
        "code": code_fingerprint(),
    }


def inputs_changed(recorded: dict | None, current: dict) -> list[str]:
    """What differs between the inputs a build recorded and ``current``, in words; empty when
    nothing does. A build that recorded no inputs (made before they were recorded, from the
    Dagster UI, or a fiscal-year refresh over other code) differs in everything."""
    if not isinstance(recorded, dict) or not recorded.get("code"):
        return ["the published build records no inputs to compare with"]
    reasons = []
    before = {name: state[0] for name, state in (recorded.get("data_raw") or {}).items()}
    now = {name: state[0] for name, state in current["data_raw"].items()}
    changed = sorted(
        name for name in before.keys() | now.keys() if before.get(name) != now.get(name)
    )
    if changed:
        shown = ", ".join(changed[:3]) + (
            f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        )
        reasons.append(f"data_raw/ ({len(changed)} file(s): {shown})")
    if recorded["code"] != current["code"]:
        reasons.append("the code (pipelines/, dbt_project/, expectations/, uv.lock or limits)")
    return reasons


def inputs_of_fiscal_years_build(base: dict | None, current: dict, years: list[int]) -> dict | None:
    """The inputs a refresh of ``years`` over the published build ``base`` is made from.

    Such a build keeps everything of its base but the budget lines of those years: its inputs are
    the base's, with the line files of those years as they are now. When the code changed since
    the base, what the base holds came from other code: no inputs (the next run rebuilds)."""
    if not isinstance(base, dict) or base.get("code") != current["code"]:
        return None

    def reprocessed(name: str) -> bool:
        parts = Path(name).parts
        return len(parts) >= 2 and parts[0] == LINES_FOLDER and parts[1] in {str(y) for y in years}

    kept = {
        name: state for name, state in (base.get("data_raw") or {}).items() if not reprocessed(name)
    }
    fresh = {name: state for name, state in current["data_raw"].items() if reprocessed(name)}
    return {"data_raw": dict(sorted({**kept, **fresh}.items())), "code": current["code"]}


# The run's inputs travel from the command line to the publish step as a file in ``.build``,
# named by a run tag holding its sha256: a run started elsewhere (the UI, a sensor) has no tag,
# and a file left by another run does not match it, so neither records inputs it was not built
# from.
INPUTS_TAG = "bnd/inputs_sha256"
INPUTS_FILE = "inputs.json"


def write_run_inputs(build_dir: Path, inputs: dict | None) -> str | None:
    """Keep the run's inputs for its publish step; returns the tag value (None: no inputs)."""
    if inputs is None:
        return None
    text = json.dumps(inputs, sort_keys=True)
    build_dir.mkdir(parents=True, exist_ok=True)
    temporary = build_dir / f".{INPUTS_FILE}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, build_dir / INPUTS_FILE)
    return hashlib.sha256(text.encode()).hexdigest()


def read_run_inputs(build_dir: Path, tag: str | None) -> dict | None:
    """The inputs the command line kept for the run tagged ``tag``; None if they are not those."""
    if not tag:
        return None
    try:
        text = (build_dir / INPUTS_FILE).read_text(encoding="utf-8")
    except OSError:
        return None
    if hashlib.sha256(text.encode()).hexdigest() != tag:
        return None
    return json.loads(text)
