"""Server-drawn line charts (inline SVG, no script, no style attributes: the CSP allows
neither), one small chart per dimension, from ``services.dimension_history``.

Points are evenly spaced in the order of the assessments (panels review monthly, so this is
close to a time scale and keeps labels apart); the data table beside the charts gives the
exact dates and values."""

from dataclasses import dataclass, field

from roundtable.assessments.models import DIMENSION_QUESTIONS, Dimension

WIDTH, HEIGHT = 320, 190
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 44
INSET = 22  # keeps the first and last points (and their labels) clear of the axis labels
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
GRID = (0, 25, 50, 75, 100)
LABEL_ALL_UP_TO = 6  # more points than this: label only the first and last dates and values


def _date(d) -> str:
    return f"{d:%-d %b %Y}"


@dataclass
class ChartPoint:
    x: float
    y: float
    value: int
    date: str
    show_label: bool
    label_y: float


@dataclass
class Chart:
    dimension: str
    title: str
    question: str
    description: str
    points: list[ChartPoint] = field(default_factory=list)
    polyline: str = ""
    width: int = WIDTH
    height: int = HEIGHT
    grid: list[tuple[float, int]] = field(default_factory=list)
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: float = TOP + PLOT_H
    date_labels: list[tuple[float, str, str]] = field(default_factory=list)


def _y(value: float) -> float:
    return round(TOP + PLOT_H * (1 - value / 100), 1)


def _x(index: int, count: int) -> float:
    if count == 1:
        return round(LEFT + PLOT_W / 2, 1)
    return round(LEFT + INSET + (PLOT_W - 2 * INSET) * index / (count - 1), 1)


def _describe(label: str, points: list[ChartPoint]) -> str:
    if not points:
        return f"No {label.lower()} scores yet."
    first, last = points[0], points[-1]
    if len(points) == 1:
        return f"{label}: {first.value}% on {first.date}."
    trend = "rose" if last.value > first.value else "fell" if last.value < first.value else "stayed"
    ending = f"at {last.value}%" if trend == "stayed" else f"to {last.value}%"
    return (
        f"{label} {trend} from {first.value}% on {first.date} {ending} on {last.date}, over {len(points)} assessments."
    )


def dimension_charts(history) -> list[Chart]:
    charts = []
    count = len(history)
    for dimension in Dimension:
        points = []
        for index, point in enumerate(history):
            value = point.scores.get(dimension.value)
            if value is None:
                continue
            y = _y(value)
            show = count <= LABEL_ALL_UP_TO or index in (0, count - 1)
            points.append(
                ChartPoint(_x(index, count), y, value, _date(point.assessed_on), show, y - 8 if value < 90 else y + 16)
            )
        chart = Chart(
            dimension=dimension.value,
            title=f"{dimension.label} score over time",
            question=DIMENSION_QUESTIONS[dimension],
            description=_describe(dimension.label, points),
            points=points,
            polyline=" ".join(f"{p.x},{p.y}" for p in points),
            grid=[(_y(value), value) for value in GRID],
        )
        for index, point in enumerate(history):
            if count <= 3 or index in (0, count - 1):
                chart.date_labels.append((_x(index, count), _date(point.assessed_on), "middle"))
        charts.append(chart)
    return charts
