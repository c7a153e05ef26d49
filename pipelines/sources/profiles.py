"""Publishers' layouts as configuration: ``data_raw/profiles/<name>.yml``.

A profile says how a publisher's table of budget lines becomes the warehouse's line grain: which
column holds the fiscal year, the 회계 and the 계정, the organisation, each level of the
programme hierarchy, and which amount column is which phase (each becomes a line of its own phase;
amounts are never added together). A field may be found under several names (the Open Fiscal Data
API's ``FSCL_NM`` and the portal's ``회계명``): a file is read with the first name its header holds.

A file in a publisher's layout is registered under ``line_files:`` in ``data_raw/sources.yml``
with its profile and the unit of its amounts (``registry.LineFileEntry``). Adding a publisher is a
new profile, not a new parser. This module only reads and checks profiles; the landing reads the
files (``landing.publisher_lines``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.core import limits
from pipelines.core.errors import SourceError
from pipelines.sources.registry import (
    LINE_FILES,
    REGISTRY_NAME,
    LineFileEntry,
    is_valid_phase,
    line_file_entries,
    utf8_text,
)

PROFILES_FOLDER = "profiles"
# Fields a profile maps columns to: the line's year, where its money is (회계, 계정), who spends
# it, and the programme hierarchy from the widest level (분야) to the line (세부사업).
FIELDS = (
    "fiscal_year",
    "account",
    "sub_account",
    "organisation",
    "field",
    "sector",
    "programme",
    "unit_project",
    "detail_project",
)
REQUIRED = ("fiscal_year", "account", "organisation", "detail_project")
# The programme hierarchy, widest first; its levels present in a file name a line's programme.
HIERARCHY = ("programme", "unit_project", "detail_project")
ORGANISATION_KINDS = ("city_province", "si_gun_gu", "central_agency")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True)
class AmountColumn:
    columns: tuple[str, ...]  # the names it may have, in the order they are tried
    phase: str
    fiscal_year_offset: int = 0  # -1: the figure is the prior year's (전년도 최종)


@dataclass(frozen=True)
class OrganisationKind:
    """A constant kind (``central_agency``), or 시·도 by the suffix of the name's last word."""

    constant: str | None = None
    city_province_suffixes: tuple[str, ...] = ()
    otherwise: str | None = None

    def of(self, name: str) -> str:
        if self.constant is not None:
            return self.constant
        words = name.split()
        last = words[-1] if words else ""
        if last.endswith(self.city_province_suffixes):
            return "city_province"
        return self.otherwise or "si_gun_gu"


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    title: str
    publisher: str
    url: str | None
    fields: dict[str, tuple[str, ...]]  # field → the column names it may have
    amounts: tuple[AmountColumn, ...]
    organisation_kind: OrganisationKind
    # Every kept row belongs to this account of today (the local layout has no 계정 column).
    today_account: str | None = None


def profiles_dir(raw_dir: Path) -> Path:
    return raw_dir / PROFILES_FOLDER


def load_profile(raw_dir: Path, name: str, where: str, place: str) -> Profile:
    """The profile ``name`` of ``raw_dir/profiles/``; ``where``/``place`` name the registry
    entry that asked for it, for the error when there is no such profile."""
    if not _NAME.fullmatch(name):
        raise SourceError(where, f"{place}, profile", "a profile name (a-z, 0-9, _)", repr(name))
    folder = _confined_folder(raw_dir)
    path = folder / f"{name}.yml"
    if not path.is_file() or path.is_symlink():
        known = sorted(p.stem for p in folder.glob("*.yml") if not p.is_symlink())
        raise SourceError(
            where,
            f"{place}, profile",
            f"a profile in {folder} (one of {', '.join(known) or 'none'})",
            repr(name),
        )
    text_where = str(path)
    try:
        limits.check("YAML_BYTES", path.stat().st_size, text_where, "whole file")
        document = limits.safe_load_yaml(utf8_text(path.read_bytes(), text_where), text_where)
    except yaml.YAMLError as error:
        raise SourceError(
            text_where, "whole file", "valid YAML", str(error).splitlines()[0]
        ) from None
    return parse_profile(document, path)


def _confined_folder(raw_dir: Path) -> Path:
    """The profiles folder, once its real path is known to lie inside the raw folder's: a
    symbolic link leading out of it would make the run read (and quote in its messages) YAML
    from anywhere on the machine. A profile that is itself a link is refused by its caller."""
    folder = profiles_dir(raw_dir)
    resolved, root = folder.resolve(), raw_dir.resolve()
    if not resolved.is_relative_to(root):
        raise SourceError(
            str(folder),
            "folder",
            f"a folder inside {root}",
            f"a symbolic link leading out of it ({resolved})",
        )
    return folder


