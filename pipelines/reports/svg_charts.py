"""Small inline SVG charts for the data-quality report: no script, no request, escaped labels.

Every label is laid out from an estimate of its width (``text_width``), generous enough that the
text of the report's fonts (DejaVu, Noto, Nanum, Malgun Gothic) stays inside the chart: legends
flow into as many rows as they need (``flow_legend``), a label too long for its row wraps, and
nothing is cut. The browser tests measure every label of the report's charts against the
chart's viewBox.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f5f99", "#e08a1e", "#3a9a5b", "#b8433c", "#7b5ea7", "#8c6d46", "#5b7c8d")
TICK_SIZE, LEGEND_SIZE, TITLE_SIZE = 11, 11, 14  # px, as the report's style sets them


@dataclass(frozen=True)
class Series:
    label: str
    values: dict[int, float]  # year → value


def text_width(text: str, size: float) -> float:
    """An upper estimate of the width of ``text`` drawn at ``size`` px: Hangul and other wide
    characters a full em, capitals and digits most of one, other Latin letters a little more
    than half, spaces and punctuation less."""
    width = 0.0
    for character in text:
        if unicodedata.east_asian_width(character) in ("W", "F"):
            width += 1.0
        elif character.isupper() or character in "mwMW%&@":
            width += 0.74
        elif character.isdigit():
            width += 0.64
        elif character in " .,:;·'’|()[]!iIlj-–":
            width += 0.36
        else:
            width += 0.62
    return width * size


def wrap(text: str, size: float, max_width: float) -> list[str]:
    """``text`` in lines no wider than ``max_width`` (broken at spaces; a word wider than the
    whole line is broken where it must)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while text_width(word, size) > max_width:  # a word longer than a line
            cut = max(1, int(len(word) * max_width / text_width(word, size)))
            while cut > 1 and text_width(word[:cut], size) > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class LegendEntry:
    """Where a legend entry goes: its swatch at (x, y) (y: the baseline of its first line) and
    its text, in lines."""

    x: float
    y: float
    lines: tuple[str, ...]


def flow_legend(
    labels: Sequence[str],
    *,
    left: float,
    top: float,
    width: float,
    size: float = LEGEND_SIZE,
    swatch: float = 14,
    gap: float = 18,
) -> tuple[list[LegendEntry], float]:
    """Legend entries in rows from ``left`` to ``left + width``: each entry a swatch and its
    label, as many on a row as fit, a label wider than the row wrapped onto lines of its own.
    Returns the entries and the bottom of the legend."""
    line_height = size * 1.45
    entries = []
    x, y, row_lines = left, top + size, 1
    for label in labels:
        lines = wrap(label, size, width - swatch)
        entry_width = swatch + max(text_width(line, size) for line in lines)
        if x > left and x + entry_width > left + width:
            x, y = left, y + row_lines * line_height
            row_lines = 1
        entries.append(LegendEntry(x, y, tuple(lines)))
        row_lines = max(row_lines, len(lines))
        x += entry_width + gap
    bottom = y + (row_lines - 1) * line_height + size * 0.45 if entries else top
    return entries, bottom


def _legend_text(entry: LegendEntry, swatch: float, size: float, lang: str | None = None) -> str:
    spans = "".join(
        f'<tspan x="{entry.x + swatch:.1f}" dy="{0 if number == 0 else size * 1.45:.1f}">'
        f"{escape(line)}</tspan>"
        for number, line in enumerate(entry.lines)
    )
    language = f' xml:lang="{lang}"' if lang else ""
    return f'<text y="{entry.y:.1f}" class="legend"{language}>{spans}</text>'


def _svg_open(chart_id: str, title: str, width: float, height: float) -> list[str]:
    return [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-label="{escape(title)}">',
    ]


