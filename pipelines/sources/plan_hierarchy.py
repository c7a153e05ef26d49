"""The plan hierarchy as the published page prints it: the five-year plan, its annual
implementation plan, the action plans, the counts the page declares and the plan's legal basis.

The page prints (see ``data_raw/``)::

    • The Government formulates a five-year balanced national development plan in accordance to
      Article 4 of the Special Act on Balanced National Development and establishes action plans ...
    Five-Year Balanced National Development Plan(2018~2022)
      • 3 Strategies
      • 9 Key Tasks
      • 37 Action Tasks
    Implementation Plan (Annual)
    Target : 334 Tasks for the 「Five-Year Balanced National Development Plan」
      • Sectoral Action Plans(Central Administrative Agencies)
      • Regional Action Plans(Cities and Provinces)

Names and labels are kept as printed; which plan, component or formulator they name is reference
data people maintain (``ref_plan_labels.csv``), resolved in ``plan_landing``. Every count is read
from the page, never typed into code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.core.errors import SourceError
from pipelines.sources.page_text import (
    TextItem,
    bullet_list,
    bullet_text,
    collapse,
    find_heading,
    paragraphs,
)

YEAR = r"(?:19|20)[0-9]{2}"
PERIOD_HEADING = re.compile(
    rf"(?P<name>.*?\S)\s*\(\s*(?P<start>{YEAR})\s*[~〜～∼\-–—]\s*(?P<end>{YEAR})\s*\)"
)
# ASCII digits, optionally grouped by thousands: "37", "1,234".
COUNT = r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+"
COUNT_ITEM = re.compile(rf"(?P<count>{COUNT})\s+(?P<label>[^0-9\s].*)")
TARGET_LINE = re.compile(
    rf"Target\s*:\s*(?P<count>{COUNT})\s+(?P<label>.+?)\s+for\s+the\s+(?P<plan>.+)", re.IGNORECASE
)
NAME_IN_PARENTHESES = re.compile(r"(?P<name>.*?\S)\s*\(\s*(?P<inner>[^()]*?\S)\s*\)")
LEGAL_BASIS = re.compile(
    r"\b(?P<article>Article\s+[0-9]+(?:\s*\([0-9]+\))?)\s+of\s+the\s+"
    r"(?P<act>[A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|on|of|for|the))*)"
)
# Quotation marks and brackets a title may stand in: 「…」, 『…』, “…”, "…".
TITLE_QUOTES = "「」『』《》〈〉“”‘’\"'"
CONNECTORS = {"on", "of", "for", "the"}


@dataclass(frozen=True)
class PrintedCount:
    """A count the page declares, e.g. ``3 Strategies``: the number and what it counts."""

    label: str  # what is counted, as printed: "Strategies"
    count: int
    item: TextItem  # the whole item as printed


@dataclass(frozen=True)
class PlanHeading:
    """A plan the page names, with what it says of it."""

    name: str  # as printed, e.g. "Five-Year Balanced National Development Plan"
    heading: TextItem  # the whole line it is named on
    period: tuple[int, int] | None = None  # first and last year, when printed
    cycle: str | None = None  # e.g. "Annual", when printed
    counts: tuple[PrintedCount, ...] = ()
    parent_name: str | None = None  # the plan it serves, as printed ("for the 「…」")
    formulator_label: str | None = None  # who draws it up, as printed in parentheses


@dataclass(frozen=True)
class LegalBasis:
    """The provision the plan is made under, e.g. Article 4 of the Special Act on …."""

    text: str  # "Article 4 of the Special Act on Balanced National Development"
    article: str
    act: str
    line: int


@dataclass(frozen=True)
class PlanHierarchy:
    five_year_plan: PlanHeading
    implementation_plan: PlanHeading
    action_plans: tuple[PlanHeading, ...]
    legal_basis: LegalBasis

    @property
    def plans(self) -> tuple[PlanHeading, ...]:
        """Every plan in page order: the five-year plan, its implementation plan, action plans."""
        return (self.five_year_plan, self.implementation_plan, *self.action_plans)


def parse_count(text: str) -> int:
    if not re.fullmatch(COUNT, text):
        raise ValueError(f"not a count: {text!r}")
    return int(text.replace(",", ""))


def parse_plan_hierarchy(lines: Sequence[str], file: str) -> PlanHierarchy:
    """Find and parse the plan, its counts, its implementation and action plans, its legal basis."""
    five_year = _five_year_plan(lines, file)
    implementation, target_index = _implementation_plan(lines, file)
    action_plans = tuple(
        _action_plan(item, implementation.name, file)
        for item in bullet_list(lines, target_index, file, "action plans, such as 'X Plans(by Y)'")
    )
    return PlanHierarchy(
        five_year_plan=five_year,
        implementation_plan=implementation,
        action_plans=action_plans,
        legal_basis=parse_legal_basis(lines, file),
    )


def _five_year_plan(lines: Sequence[str], file: str) -> PlanHeading:
    index = find_heading(
        lines,
        PERIOD_HEADING,
        file,
        "naming a plan and its period, such as 'Five-Year … Plan(2018~2022)'",
    )
    match = PERIOD_HEADING.fullmatch(collapse(lines[index]))
    assert match is not None
    start, end = int(match["start"]), int(match["end"])
    heading = TextItem(collapse(lines[index]), index + 1, index + 1)
    if start > end:
        raise SourceError(
            file, heading.place, "a period from an earlier to a later year", repr(heading.text)
        )
    items = bullet_list(lines, index, file, "counts, such as '3 Strategies'")
    return PlanHeading(
        name=match["name"],
        heading=heading,
        period=(start, end),
        counts=tuple(_count_item(item, file) for item in items),
    )


def _count_item(item: TextItem, file: str) -> PrintedCount:
    match = COUNT_ITEM.fullmatch(item.text)
    if match is None:
        raise SourceError(
            file,
            item.place,
            "a count followed by what it counts, such as '3 Strategies'",
            repr(item.text),
        )
    return PrintedCount(label=match["label"], count=parse_count(match["count"]), item=item)


def _implementation_plan(lines: Sequence[str], file: str) -> tuple[PlanHeading, int]:
    """The plan whose target is printed (``Target : 334 Tasks for the 「…」``) below its name."""
    index = find_heading(
        lines, TARGET_LINE, file, "'Target : <count> <what> for the <plan>' (the annual target)"
    )
    target = TextItem(collapse(lines[index]), index + 1, index + 1)
    match = TARGET_LINE.fullmatch(target.text)
    assert match is not None
    above = _previous_text_line(lines, index)
    name_match = (
        NAME_IN_PARENTHESES.fullmatch(collapse(lines[above])) if above is not None else None
    )
    if above is None or name_match is None or bullet_text(lines[above]) is not None:
        raise SourceError(
            file,
            f"line {(above if above is not None else index) + 1}",
            f"the name of the plan whose target is on line {index + 1}, "
            "such as 'Implementation Plan (Annual)'",
            repr(collapse(lines[above])) if above is not None else "the start of the page",
        )
    heading = TextItem(collapse(lines[above]), above + 1, above + 1)
    plan = PlanHeading(
        name=name_match["name"],
        heading=heading,
        cycle=name_match["inner"],
        counts=(PrintedCount(match["label"], parse_count(match["count"]), target),),
        parent_name=collapse(match["plan"].strip().strip(TITLE_QUOTES)),
    )
    return plan, index


def _previous_text_line(lines: Sequence[str], before: int) -> int | None:
    for index in range(before - 1, -1, -1):
        if lines[index].strip():
            return index
    return None


def _action_plan(item: TextItem, parent_name: str, file: str) -> PlanHeading:
    match = NAME_IN_PARENTHESES.fullmatch(item.text)
    if match is None:
        raise SourceError(
            file,
            item.place,
            "an action plan and who draws it up, such as "
            "'Sectoral Action Plans(Central Administrative Agencies)'",
            repr(item.text),
        )
    return PlanHeading(
        name=match["name"],
        heading=item,
        parent_name=parent_name,
        formulator_label=match["inner"],
    )


def parse_legal_basis(lines: Sequence[str], file: str) -> LegalBasis:
    """The one provision the page cites (``Article <n> of the <Act>``); the same one may recur."""
    found: dict[str, LegalBasis] = {}
    for paragraph in paragraphs(lines):
        for match in LEGAL_BASIS.finditer(paragraph.text):
            act = _without_trailing_connectors(match["act"])
            article = collapse(match["article"])
            text = f"{article} of the {act}"
            found.setdefault(text, LegalBasis(text, article, act, paragraph.first_line))
    if len(found) != 1:
        where = ", ".join(f"line {basis.line}: {text!r}" for text, basis in found.items())
        raise SourceError(
            file,
            "whole file",
            "one legal basis of the plan, such as 'Article 4 of the Special Act on …'",
            where or "none",
        )
    (basis,) = found.values()
    return basis


def _without_trailing_connectors(act: str) -> str:
    words = act.split()
    while words and words[-1] in CONNECTORS:
        words.pop()
    return " ".join(words)