def parse_profile(document: object, path: Path) -> Profile:
    where = str(path)
    if not isinstance(document, dict):
        raise SourceError(where, "top level", "a mapping of the profile's fields", repr(document))
    if document.get("name") != path.stem:
        raise SourceError(
            where, "name", f"the file's name, {path.stem}", repr(document.get("name"))
        )
    for key in ("title", "publisher"):
        if not isinstance(document.get(key), str) or not document[key].strip():
            raise SourceError(where, key, "a text", repr(document.get(key)))
    fields = _fields(document.get("fields"), where)
    today_account = document.get("today_account")
    if "sub_account" not in fields and not today_account:
        raise SourceError(
            where,
            "fields",
            "a sub_account (계정) column, or today_account: the account every row belongs to",
            "neither",
        )
    return Profile(
        name=path.stem,
        path=path,
        title=document["title"].strip(),
        publisher=document["publisher"].strip(),
        url=str(document["url"]) if document.get("url") else None,
        fields=fields,
        amounts=_amounts(document.get("amounts"), where),
        organisation_kind=_organisation_kind(document.get("organisation_kind"), where),
        today_account=str(today_account) if today_account else None,
    )


def _names(value: object, where: str, place: str) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else value
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(name, str) and name.strip() for name in names)
    ):
        raise SourceError(where, place, "a column name or a list of them", repr(value))
    return tuple(name.strip() for name in names)


def _fields(value: object, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise SourceError(where, "fields", "a mapping of field → column names", repr(value))
    unknown = sorted(set(map(str, value)) - set(FIELDS))
    if unknown:
        raise SourceError(where, "fields", f"fields among {', '.join(FIELDS)}", ", ".join(unknown))
    missing = [field for field in REQUIRED if field not in value]
    if missing:
        raise SourceError(where, "fields", f"the fields {', '.join(REQUIRED)}", f"no {missing[0]}")
    return {
        field: _names(value[field], where, f"fields, {field}") for field in FIELDS if field in value
    }


def _amounts(value: object, where: str) -> tuple[AmountColumn, ...]:
    if not isinstance(value, list) or not value:
        raise SourceError(
            where, "amounts", "a list of amount columns with their phase", repr(value)
        )
    amounts = []
    for number, item in enumerate(value, start=1):
        place = f"amounts, item {number}"
        if not isinstance(item, dict):
            raise SourceError(where, place, "columns and phase", repr(item))
        phase = str(item.get("phase", ""))
        if not is_valid_phase(phase):
            raise SourceError(
                where, f"{place}, phase", "proposed, enacted, supplementary_<n>, final or settled",
                repr(phase),
            )  # fmt: skip
        offset = item.get("fiscal_year_offset", 0)
        if not isinstance(offset, int) or isinstance(offset, bool) or offset not in (-1, 0):
            raise SourceError(where, f"{place}, fiscal_year_offset", "0 or -1", repr(offset))
        amounts.append(AmountColumn(_names(item.get("columns"), where, place), phase, offset))
    return tuple(amounts)


def _organisation_kind(value: object, where: str) -> OrganisationKind:
    if isinstance(value, str) and value in ORGANISATION_KINDS:
        return OrganisationKind(constant=value)
    if isinstance(value, dict):
        suffixes = _names(value.get("city_province_suffixes"), where, "organisation_kind")
        otherwise = value.get("otherwise", "si_gun_gu")
        if otherwise in ORGANISATION_KINDS:
            return OrganisationKind(city_province_suffixes=suffixes, otherwise=str(otherwise))
    raise SourceError(
        where,
        "organisation_kind",
        f"one of {', '.join(ORGANISATION_KINDS)}, or city_province_suffixes and otherwise",
        repr(value),
    )


def publisher_layouts(raw_dir: Path) -> dict[str, tuple[LineFileEntry, Profile]]:
    """Each file listed under ``line_files:`` in the registry, with its entry and its profile
    (read once per profile); a listed file that is not there, or not in a fiscal year's folder of
    budget lines, stops the run naming the entry."""
    where = str(raw_dir / REGISTRY_NAME)
    loaded: dict[str, Profile] = {}
    layouts = {}
    for number, (file, entry) in enumerate(line_file_entries(raw_dir).items(), start=1):
        place = f"entry {number} under '{LINE_FILES}'"
        parts = Path(file).parts
        if len(parts) != 3 or parts[0] != "budget_lines" or not re.fullmatch(r"\d{4}", parts[1]):
            raise SourceError(
                where, f"{place}, file", "a file in budget_lines/<fiscal year>/", repr(file)
            )
        if not (raw_dir / file).is_file():
            raise SourceError(where, f"{place}, file", f"a file in {raw_dir}", f"no {file}")
        if entry.profile not in loaded:
            loaded[entry.profile] = load_profile(raw_dir, entry.profile, where, place)
        layouts[file] = (entry, loaded[entry.profile])
    return layouts