def _title(title: str, left: float, width: float) -> tuple[str, float]:
    """The chart's title (bold, so a tenth wider than text), wrapped to the chart's width from
    ``left``; returns it and the y below it."""
    lines = wrap(title, TITLE_SIZE * 1.1, width - left - 16)
    spans = "".join(
        f'<tspan x="{left}" dy="{0 if number == 0 else TITLE_SIZE * 1.35:.1f}">'
        f"{escape(line)}</tspan>"
        for number, line in enumerate(lines)
    )
    return (
        f'<text y="20" class="chart-title">{spans}</text>',
        20 + (len(lines) - 1) * TITLE_SIZE * 1.35,
    )


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    years: list[int],
    series: list[Series],
    value_label: str,
    percent: bool = False,
    width: int = 720,
    height: int = 320,
    axis_label: str | None = None,
) -> str:
    """A stacked bar per year; each bar's segments are the series, with a legend and tooltips.
    ``height`` is the plot's and its axis's; the legend below takes the rows it needs."""
    left, right, bottom_axis = 90, 16, 30
    title_text, title_bottom = _title(title, 16, width)
    top = title_bottom + 16
    plot_w, plot_h = width - left - right, height - 106
    totals = [sum(s.values.get(year, 0) for s in series) for year in years]
    top_value = 100.0 if percent else nice_ceiling(max([*totals, 1]))
    bar_step = plot_w / max(len(years), 1)
    bar_w = bar_step * 0.6
    entries, legend_bottom = flow_legend(
        [item.label for item in series], left=left, top=top + plot_h + bottom_axis, width=plot_w
    )
    total_height = legend_bottom + 10
    parts = [*_svg_open(chart_id, title, width, total_height), title_text]
    parts.append(_grid(left, top, plot_w, plot_h, 0, top_value, 4, percent))
    for index, year in enumerate(years):
        x = left + index * bar_step + (bar_step - bar_w) / 2
        y = top + plot_h
        for number, item in enumerate(series):
            value = item.values.get(year, 0)
            segment = plot_h * value / top_value if top_value else 0
            y -= segment
            shown = f"{value:.2f} %" if percent else f"{value:,.0f} {value_label}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{segment:.1f}" '
                f'fill="{PALETTE[number % len(PALETTE)]}"><title>{year} · {escape(item.label)}: '
                f"{escape(shown)}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16:.1f}" text-anchor="middle" '
            f'class="tick">{year}</text>'
        )
    for number, (entry, item) in enumerate(zip(entries, series, strict=True)):
        parts.append(
            f'<rect x="{entry.x}" y="{entry.y - 9:.1f}" width="10" height="10" '
            f'fill="{PALETTE[number % len(PALETTE)]}"><title>{escape(item.label)}</title></rect>'
            + _legend_text(entry, 14, LEGEND_SIZE)
        )
    parts.append(_axis_label(axis_label or ("%" if percent else value_label), top, plot_h))
    parts.append("</svg>")
    return "".join(parts)


def _axis_label(text: str, top: float, plot_h: float) -> str:
    middle = top + plot_h / 2
    return (
        f'<text x="14" y="{middle:.1f}" class="tick" transform="rotate(-90 14 {middle:.1f})" '
        f'text-anchor="middle">{escape(text)}</text>'
    )


def _grid(
    left: float,
    top: float,
    plot_w: float,
    plot_h: float,
    low: float,
    high: float,
    steps: int,
    percent: bool = False,
    decimals: int = 0,
) -> str:
    """Horizontal grid lines from ``low`` to ``high`` in ``steps`` steps, each with its value."""
    lines = []
    for tick in range(steps + 1):
        value = low + (high - low) * tick / steps
        y = top + plot_h - plot_h * tick / steps
        label = f"{value:.0f} %" if percent else f"{value:,.{decimals}f}"
        lines.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{label}</text>'
        )
    return "".join(lines)


def nice_ceiling(value: float) -> float:
    """The next round number at or above ``value`` (a round step times a power of ten) × 4
    ticks, so that the axis reads 0, 3,000,000, 6,000,000 … rather than odd figures."""
    magnitude = 10 ** math.floor(math.log10(value / 4)) if value > 0 else 1
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10):
        if step * magnitude * 4 >= value:
            return step * magnitude * 4
    return 10 * magnitude * 4


def nice_range(low: float, high: float, ticks: int = 5) -> tuple[float, float, float]:
    """(first, last, step): round ticks (1, 2, 2.5 or 5 times a power of ten) from at or below
    ``low`` to at or above ``high``, about ``ticks`` of them."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(ticks - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(factor * magnitude for factor in (1, 2, 2.5, 5, 10) if factor * magnitude >= raw)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    return first, last, step


@dataclass(frozen=True)
class Points:
    """A source's figures: year → (value, precision as ± half a printed step)."""

    label: str
    values: dict[int, tuple[float, float]]


