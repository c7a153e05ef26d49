"""Small inline SVG charts for the data-quality report: no script, no request, escaped labels."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f5f99", "#e08a1e", "#3a9a5b", "#b8433c", "#7b5ea7", "#8c6d46", "#5b7c8d")


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
    for tick in range(5):  # horizontal grid with values
        value = top_value * tick / 4
        y = top + plot_h - plot_h * tick / 4
        label = f"{value:.0f} %" if percent else f"{value:,.0f}"
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{label}</text>'
        )
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


def nice_ceiling(value: float) -> float:
    """The next round number at or above ``value`` (a round step times a power of ten) × 4
    ticks, so that the axis reads 0, 3,000,000, 6,000,000 … rather than odd figures."""
    magnitude = 10 ** math.floor(math.log10(value / 4)) if value > 0 else 1
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10):
        if step * magnitude * 4 >= value:
            return step * magnitude * 4
    return 10 * magnitude * 4
