"""Bar charts as server-rendered SVG geometry (the template draws it; no script, no inline style): bars start at
zero, the axis ends at a round number at or above the largest value."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 30


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the value as shown
    label_y: float
    year: str
    center: float
    missing: bool = False
    inside: bool = False  # the label is drawn inside the top of the bar (a bar that reaches the top)


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    base: float = HEIGHT - BOTTOM
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)


STEPS = {1: 5, 2: 4, 2.5: 5, 5: 5, 10: 5}  # the axis' top (times a power of ten) -> its intervals (all round)


def nice_top(value: float) -> tuple[float, int]:
    """The smallest of 1, 2, 2.5, 5, 10 times a power of ten that is at least value (1 for nothing above zero), and
    how many intervals divide the axis into round steps."""
    if value <= 0:
        return 1.0, 5
    power = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= value - 1e-9:
            return m * power, STEPS[m]
    return 10 * power, 5


def _tick(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.{1 if abs(v * 10 - round(v * 10)) < 1e-9 else 2}f}"


def bar_chart(points: list[tuple[str, float | None, str]]) -> Chart:
    """points: (year, value or None, the value as shown). The y axis runs from 0 to nice_top(max value)."""
    chart = Chart()
    top, steps = nice_top(max((v for _y, v, _s in points if v is not None), default=0.0))
    plot_h = chart.base - TOP
    for i in range(steps + 1):
        chart.ticks.append(Tick(round(chart.base - plot_h * i / steps, 1), _tick(top * i / steps)))
    n = max(1, len(points))
    slot = (chart.right - chart.left) / n
    width = min(64.0, slot * 0.6)
    for i, (year, value, shown) in enumerate(points):
        center = chart.left + slot * (i + 0.5)
        h = 0.0 if value is None else plot_h * max(0.0, value) / top
        y = chart.base - h
        inside = y - 5 < TOP + 10
        chart.bars.append(Bar(round(center - width / 2, 1), round(y, 1), round(width, 1), round(h, 1),
                              "자료 없음" if value is None else shown, round(y + 16 if inside else y - 5, 1), year,
                              round(center, 1), value is None, inside))
    return chart
