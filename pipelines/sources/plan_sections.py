"""The page's lists about Balanced National Development Projects: what funds them (funding scope),
the project areas, and the statements on changes in the budget.

The page prints (see ``data_raw/``)::

    Balanced National Development Projects are all projects ... (General Accounts, Special
    Accounts for Balanced National Development, other special accounts and funds) and they also
    include new projects, non-budget projects and projects carried out with local governments’ ...
    Project Areas
      • Matters relating to establishing and activating regional innovation systems
      ...
    Changes in the Budget
      • Increase in Support Accounts: Transfer of Projects for ...
      • Decrease in Autonomous Accounts: Transfer of KRW 3.5 trillion worth of ...

Texts are kept as printed (whitespace collapsed); codes come from the reference seeds in
``plan_landing``. How many items each list must hold is declared in ``data_raw/sources.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipelines.core.errors import SourceError
from pipelines.sources.page_text import TextItem, bullet_list, bullet_text, find_heading, paragraphs

FUNDING_SENTENCE = re.compile(
    r"(?P<subject>.+?)\s+are\s+all\s+projects\b.*?\((?P<sources>[^()]+)\)\s*,?"
    r"\s*and\s+they\s+also\s+include\s+(?P<kinds>.+?)\s*\.?",
    re.IGNORECASE,
)
# "A, B, C and D" or "A, B, C, and D": items of a list in running text.
LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
PROJECT_AREAS_HEADING = re.compile(r"Project\s+Areas", re.IGNORECASE)
CHANGES_HEADING = re.compile(r"Changes\s+in\s+the\s+Budget", re.IGNORECASE)
NOTE_ITEM = re.compile(
    r"(?P<direction>[^\W\d_]+)\s+in\s+(?P<subject>[^:]+?)\s*:\s*(?P<statement>.+)"
)
AMOUNT = re.compile(
    r"\bKRW\s*(?P<value>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
    r"\s*(?P<scale>trillion|billion|million)\b",
    re.IGNORECASE,
)

FUNDING_SOURCE = "funding_source"
INCLUDED_PROJECT_KIND = "included_project_kind"


@dataclass(frozen=True)
class FundingScopeItem:
    """One item of what Balanced National Development Projects cover, as printed."""

    label: str  # e.g. "General Accounts"
    scope_kind: str  # FUNDING_SOURCE (in the parentheses) or INCLUDED_PROJECT_KIND
    item_order: int  # 1-based, in page order
    sentence: TextItem  # the whole sentence and its lines


@dataclass(frozen=True)
class StatedAmount:
    """An amount a statement gives in words, e.g. ``KRW 3.5 trillion``."""

    text: str  # as printed
    value: Decimal  # 3.5
    unit_label: str  # "KRW trillion", a unit of ref_units.csv


@dataclass(frozen=True)
class BudgetChangeNote:
    """One statement under "Changes in the Budget": ``<Increase|Decrease> in <account>: <text>``."""

    note_order: int
    direction_label: str  # as printed: "Increase"
    subject_label: str  # the account as printed: "Support Accounts"
    statement: str  # the text after the colon
    amount: StatedAmount | None
    item: TextItem  # the whole statement as printed, and its lines


def parse_funding_scope(lines: Sequence[str], file: str) -> list[FundingScopeItem]:
    """The funding sources in the parentheses, then the kinds of projects also included."""
    found = [
        (paragraph, match)
        for paragraph in paragraphs(lines)
        if (match := FUNDING_SENTENCE.fullmatch(bullet_text(paragraph.text) or paragraph.text))
    ]
    if len(found) != 1:
        raise SourceError(
            file,
            "whole file" if not found else ", ".join(p.place for p, _ in found),
            "one sentence '<…> Projects are all projects … (<funding sources>) and they also "
            "include <kinds of projects>'",
            f"{len(found)} such sentences",
        )
    ((sentence, match),) = found
    labels = [(label, FUNDING_SOURCE) for label in _split_list(match["sources"])]
    labels += [(label, INCLUDED_PROJECT_KIND) for label in _split_list(match["kinds"])]
    return [
        FundingScopeItem(label=label, scope_kind=kind, item_order=order, sentence=sentence)
        for order, (label, kind) in enumerate(labels, start=1)
    ]


def _split_list(text: str) -> list[str]:
    return [item for item in LIST_SEPARATOR.split(text.strip()) if item]


def parse_project_areas(lines: Sequence[str], file: str) -> list[TextItem]:
    """The bulleted list below the heading "Project Areas", one item per area, in page order."""
    heading = find_heading(lines, PROJECT_AREAS_HEADING, file, "'Project Areas'")
    return bullet_list(lines, heading, file, "project areas")


def parse_budget_change_notes(lines: Sequence[str], file: str) -> list[BudgetChangeNote]:
    """The statements below "Changes in the Budget", with the amount each states, if any."""
    heading = find_heading(lines, CHANGES_HEADING, file, "'Changes in the Budget'")
    notes = []
    for order, item in enumerate(
        bullet_list(lines, heading, file, "changes in the budget"), start=1
    ):
        match = NOTE_ITEM.fullmatch(item.text)
        if match is None:
            raise SourceError(
                file,
                item.place,
                "a statement '<Increase|Decrease> in <account>: <what changed>'",
                repr(item.text),
            )
        notes.append(
            BudgetChangeNote(
                note_order=order,
                direction_label=match["direction"],
                subject_label=match["subject"],
                statement=match["statement"],
                amount=_stated_amount(item, file),
                item=item,
            )
        )
    return notes


def _stated_amount(item: TextItem, file: str) -> StatedAmount | None:
    amounts = list(AMOUNT.finditer(item.text))
    if len(amounts) > 1:
        raise SourceError(
            file,
            item.place,
            "at most one amount per statement",
            ", ".join(repr(match[0]) for match in amounts),
        )
    if not amounts:
        return None
    (match,) = amounts
    return StatedAmount(
        text=match[0],
        value=Decimal(match["value"].replace(",", "")),
        unit_label=f"KRW {match['scale'].lower()}",
    )
