"""Charts drawn on the server as SVG: no JavaScript, no inline styles (CSP), readable by screen readers.

Every chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`; the pages put the same
numbers in a table beside it. Colours come from classes in `operating/operating.css`, so the charts
print and follow the site's palette. Text is escaped here; the result is marked safe.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Point = tuple[str, float]


def format_value(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open_svg(chart_id: str, width: int, height: int, title: str, desc: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="system-ui, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    if math.isclose(low, high):
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _period_starts(labels: Sequence[str]) -> dict[str, dt.date]:
    """The start date of each label when every label is a period (2024, 2024-Q2, 2024-03, ...)."""
    from cityhall.operating.periods import PeriodError, parse_period

    try:
        return {label: parse_period(label).start for label in labels}
    except PeriodError:
        return {}


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[Point],
    target: float | None = None,
    planned: Sequence[Point] = (),
    width: int = 520,
    height: int = 240,
    compact: bool = False,
) -> SafeString:
    """Values over periods as a line; an optional target (dashed) and planned path (dotted)."""
    left, right, top, bottom = (44, 12, 10, 24) if compact else (60, 20, 16, 40)
    plot_w, plot_h = width - left - right, height - top - bottom
    labels = sorted({label for label, _v in points} | {label for label, _v in planned})
    values = [v for _l, v in points] + [v for _l, v in planned] + ([target] if target is not None else [])
    parts = _open_svg(chart_id, width, height, title, desc, "chart-line-chart")
    if not values or not labels:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" class="chart-empty" '
            f'font-size="14">—</text></svg>'
        )
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
    low, high = min(values), max(values)
    if math.isclose(low, high):
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    if min(values) >= 0 and low < 0:
        low = 0.0

    dates = _period_starts(labels)

    def x_of(label: str) -> float:
        if len(labels) == 1:
            return left + plot_w / 2
        if dates:  # periods sit on a time axis, so a gap of four years looks like four years
            first, last = dates[labels[0]], dates[labels[-1]]
            return left + plot_w * (dates[label] - first).days / ((last - first).days or 1)
        return left + plot_w * labels.index(label) / (len(labels) - 1)

    def y_of(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    font = 10 if compact else 12
    for tick in _ticks(low, high, 3 if compact else 4):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="chart-grid"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{font}" '
            f'class="chart-axis-label">'
            f"{escape(format_value(tick))}</text>"
        )
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" class="chart-axis"/>'
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" class="chart-axis"/>'
    )
    step = max(1, math.ceil(len(labels) / (4 if compact else 8)))
    shown = set(labels[::step]) | {labels[-1]}
    for label in labels:
        if label in shown:
            parts.append(
                f'<text x="{x_of(label):.1f}" y="{height - (6 if compact else 14)}" text-anchor="middle" '
                f'font-size="{font}" class="chart-axis-label">{escape(label)}</text>'
            )
    if target is not None:
        y = y_of(target)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="chart-target" '
            f'stroke-dasharray="6 4"/>'
        )
    if planned:
        path = " ".join(f"{x_of(label):.1f},{y_of(value):.1f}" for label, value in sorted(planned))
        parts.append(f'<polyline points="{path}" class="chart-planned" fill="none" stroke-dasharray="2 4"/>')
    ordered = sorted(points)
    if ordered:
        path = " ".join(f"{x_of(label):.1f},{y_of(value):.1f}" for label, value in ordered)
        parts.append(f'<polyline points="{path}" class="chart-series" fill="none"/>')
        for label, value in ordered:
            parts.append(
                f'<circle cx="{x_of(label):.1f}" cy="{y_of(value):.1f}" r="{2.5 if compact else 3.5}" '
                f'class="chart-point"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    percent: float | None  # share of the way from baseline to target; None when it cannot be known
    status: str


def progress_bars(
    *, chart_id: str, title: str, desc: str, bars: Sequence[Bar], width: int = 640
) -> SafeString:
    """How far each benefit has come from its baseline towards its target (0 % to 100 %, capped)."""
    row, label_w, top = 26, 250, 24
    height = top + row * max(len(bars), 1) + 10
    plot_w = width - label_w - 60
    parts = _open_svg(chart_id, width, height, title, desc, "chart-bars")
    for tick in (0, 50, 100):
        x = label_w + plot_w * tick / 100
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - 6}" class="chart-grid"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" font-size="11" class="chart-axis-label">'
            f"{tick} %</text>"
        )
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="12" class="chart-label">'
            f"{escape(_truncate(bar.label, 36))}</text>"
        )
        if bar.percent is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 16}" font-size="12" class="chart-axis-label">—</text>'
            )
            continue
        share = max(0.0, min(bar.percent, 100.0))
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{plot_w * share / 100:.1f}" height="15" '
            f'class="chart-bar progress-{escape(bar.status)}"/>'
        )
        parts.append(
            f'<text x="{label_w + plot_w * share / 100 + 6:.1f}" y="{y + 17}" font-size="11" '
            f'class="chart-axis-label">{bar.percent:.0f} %</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# --- The roadmap timeline ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineMilestone:
    title: str
    due_on: dt.date
    done: bool


@dataclass(frozen=True, slots=True)
class TimelineBar:
    key: str
    label: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    milestones: tuple[TimelineMilestone, ...] = ()
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TimelineGroup:
    label: str
    starts_on: dt.date
    ends_on: dt.date
    bars: tuple[TimelineBar, ...] = field(default_factory=tuple)


def timeline(
    *, chart_id: str, title: str, desc: str, groups: Sequence[TimelineGroup], today: dt.date, width: int = 960
) -> SafeString:
    """A Gantt-style roadmap: a band per programme, a bar per project, diamonds for milestones."""
    label_w, top, row = 250, 30, 26
    rows = sum(1 + len(group.bars) for group in groups)
    height = top + row * max(rows, 1) + 16
    parts = _open_svg(chart_id, width, height, title, desc, "chart-timeline")
    if not groups:
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308
    start = min(group.starts_on for group in groups).replace(month=1, day=1)
    end_year = max(group.ends_on for group in groups).year + 1
    end = dt.date(end_year, 1, 1)
    span = (end - start).days or 1
    plot_w = width - label_w - 16

    def x_of(day: dt.date) -> float:
        return label_w + plot_w * (day - start).days / span

    parts.append(
        '<defs><marker id="' + chart_id + '-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="timeline-arrow-head"/>'
        "</marker></defs>"
    )
    for year in range(start.year, end_year + 1):
        x = x_of(dt.date(year, 1, 1))
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" y2="{height - 8}" class="chart-grid"/>')
        if year < end_year:
            parts.append(
                f'<text x="{x + 4:.1f}" y="{top - 12}" font-size="12" class="chart-axis-label">{year}</text>'
            )
    positions: dict[str, tuple[float, float, float]] = {}
    y = top
    for group in groups:
        parts.append(
            f'<rect x="{x_of(group.starts_on):.1f}" y="{y + 6}" '
            f'width="{max(x_of(group.ends_on) - x_of(group.starts_on), 2):.1f}" '
            f'height="12" class="timeline-programme"/>'
        )
        parts.append(
            f'<text x="4" y="{y + 17}" font-size="12" font-weight="700" class="chart-label">'
            f"{escape(_truncate(group.label, 34))}</text>"
        )
        y += row
        for bar in group.bars:
            x1, x2 = x_of(bar.starts_on), x_of(bar.ends_on)
            parts.append(
                f'<text x="14" y="{y + 17}" font-size="12" class="chart-label">'
                f"{escape(_truncate(bar.label, 33))}</text>"
            )
            parts.append(
                f'<rect x="{x1:.1f}" y="{y + 5}" width="{max(x2 - x1, 2):.1f}" height="16" rx="3" '
                f'class="timeline-bar status-{escape(bar.status)}"><title>{escape(bar.label)}: '
                f"{bar.starts_on.isoformat()} – {bar.ends_on.isoformat()}</title></rect>"
            )
            for milestone in bar.milestones:
                mx, my = x_of(milestone.due_on), y + 13
                state = "done" if milestone.done else "open"
                parts.append(
                    f'<polygon points="{mx:.1f},{my - 7} {mx + 6:.1f},{my} {mx:.1f},{my + 7} '
                    f'{mx - 6:.1f},{my}" '
                    f'class="timeline-milestone milestone-{state}"><title>{escape(milestone.title)}: '
                    f"{milestone.due_on.isoformat()}</title></polygon>"
                )
            positions[bar.key] = (x1, x2, y + 13)
            y += row
    for group in groups:
        for bar in group.bars:
            for other in bar.depends_on:
                if other in positions and bar.key in positions:
                    _x1, from_x, from_y = positions[other]
                    to_x, _x2, to_y = positions[bar.key]
                    middle = max(from_x, to_x) + 8 if to_x <= from_x else (from_x + to_x) / 2
                    parts.append(
                        f'<path d="M{from_x:.1f},{from_y:.1f} C{middle:.1f},{from_y:.1f} '
                        f"{middle:.1f},{to_y:.1f} "
                        f'{to_x:.1f},{to_y:.1f}" class="timeline-dependency" fill="none" '
                        f'marker-end="url(#{chart_id}-arrow)"/>'
                    )
    if start <= today <= end:
        x = x_of(today)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" y2="{height - 8}" class="timeline-today"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# --- The benefit map -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapNode:
    key: str
    label: str
    kind: str
    column: int
    row: int


@dataclass(frozen=True, slots=True)
class MapLink:
    source: str
    target: str
    effect: str
    effect_label: str


def _wrap(text: str, width: int, lines: int) -> list[str]:
    words, result, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width:
            current = candidate
            continue
        if current:
            result.append(current)
        current = word
        if len(result) == lines:
            break
    if current and len(result) < lines:
        result.append(current)
    if len(result) == lines and " ".join(result) != " ".join(words):
        result[-1] = _truncate(result[-1] + " …", width)
    return [_truncate(line, width) for line in result] or [""]


def benefit_map(
    *,
    chart_id: str,
    title: str,
    desc: str,
    nodes: Sequence[MapNode],
    links: Sequence[MapLink],
    column_titles: Sequence[str],
) -> SafeString:
    """The benefits dependency network, left to right, with the kind of effect on each arrow."""
    column_w, node_w, node_h, row_h, top = 200, 170, 48, 62, 34
    columns = max(len(column_titles), 1)
    rows = max((node.row for node in nodes), default=0) + 1
    width, height = column_w * columns + 10, top + row_h * rows + 10
    parts = _open_svg(chart_id, width, height, title, desc, "chart-benefit-map")
    parts.append("<defs>")
    for effect in ("increases", "decreases", "enables", "part_of"):
        parts.append(
            f'<marker id="{chart_id}-{effect}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'class="map-arrow-head effect-{effect}"/></marker>'
        )
    parts.append("</defs>")
    for index, column_title in enumerate(column_titles):
        parts.append(
            f'<text x="{index * column_w + 10 + node_w / 2:.0f}" y="18" text-anchor="middle" font-size="13" '
            f'font-weight="700" class="chart-label">{escape(column_title)}</text>'
        )
    place = {node.key: (node.column * column_w + 10, top + node.row * row_h) for node in nodes}
    for link in links:
        if link.source not in place or link.target not in place:
            continue
        sx, sy = place[link.source]
        tx, ty = place[link.target]
        x1, y1 = sx + node_w, sy + node_h / 2
        x2, y2 = tx, ty + node_h / 2
        if tx <= sx:  # same column (part of): loop out to the right
            x2, y2 = tx + node_w, ty + node_h / 2
            bend = x1 + 24
            d = f"M{x1:.1f},{y1:.1f} C{bend:.1f},{y1:.1f} {bend:.1f},{y2:.1f} {x2 + 2:.1f},{y2:.1f}"
        else:
            middle = (x1 + x2) / 2
            d = f"M{x1:.1f},{y1:.1f} C{middle:.1f},{y1:.1f} {middle:.1f},{y2:.1f} {x2 - 2:.1f},{y2:.1f}"
        dash = {"decreases": ' stroke-dasharray="6 3"', "part_of": ' stroke-dasharray="2 3"'}.get(
            link.effect, ""
        )
        parts.append(
            f'<path d="{d}" fill="none" class="map-link effect-{escape(link.effect)}"{dash} '
            f'marker-end="url(#{chart_id}-{escape(link.effect)})"><title>{escape(link.effect_label)}</title></path>'
        )
    for node in nodes:
        x, y = place[node.key]
        parts.append(
            f'<rect x="{x}" y="{y}" width="{node_w}" height="{node_h}" rx="5" '
            f'class="map-node kind-{escape(node.kind)}"/>'
        )
        lines = _wrap(node.label, 26, 2)
        first_y = y + node_h / 2 - (len(lines) - 1) * 7 + 4
        for number, line in enumerate(lines):
            parts.append(
                f'<text x="{x + node_w / 2}" y="{first_y + number * 14:.1f}" text-anchor="middle" '
                f'font-size="11" '
                f'class="map-node-label">{escape(line)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
