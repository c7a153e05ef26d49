"""Which figure of a source makes a check fail: the cell an analyst should look at first.

A reconciliation fails on a printed total (the Total for 2018 is 1,000 less than the sum of its
parts), but the figure that changed is usually one of its parts. ``locate`` finds it, in this
order, and says how it knows:

1. ``own_check``: one part fails a check of its own (its comparison with another source, or
   with the budget lines that add up to it);
2. ``published`` / ``published_partial`` / ``total_changed``: compared with the published build
   (the last good one), exactly one of the figures involved changed. A part that changed by the
   whole difference is the one; a printed total that changed while none of its parts did is the
   total itself;
3. ``only_candidate``: every other part is vouched for by a sub-total that adds up (a single
   changed figure inside it would break that sub-total too), and one part is left;
4. ``undetermined``: "one of its parts", listing the parts that may hold the difference.

A part's expected figure is the one that makes the total add up: its printed figure less the
total's difference (which is also the published build's figure when only it changed).

Rows that are about one figure already (a figure against its budget lines, or against another
source) name that figure and the other side (``row``). Pure logic on plain rows; the report reads
them from the build (``dq_report``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PASSING = ("EXACT", "WITHIN_TOLERANCE")
LOCATOR = re.compile(r"^(?P<file>.*?):(?P<line>\d+)(?: \[(?P<column>[^\]]*)\])?$")

LeafKey = tuple[Any, Any, Any, Any, Any]  # source_file, phase, fiscal_year, account, level
TotalKey = tuple[Any, Any, Any, Any, Any]  # source_file, phase, fiscal_year, account, total_kind


@dataclass(frozen=True)
class Previous:
    """The published build's figures, to tell which figure changed: its leaves and its printed
    totals (KRW million), by the same keys as this build's."""

    leaves: dict[LeafKey, float] = field(default_factory=dict)
    totals: dict[TotalKey, float] = field(default_factory=dict)


def leaf_key(row: Mapping[str, Any]) -> LeafKey:
    return (
        row.get("source_file"),
        row.get("phase"),
        row.get("fiscal_year"),
        row.get("account_code"),
        row.get("level_code"),
    )


def total_key(row: Mapping[str, Any]) -> TotalKey:
    return (
        row.get("source_file"),
        row.get("phase"),
        row.get("fiscal_year"),
        row.get("account_code"),
        row.get("total_kind"),
    )


def place(locator: Any) -> dict[str, Any]:
    """``file.txt:55 [2018]`` → file, line and column (as far as the locator says them)."""
    match = LOCATOR.match(str(locator or ""))
    if not match:
        return {"file": locator, "line": None, "column": None}
    return {
        "file": match["file"],
        "line": int(match["line"]),
        "column": match["column"],
    }


def descendants(account: str, parents: Mapping[str, str | None]) -> set[str]:
    """``account`` and every account below it."""
    found = {account}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in found and child not in found:
                found.add(child)
                changed = True
    return found


def parts_of(
    total: Mapping[str, Any], cells: Iterable[Mapping[str, Any]], parents: Mapping[str, str | None]
) -> list[Mapping[str, Any]]:
    """The leaf figures a printed total adds up: same source, phase and year, under its account."""
    below = descendants(total["account_code"], parents)
    return [
        cell
        for cell in cells
        if (cell.get("source_file"), cell.get("phase"), cell.get("fiscal_year"))
        == (total.get("source_file"), total.get("phase"), total.get("fiscal_year"))
        and cell.get("account_code") in below
    ]


def vouched_for(
    total: Mapping[str, Any],
    reconciliation: Iterable[Mapping[str, Any]],
    parents: Mapping[str, str | None],
) -> set[str]:
    """Accounts below the total's whose own printed sub-total adds up in the same source, phase
    and year: a single changed figure among their parts would have broken it."""
    below = descendants(total["account_code"], parents) - {total["account_code"]}
    vouched: set[str] = set()
    for row in reconciliation:
        if (
            row.get("account_code") in below
            and (row.get("source_file"), row.get("phase"), row.get("fiscal_year"))
            == (total.get("source_file"), total.get("phase"), total.get("fiscal_year"))
            and row.get("status") in PASSING
        ):
            vouched |= descendants(row["account_code"], parents)
    return vouched


def _cell(cell: Mapping[str, Any], expected: float | None = None) -> dict[str, Any]:
    found = {
        key: cell.get(key)
        for key in (
            "source_file",
            "source_locator",
            "line",
            "label",
            "fiscal_year",
            "account_code",
            "level_code",
            "phase",
        )
    }
    found["printed"] = cell.get("amount")
    if found["line"] is None:
        found["line"] = place(cell.get("source_locator"))["line"]
    if expected is not None and cell.get("amount") is not None:
        found["expected"] = expected
        found["difference"] = cell["amount"] - expected
    return found