@dataclass(frozen=True)
class Figure:
    """One figure on the history chart: its year, value and precision (± half a printed step),
    the group that gives its colour (a kind of source), the style of its marker (its phase),
    the series it is joined to in consecutive years, and its tooltip."""

    year: int
    value: float
    precision: float
    group: str
    style: str
    series: str
    tooltip: str


@dataclass(frozen=True)
class Era:
    """A span of years under one name of the account: drawn as a band with its label."""

    first: int
    last: int | None  # None: to this day
    label: str  # 균특 2005–2009
    name: str  # the full name, drawn under the label where it fits
    tooltip: str


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class MarkerStyle:
    key: str
    label: str


GROUP_COLOURS = ("#1f5f99", "#d9730d", "#2e8b57", "#7b5ea7")
MARKER_RADIUS = 4.5
# Marker styles: "filled", "hollow" (white inside) and "dotted" (white, a dot in the middle).
MARKER_STYLES = ("filled", "hollow", "dotted")
ERA_FILLS = ("#f1f4f8", "#fbf6ec")


def spread(ys: Sequence[float], radius: float) -> list[float]:
    """Horizontal offsets for markers of one year at heights ``ys``: markers that would overlap
    (closer than a marker's width) are set side by side around the year, the others stay on it."""
    order = sorted(range(len(ys)), key=lambda index: ys[index])
    offsets = [0.0] * len(ys)
    cluster: list[int] = []

    def place(cluster: list[int]) -> None:
        for position, index in enumerate(cluster):
            offsets[index] = (position - (len(cluster) - 1) / 2) * (2 * radius + 1.5)

    for index in order:
        if cluster and ys[index] - ys[cluster[-1]] >= 2 * radius + 1:
            place(cluster)
            cluster = []
        cluster.append(index)
    if cluster:
        place(cluster)
    return offsets


def _marker(x: float, y: float, colour: str, style: str, extra: str = "", tooltip: str = "") -> str:
    """A marker: a circle filled (``filled``), white inside (``hollow``), or white with a dot in
    its middle (``dotted``); the circle carries ``extra`` attributes and the tooltip."""
    inside = colour if style == "filled" else "#ffffff"
    title = f"<title>{escape(tooltip)}</title>" if tooltip else ""
    circle = (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{MARKER_RADIUS}" fill="{inside}" '
        f'stroke="{colour}" stroke-width="1.8"{extra}>{title}</circle>'
    )
    if style == "dotted":
        circle += f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6" fill="{colour}"/>'
    return circle


