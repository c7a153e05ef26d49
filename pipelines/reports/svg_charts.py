"""Small inline SVG charts for the data-quality report: no script, no request, escaped labels."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f5f99", "#e08a1e", "#3a9a5b", "#b8433c", "#7b5ea7", "#8c6d46", "#5b7c8d")
# More sources than bar segments: twelve colours that stay apart.
SOURCE_PALETTE = (
    *PALETTE, "#d4a017", "#17becf", "#e377c2", "#1b1b1b", "#9edae5", "#bcbd22", "#393b79",
)  # fmt: skip
LEGEND_CHARACTERS = 120


@dataclass(frozen=True)
class Series:
    label: str
    values: dict[int, float]  # year → value


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
) -> str:
    """A stacked bar per year; each bar's segments are the series, with a legend and tooltips."""
    left, right, top, bottom = 90, 16, 36, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values.get(year, 0) for s in series) for year in years]
    top_value = 100.0 if percent else nice_ceiling(max([*totals, 1]))
    bar_step = plot_w / max(len(years), 1)
    bar_w = bar_step * 0.6
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f'<text x="{left}" y="20" class="chart-title">{escape(title)}</text>',
    ]
    parts.append(_grid(left, top, plot_w, plot_h, top_value, percent))
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
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'class="tick">{year}</text>'
        )
    legend_y = height - 30
    for number, item in enumerate(series):
        column, row = number % 2, number // 2
        x, y = left + column * 310, legend_y + row * 16
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" '
            f'fill="{PALETTE[number % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{y}" class="legend">{escape(item.label)}</text>'
        )
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" class="tick" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})" text-anchor="middle">'
        f"{escape('share of the year, %' if percent else value_label)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _grid(
    left: float, top: float, plot_w: float, plot_h: float, top_value: float, percent: bool = False
) -> str:
    """Four horizontal grid lines above the axis, each with its value."""
    lines = []
    for tick in range(5):
        value = top_value * tick / 4
        y = top + plot_h - plot_h * tick / 4
        label = f"{value:.0f} %" if percent else f"{value:,.0f}"
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


@dataclass(frozen=True)
class Points:
    """A source's figures: year → (value, precision as ± half a printed step)."""

    label: str
    values: dict[int, tuple[float, float]]


def source_lines(
    *,
    chart_id: str,
    title: str,
    years: list[int],
    series: list[Points],
    value_label: str,
    width: int = 1000,
) -> str:
    """One line per source across the years: a marker per figure, with a bar of ± its precision
    where that is visible, and a line joining the figures of consecutive years. Where sources
    agree, their markers overlap within those bars; where they do not, they stand apart."""
    left, right, top = 90, 16, 36
    plot_h = 260
    height = top + plot_h + 40 + len(series) * 16 + 8
    plot_w = width - left - right
    highest = max(
        [value + precision for s in series for value, precision in s.values.values()] or [1]
    )
    top_value = nice_ceiling(highest)
    step = plot_w / max(len(years) - 1, 1)

    def x_of(year: int) -> float:
        return left + (years.index(year)) * step

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f'<text x="{left}" y="20" class="chart-title">{escape(title)}</text>',
    ]
    parts.append(_grid(left, top, plot_w, plot_h, top_value))
    for year in years:
        if year % 5 == 0 or year == years[0] or (year == years[-1] and year % 5 >= 3):
            parts.append(
                f'<text x="{x_of(year):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'class="tick">{year}</text>'
            )
    for number, item in enumerate(series):
        colour = SOURCE_PALETTE[number % len(SOURCE_PALETTE)]
        shown = sorted(year for year in item.values if year in years)
        for first, second in itertools.pairwise(shown):
            if second == first + 1:
                parts.append(
                    f'<line x1="{x_of(first):.1f}" y1="{y_of(item.values[first][0]):.1f}" '
                    f'x2="{x_of(second):.1f}" y2="{y_of(item.values[second][0]):.1f}" '
                    f'stroke="{colour}" stroke-width="1.5"/>'
                )
        for year in shown:
            value, precision = item.values[year]
            x, y = x_of(year), y_of(value)
            low, high = y_of(value - precision), y_of(value + precision)
            if low - high >= 2:  # a precision the eye can see
                parts.append(
                    f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{high:.1f}" y2="{low:.1f}" '
                    f'stroke="{colour}" stroke-width="3" stroke-opacity="0.45"/>'
                )
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}" class="point">'
                f"<title>{year} · {escape(item.label)}: {value:,.3f} ± {precision:,.3f} "
                f"{escape(value_label)}</title></circle>"
            )
    legend_y = top + plot_h + 40
    for number, item in enumerate(series):
        y = legend_y + number * 16
        label = item.label
        if len(label) > LEGEND_CHARACTERS:
            label = label[: LEGEND_CHARACTERS - 1] + "…"
        parts.append(
            f'<circle cx="{left + 5}" cy="{y - 4}" r="4" '
            f'fill="{SOURCE_PALETTE[number % len(SOURCE_PALETTE)]}"/>'
            f'<text x="{left + 14}" y="{y}" class="legend">{escape(label)}'
            f"<title>{escape(item.label)}</title></text>"
        )
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" class="tick" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})" text-anchor="middle">'
        f"{escape(value_label)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