def locate(
    total: Mapping[str, Any],
    cells: list[Mapping[str, Any]],
    parents: Mapping[str, str | None],
    reconciliation: list[Mapping[str, Any]],
    own_failures: Mapping[LeafKey, list[str]] | None = None,
    previous: Previous | None = None,
    total_label: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The figure that makes the printed ``total`` (an audit row: expected = printed, actual =
    sum of parts) fail, and how that is known (see the module's docstring)."""
    printed, summed = total["expected_krw_million"], total["actual_krw_million"]
    difference = summed - printed  # how much more the parts add up to than the total says
    label = total_label or {}
    total_place = place(total.get("source_locator"))
    summary = {
        "source_file": total.get("source_file"),
        "source_locator": total.get("source_locator"),
        "line": label.get("line") or total_place["line"],
        "label": label.get("label"),
        "fiscal_year": total.get("fiscal_year"),
        "account_code": total.get("account_code"),
        "total_kind": total.get("total_kind"),
        "phase": total.get("phase"),
        "printed": printed,
        "sum": summed,
        "difference": difference,
    }
    parts = parts_of(total, cells, parents)
    vouched = vouched_for(total, reconciliation, parents)
    candidates = [part for part in parts if part.get("account_code") not in vouched]
    found: dict[str, Any] = {"total": summary, "cell": None, "why": None, "previous": None}

    def expected_of(part: Mapping[str, Any]) -> float:
        return part["amount"] - difference

    own = [part for part in candidates if (own_failures or {}).get(leaf_key(part))]
    if len(own) == 1:
        (part,) = own
        found.update(
            basis="own_check",
            cell=_cell(part, expected_of(part)),
            own_checks=list((own_failures or {})[leaf_key(part)]),
        )
        return _with_candidates(found, candidates)
    if previous is not None:
        changed = [
            part
            for part in candidates
            if leaf_key(part) in previous.leaves
            and previous.leaves[leaf_key(part)] != part.get("amount")
        ]
        before = previous.totals.get(total_key(total))
        total_changed = before is not None and before != printed
        if len(changed) == 1 and not total_changed:
            (part,) = changed
            was = previous.leaves[leaf_key(part)]
            change = part["amount"] - was
            basis = "published" if change == difference else "published_partial"
            cell = _cell(part, was if basis == "published" else expected_of(part))
            found.update(basis=basis, cell=cell, previous=was, change=change)
            return _with_candidates(found, candidates)
        if not changed and total_changed:
            cell = {
                **{key: summary[key] for key in ("source_file", "source_locator", "line")},
                **{key: summary[key] for key in ("label", "fiscal_year", "account_code")},
                "level_code": None,
                "phase": summary["phase"],
                "printed": printed,
                "expected": summed,
                "difference": printed - summed,
            }
            found.update(basis="total_changed", cell=cell, previous=before)
            return _with_candidates(found, candidates)
        found["why"] = "several_changed" if changed else "none_changed"
    else:
        found["why"] = "no_published"
    if len(candidates) == 1:
        (part,) = candidates
        found.update(basis="only_candidate", cell=_cell(part, expected_of(part)), why=None)
        return _with_candidates(found, candidates)
    found["basis"] = "undetermined"
    return _with_candidates(found, candidates)


def _with_candidates(found: dict[str, Any], candidates: list[Mapping[str, Any]]) -> dict[str, Any]:
    found["candidates"] = [_cell(part) for part in candidates]
    return found


def row_cell(
    row: Mapping[str, Any], labels: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any] | None:
    """The figure an audit row is about, when it is about one figure: a figure against its
    budget lines (expected = the figure, actual = the lines' sum) or against another source
    (amount against other amount). The other side is named, not taken for the truth."""
    locator = row.get("source_locator")
    if not locator or row.get("total_kind"):
        return None
    if "other_amount_krw_million" in row:
        printed, other = row.get("amount_krw_million"), row.get("other_amount_krw_million")
        other_where = row.get("other_locator") or row.get("other_source")
    elif "expected_krw_million" in row and "actual_krw_million" in row:
        printed, other = row.get("expected_krw_million"), row.get("actual_krw_million")
        other_where = row.get("line_files") or row.get("line_source")
    else:
        return None
    label = labels.get(str(locator), {})
    where = place(locator)
    cell = {
        "source_file": row.get("source_file") or where["file"],
        "source_locator": locator,
        "line": label.get("line") or where["line"],
        "label": label.get("label"),
        "fiscal_year": row.get("fiscal_year"),
        "account_code": row.get("account_code"),
        "level_code": row.get("level_code"),
        "phase": row.get("phase"),
        "printed": printed,
    }
    if printed is not None and other is not None:
        cell["expected"] = other
        cell["difference"] = printed - other
    return {
        "basis": "row",
        "cell": cell,
        "other": other,
        "other_where": other_where,
        "total": None,
        "candidates": [],
        "why": None,
    }
