"""The charts' layout: legends that wrap instead of running off, markers that never hide each
other, an axis that ends at the data, the eras of the account's name as bands."""

from __future__ import annotations

import itertools
import re

from pipelines.reports.svg_charts import (
    MARKER_RADIUS,
    Era,
    Figure,
    Group,
    MarkerStyle,
    Series,
    flow_legend,
    history_dots,
    nice_range,
    spread,
    stacked_bars,
    text_width,
    wrap,
)

LONG = (
    "control total: Ministry of Planning and Budget on the account's first budget, as reported "
    "2004-12-06 (Hankyung, JoongAng) 국가균형발전특별회계"
)


def test_legend_entries_stay_inside_their_width_and_wrap_when_too_long() -> None:
    labels = ["Local Support Account 지역지원계정", "Local Autonomous Account 지역자율계정",
              "Sejong Special Self-Governing City Account 세종특별자치시계정", LONG]  # fmt: skip
    entries, bottom = flow_legend(labels, left=90, top=300, width=500)
    for entry in entries:
        for line in entry.lines:
            assert entry.x + 14 + text_width(line, 11) <= 90 + 500 + 0.01, line
    assert len(entries[-1].lines) > 1  # the long one wrapped, not cut
    assert " ".join(entries[-1].lines) == LONG
    assert bottom > entries[-1].y + (len(entries[-1].lines) - 1) * 11  # below its last line
    assert [entry.y for entry in entries] == sorted(entry.y for entry in entries)


def test_hangul_counts_as_wide_text() -> None:
    assert text_width("지역지원계정", 11) > text_width("Local", 11)
    lines = wrap("국가균형발전특별회계", 11, 50)
    assert len(lines) == 3 and "".join(lines) == "국가균형발전특별회계"
    assert all(text_width(line, 11) <= 50 for line in lines)


def test_markers_that_would_overlap_stand_side_by_side_the_others_stay() -> None:
    ys = [100.0, 101.0, 103.0, 160.0]
    offsets = spread(ys, MARKER_RADIUS)
    assert offsets[3] == 0  # alone at its height
    clustered = sorted(offsets[:3])
    assert all(b - a >= 2 * MARKER_RADIUS for a, b in itertools.pairwise(clustered))
    assert abs(sum(clustered)) < 1e-9  # centred on the year


def test_round_axis_ranges() -> None:
    assert nice_range(5.35, 12.75) == (4, 14, 2)
    assert nice_range(0.2, 0.9) == (0.2, 1.0, 0.2)


def _history(figures: list[Figure]) -> str:
    return history_dots(
        chart_id="chart-history",
        title="The special account as a whole (조원)",
        figures=figures,
        eras=[
            Era(2005, 2009, "균특 2005–2009", "국가균형발전특별회계", "균특"),
            Era(2010, 2014, "광특 2010–2014", "광역·지역발전특별회계", "광특"),
            Era(2015, 2018, "지특 2015–2018", "지역발전특별회계", "지특"),
            Era(2019, None, "균특 2019–", "국가균형발전특별회계", "균특"),
        ],
        groups=[
            Group("summary table", "Summary table", "#1f5f99"),
            Group("control total", LONG, "#d9730d"),
        ],
        styles=[MarkerStyle("filled", "enacted"), MarkerStyle("dotted", "not stated")],
        axis_label="조원",
    )


FIGURES = [
    Figure(2005, 5.5, 0.05, "control total", "dotted", "a", "2005 a"),
    Figure(2005, 5.5, 0.05, "control total", "filled", "b", "2005 b"),
    Figure(2015, 10.33894, 0, "summary table", "filled", "page", "2015 page"),
    Figure(2016, 9.973926, 0, "summary table", "filled", "page", "2016 page"),
    Figure(2015, 10.3, 0.05, "control total", "dotted", "c", "2015 c"),
    Figure(2023, 12.7, 0.05, "control total", "hollow", "d", "2023 d"),
]


def test_the_history_axis_runs_from_the_first_to_the_last_year_with_a_figure() -> None:
    svg = _history(FIGURES)
    years = [int(year) for year in re.findall(r'class="tick">(\d{4})</text>', svg)]
    assert years[0] == 2005 and years[-1] == 2023 and max(years) == 2023


def test_every_figure_is_a_marker_and_overlapping_ones_are_apart() -> None:
    svg = _history(FIGURES)
    points = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*class="point"', svg)
    assert len(points) == len(FIGURES)
    (first, second) = [(float(x), float(y)) for x, y in points[:2]]  # both 5.5 in 2005
    assert first[1] == second[1] and abs(first[0] - second[0]) >= 2 * MARKER_RADIUS


def test_the_history_chart_names_each_era_and_colours_by_kind_of_source() -> None:
    svg = _history(FIGURES)
    for label in ("균특 2005–2009", "광특 2010–2014", "지특 2015–2018", "균특 2019–"):
        assert label in svg
    markers = re.findall(r'stroke="(#[0-9a-f]{6})" stroke-width="1.8" class="point"', svg)
    assert set(markers) == {"#1f5f99", "#d9730d"}  # two kinds of source, two colours


def test_the_charts_are_tall_enough_for_their_wrapped_legends() -> None:
    wrapped = 0
    for svg in (
        _history(FIGURES),
        stacked_bars(
            chart_id="c",
            title="t",
            years=[2015, 2016],
            value_label="KRW million",
            series=[Series(LONG, {2015: 1.0}), Series("b", {2016: 2.0})],
        ),
    ):
        height = float(re.search(r'viewBox="0 0 \d+ (\d+)"', svg)[1])
        for y, inside in re.findall(r'<text[^>]* y="([\d.]+)"[^>]*>(.*?)</text>', svg):
            lines = [float(dy) for dy in re.findall(r'dy="([\d.]+)"', inside)]
            wrapped += sum(1 for dy in lines if dy > 0)
            assert float(y) + sum(lines) < height, inside
    assert wrapped  # the long label took more than one line
