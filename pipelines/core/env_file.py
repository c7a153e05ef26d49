"""``.env``: the settings of ``.env.example``, kept in a file instead of the shell.

Every command (``make run``, ``make docs``, ``make rollback``, ``make dev`` and what it starts)
reads ``<project>/.env`` (or the file ``BND_ENV_FILE`` names) before it reads any setting. A
variable already set in the environment wins over the file, so ``BND_WAREHOUSE_DIR=/tmp/w make
run`` still means what it says.

The format is the usual one, read strictly: ``NAME=value`` lines, ``#`` comments and blank lines,
an optional ``export`` before the name, the value optionally in single or double quotes (taken
as written: no ``$`` expansion, no escapes). Anything else stops the command with the file and
line, never a half-read file.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from pathlib import Path

from pipelines.core.errors import SourceError

ENV_FILE_ENV = "BND_ENV_FILE"
# A settings file is a few hundred bytes; anything far larger is not one.
MAX_BYTES = 64 * 1024
LINE = re.compile(
    r"""^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*
    (?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^"'\s#][^#]*?|))
    \s*(?:\#.*)?$""",
    re.VERBOSE,
)


def parse_env_file(path: Path) -> dict[str, str]:
    """The variables of ``path``; raises ``SourceError`` naming the line that is not one."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(str(path), "size", f"at most {MAX_BYTES:,} bytes", f"{size:,}")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(str(path), f"byte {error.start}", "UTF-8 text") from error
    except OSError as error:
        raise SourceError(
            str(path), "the file", "a readable settings file", error.strerror
        ) from error
    variables: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = LINE.match(line)
        if match is None:
            raise SourceError(
                str(path),
                f"line {number}",
                "NAME=value, NAME=\"value\" or NAME='value' (a comment starts with #)",
                repr(line[:80]),
            )
        value = next(v for v in match.group("double", "single", "bare") if v is not None)
        variables[match["name"]] = value
    return variables


def load_env_file(
    project_root: Path, environ: MutableMapping[str, str] = os.environ
) -> Path | None:
    """Set the variables of the project's ``.env`` (or of the file ``BND_ENV_FILE`` names, which
    must then exist) that the environment does not set already; returns the file read (None:
    the project has no ``.env``)."""
    named = environ.get(ENV_FILE_ENV)
    path = Path(named) if named else project_root / ".env"
    if not (path.exists() if named else path.is_file()):
        if named:  # a file named on purpose that is not there is a mistake, not "no settings"
            raise SourceError(named, ENV_FILE_ENV, "a settings file (see .env.example)", "none")
        return None
    for name, value in parse_env_file(path).items():
        environ.setdefault(name, value)
    return path
