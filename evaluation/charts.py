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
