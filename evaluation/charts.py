"""Horizontal bar charts drawn on the server as inline SVG: no script, no library, no request
to another host. Every chart stands next to a table with the same figures.

A suppressed count ("< 3") is drawn as an outlined bar up to 2, the most it can be, so the chart does
not tell 1 from 2 either.
"""

from dataclasses import dataclass

from .disclosure import THRESHOLD

LABEL_WIDTH = 230
BAR_AREA = 330
VALUE_WIDTH = 50
GAP = 8
ROW_HEIGHT = 26
BAR_HEIGHT = 18
TOP = 4


@dataclass
class ChartBar:
    label: str
    text: str
    y: int
    text_y: int
    width: int
    value_x: int
    suppressed: bool


@dataclass
class Chart:
    bars: list
    width: int
    height: int
    bar_x: int
    label_x: int
    bar_height: int = BAR_HEIGHT


def bar_chart(bars) -> Chart:
    """Geometry of a chart for ``bars``: objects with ``label`` and ``count`` (a disclosure.Count)."""
    bars = list(bars)
    largest = max([THRESHOLD, *(bar.count.value for bar in bars)])
    drawn = []
    for index, bar in enumerate(bars):
        # A suppressed count is drawn up to the most it can be, 2, as an outline.
        value = THRESHOLD - 1 if bar.count.suppressed else bar.count.value
        y = TOP + index * ROW_HEIGHT
        drawn.append(
            ChartBar(
                label=bar.label,
                text=str(bar.count),
                y=y,
                text_y=y + BAR_HEIGHT - 4,
                width=(width := round(BAR_AREA * value / largest)),
                value_x=LABEL_WIDTH + width + GAP,
                suppressed=bar.count.suppressed,
            )
        )
    return Chart(
        bars=drawn,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=TOP * 2 + len(bars) * ROW_HEIGHT,
        bar_x=LABEL_WIDTH,
        label_x=LABEL_WIDTH - GAP,
    )


# --- The pre/post comparison: one row per competency item, the mean of each wave on 1 to 5 -----

TREND_LABEL_WIDTH = 260
TREND_AXIS = 300
TREND_ROW = 34
TREND_TOP = 28
MARKS = {"t0": "circle", "t1": "square", "t2": "diamond"}


@dataclass
class TrendMark:
    wave: str
    shape: str
    x: int
    text: str


@dataclass
class TrendRow:
    label: str
    y: int
    text_y: int
    marks: list
    line_from: int | None
    line_to: int | None


@dataclass
class TrendChart:
    rows: list
    width: int
    height: int
    ticks: list  # (x, label)
    axis_x: int
    axis_end: int


def _scale(value: float) -> int:
    return TREND_LABEL_WIDTH + round((value - 1) / 4 * TREND_AXIS)


def trend_chart(trends) -> TrendChart:
    """Geometry of a dot plot: per item a row, per wave a mark at its mean (shape tells the wave,
    not only colour); a mean that may not be shown (fewer than three answers) is not drawn."""
    rows = []
    for index, trend in enumerate(trends):
        y = TREND_TOP + index * TREND_ROW
        marks = [
            TrendMark(wave=wave, shape=MARKS[wave], x=_scale(mean.value), text=f"{mean.value:.1f}")
            for wave in ("t0", "t1", "t2")
            if (mean := trend.mean(wave)).value is not None
        ]
        xs = [mark.x for mark in marks]
        rows.append(
            TrendRow(
                label=trend.label if len(trend.label) <= 32 else trend.label[:31] + "…",
                y=y,
                text_y=y + 5,
                marks=marks,
                line_from=min(xs) if len(xs) > 1 else None,
                line_to=max(xs) if len(xs) > 1 else None,
            )
        )
    return TrendChart(
        rows=rows,
        width=TREND_LABEL_WIDTH + TREND_AXIS + 40,
        height=TREND_TOP + max(len(rows), 1) * TREND_ROW,
        ticks=[(_scale(value), str(value)) for value in range(1, 6)],
        axis_x=TREND_LABEL_WIDTH,
        axis_end=TREND_LABEL_WIDTH + TREND_AXIS,
    )