def history_dots(
    *,
    chart_id: str,
    title: str,
    figures: Sequence[Figure],
    eras: Sequence[Era],
    groups: Sequence[Group],
    styles: Sequence[MarkerStyle],
    axis_label: str,
    width: int = 1000,
) -> str:
    """Every stated figure of the account as a whole, by year, from the first year with a figure
    to the last: a marker per figure (its colour the kind of source, its fill the phase), a bar
    of ± its precision where the eye can see one, a line joining a series' consecutive years,
    the eras of the account's name as named bands, and a legend of kinds and phases. Markers of
    one year that would overlap stand side by side."""
    if not figures:
        return ""
    left, right = 64, 24
    title_text, title_bottom = _title(title, 16, width)
    band_top = title_bottom + 12
    top = band_top + 34  # the eras' labels above the plot
    plot_h = 250
    plot_w = width - left - right
    first_year = min(figure.year for figure in figures)
    last_year = max(figure.year for figure in figures)
    years = list(range(first_year, last_year + 1))
    step = plot_w / max(len(years) - 1, 1)
    pad = min(step / 2, 18)  # room for markers set beside the first and last years
    step = (plot_w - 2 * pad) / max(len(years) - 1, 1)
    low, high, tick = nice_range(
        min(figure.value - figure.precision for figure in figures),
        max(figure.value + figure.precision for figure in figures),
    )
    steps = round((high - low) / tick)

    def x_of(year: float) -> float:
        return left + pad + (year - first_year) * step

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * (value - low) / (high - low)

    colours = {group.key: group.colour for group in groups}
    parts = [title_text]
    # Eras: a band per name of the account, clipped to the years drawn, labelled above the plot.
    for number, era in enumerate(eras):
        start = max(era.first, first_year)
        end = min(era.last if era.last is not None else last_year, last_year)
        if start > end:
            continue
        x1 = left if start == first_year else x_of(start - 0.5)
        x2 = left + plot_w if end == last_year else x_of(end + 0.5)
        parts.append(
            f'<rect x="{x1:.1f}" y="{band_top:.1f}" width="{x2 - x1:.1f}" '
            f'height="{top + plot_h - band_top:.1f}" fill="{ERA_FILLS[number % 2]}" class="era">'
            f"<title>{escape(era.tooltip)}</title></rect>"
        )
        room = x2 - x1 - 8
        label = era.label if text_width(era.label, TICK_SIZE + 1) <= room else era.label.split()[0]
        parts.append(
            f'<text x="{x1 + 5:.1f}" y="{band_top + 14:.1f}" class="era-label">{escape(label)}'
            f"<title>{escape(era.tooltip)}</title></text>"
        )
        if era.name and text_width(era.name, TICK_SIZE) <= room:
            parts.append(
                f'<text x="{x1 + 5:.1f}" y="{band_top + 28:.1f}" class="tick">'
                f"{escape(era.name)}</text>"
            )
    parts.append(_grid(left, top, plot_w, plot_h, low, high, steps, decimals=_decimals(tick)))
    label_every = 1 if step >= text_width("2000", TICK_SIZE) + 8 else 5
    for year in years:
        crowded = label_every > 1 and last_year - year < 3  # too near the last year's label
        if year in (first_year, last_year) or (year % label_every == 0 and not crowded):
            parts.append(
                f'<text x="{x_of(year):.1f}" y="{top + plot_h + 16:.1f}" text-anchor="middle" '
                f'class="tick">{year}</text>'
            )
    # Where each marker goes: set beside the others of its year where they would overlap.
    placed: dict[int, tuple[float, float]] = {}
    for year in years:
        mine = [index for index, figure in enumerate(figures) if figure.year == year]
        ys = [y_of(figures[index].value) for index in mine]
        for index, offset in zip(mine, spread(ys, MARKER_RADIUS), strict=True):
            placed[index] = (x_of(year) + offset, y_of(figures[index].value))
    series: dict[str, list[int]] = {}
    for index, figure in enumerate(figures):
        series.setdefault(figure.series, []).append(index)
    for indexes in series.values():
        by_year = {figures[index].year: index for index in indexes}
        for first, second in itertools.pairwise(sorted(by_year)):
            if second == first + 1:
                (x1, y1), (x2, y2) = placed[by_year[first]], placed[by_year[second]]
                colour = colours.get(figures[by_year[first]].group, "#5b6570")
                parts.append(
                    f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                    f'stroke="{colour}" stroke-width="1.5" stroke-opacity="0.7"/>'
                )
    for index, figure in enumerate(figures):
        x, y = placed[index]
        colour = colours.get(figure.group, "#5b6570")
        high_y, low_y = y_of(figure.value + figure.precision), y_of(figure.value - figure.precision)
        if low_y - high_y >= 2:  # a precision the eye can see
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{high_y:.1f}" y2="{low_y:.1f}" '
                f'stroke="{colour}" stroke-width="3" stroke-opacity="0.4"/>'
            )
        parts.append(_marker(x, y, colour, figure.style, ' class="point"', figure.tooltip))
    # Legend: the kinds of source (colours) on their rows, then the phases (fills).
    legend_bottom = top + plot_h + 22
    for items in (
        [(group.label, group.colour, "filled") for group in groups],
        [(style.label, "#5b6570", style.key) for style in styles],
    ):
        entries, legend_bottom = flow_legend(
            [label for label, _, _ in items],
            left=left,
            top=legend_bottom + 4,
            width=plot_w,
            swatch=16,
        )
        for entry, (_, colour, style) in zip(entries, items, strict=True):
            parts.append(_marker(entry.x + 5, entry.y - 4, colour, style))
            parts.append(_legend_text(entry, 16, LEGEND_SIZE))
    parts.append(_axis_label(axis_label, top, plot_h))
    height = legend_bottom + 10
    return "".join([*_svg_open(chart_id, title, width, height), *parts, "</svg>"])


def _decimals(step: float) -> int:
    """Decimals a tick step needs to be printed exactly (0 to 3)."""
    return next((places for places in range(3) if abs(round(step, places) - step) < 1e-9), 3)
