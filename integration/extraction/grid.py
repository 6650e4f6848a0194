"""The form's grid as printed on one page: its long rules found and matched, in order, to the template's.

Agency systems draw the ACORD 25 themselves, with columns and boxes a little wider or narrower than the form's;
their rules come in the same order. Mapping each template position between the rules it lies between puts every
cell where that page prints it. Points in the template's frame (top-left origin).
"""

from __future__ import annotations

import numpy
from PIL import Image

from integration.extraction.fields import PAGE_HEIGHT, Rect
from integration.extraction.zones import INK, ZOOM

# Full-width horizontal rules and the grid's long vertical rules of the real form, with the band the latter span.
ROWS = (48.0, 90.0, 120.0, 180.0, 240.0, 252.0, 288.0, 300.0, 384.0, 444.0, 480.0, 528.0, 564.0, 648.0, 660.0, 744.0)
COLUMNS = (18.0, 36.0, 176.4, 194.4, 212.4, 331.2, 378.0, 424.8, 514.8, 594.0)
BLOCKS = ((303.0, 381.0), (387.0, 441.0), (447.0, 477.0), (483.0, 525.0))  # the grid's rows, less their rules
ROW_SPAN = (30.0, 582.0)
SOLID_ROW, SOLID_COLUMN = 0.6, 0.8  # share of its span a rule inks
SNAP = 5.0  # points: how far a cell's rule may still sit from where the grid map puts it
BOX_SNAP = 8.0  # the same for a checkbox's square, placed freely inside the type column by agency systems
REACH = 3.0  # points past a cell's corners that the strip looked along for its edge extends
SKIP = 30.0  # points: the cost of leaving a rule unmatched, against the distance of a match


def rule_centres(flags: numpy.ndarray, per_point: float = ZOOM) -> list[float]:
    """Centres (points) of runs of set flags, one per printed rule however many pixels thick."""
    found, start = [], None
    for i, flag in enumerate([*flags.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            found.append((start + i - 1) / 2 / per_point)
            start = None
    return found


def _align(template: tuple[float, ...], seen: list[float]) -> list[tuple[float, float]]:
    """Match rules in order (a dynamic programme): matched distance plus SKIP per rule left out, least overall."""
    n, m = len(template), len(seen)
    if n == m:
        return list(zip(template, seen, strict=True))
    cost = numpy.full((n + 1, m + 1), numpy.inf)
    cost[0, :] = numpy.arange(m + 1) * SKIP
    cost[:, 0] = numpy.arange(n + 1) * SKIP
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i, j] = min(cost[i - 1, j - 1] + abs(template[i - 1] - seen[j - 1]), cost[i - 1, j] + SKIP,
                             cost[i, j - 1] + SKIP)
    pairs, i, j = [], n, m
    while i and j:
        if cost[i, j] == cost[i - 1, j - 1] + abs(template[i - 1] - seen[j - 1]):
            pairs.append((template[i - 1], seen[j - 1]))
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i - 1, j] + SKIP:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


class Axis:
    """Template position -> printed position along one axis, piecewise linear between matched rules."""

    def __init__(self, pairs: list[tuple[float, float]]) -> None:
        self.pairs = pairs if len(pairs) >= 3 else []

    def __call__(self, at: float) -> float:
        """Where the page prints what the template puts at `at`."""
        if not self.pairs:
            return at
        template, seen = zip(*self.pairs, strict=True)
        if at <= template[0]:
            return at + seen[0] - template[0]
        if at >= template[-1]:
            return at + seen[-1] - template[-1]
        return float(numpy.interp(at, template, seen))


def _rules(ink: numpy.ndarray, spans: list[tuple[float, float]], solid: float, horizontal: bool) -> list[float]:
    """Rules seen in most of the `spans` (pieces along them short enough that a slight tilt stays within a rule)."""
    seen: list[list[float]] = []
    for lo, hi in spans:
        piece = ink[:, int(lo * ZOOM):int(hi * ZOOM)] if horizontal else ink[int(lo * ZOOM):int(hi * ZOOM), :].T
        for at in rule_centres(piece.mean(axis=1) >= solid):
            group = next((g for g in seen if abs(g[0] - at) <= 1.5), None)
            if group is None:
                seen.append([at])
            else:
                group.append(at)
    return sorted(sum(g) / len(g) for g in seen if len(g) * 3 >= len(spans) * 2)


def find_grid(ink: numpy.ndarray) -> tuple[Axis, Axis]:
    """The (x, y) maps of a page warped into the template's frame, from its long rules."""
    step = (ROW_SPAN[1] - ROW_SPAN[0]) / 4
    rows = _rules(ink, [(ROW_SPAN[0] + i * step, ROW_SPAN[0] + (i + 1) * step) for i in range(4)], SOLID_ROW, True)
    columns = _rules(ink, list(BLOCKS), SOLID_COLUMN, False)
    return Axis(_align(COLUMNS, columns)), Axis(_align(ROWS, rows))


class Rules:
    """The ruled lines of a page in the template's frame, found near where the template expects them."""

    def __init__(self, page: Image.Image) -> None:
        self.ink = numpy.asarray(page) < INK
        self.x, self.y = find_grid(self.ink)

    def _snap(self, at: float, span: tuple[float, float], vertical: bool, snap: float) -> float | None:
        """The rule nearest `at` (points) within `snap`, measured along `span`; None when there is none."""
        lo, hi = max(0, int(span[0] * ZOOM)), int(span[1] * ZOOM)
        first, last = max(0, int((at - snap) * ZOOM)), int((at + snap) * ZOOM)
        strip = self.ink[lo:hi, first:last] if vertical else self.ink[first:last, lo:hi].T
        if strip.size == 0:
            return None
        counts = strip.sum(axis=0)
        best = int(counts.argmax())
        if counts[best] < SOLID_COLUMN * (hi - lo):
            return None
        peers = numpy.flatnonzero(counts >= SOLID_COLUMN * (hi - lo))
        nearest = peers[numpy.abs(peers - (at * ZOOM - first)).argmin()]
        return (first + nearest) / ZOOM

    def cell(self, rect: Rect, box: bool = False) -> tuple[float, float, float, float]:
        """A field rectangle (bottom-left origin) as (left, top, right, bottom) points, edges moved onto rules.

        A text cell's edge is looked for along its side and a little past its corners: a rule runs on, a stroke of
        a printed character (the 1 of 100,000) does not. A checkbox (`box`) is a small square of its own, found
        further off, along its sides only.
        """
        x0, y0, x1, y1 = rect
        x0, x1 = self.x(x0), self.x(x1)
        top, bottom = self.y(PAGE_HEIGHT - y1), self.y(PAGE_HEIGHT - y0)
        reach, snap = (-1.5, BOX_SNAP) if box else (REACH, SNAP)
        left, right = self._pair(x0, x1, (top - reach, bottom + reach), True, snap)
        top, bottom = self._pair(top, bottom, (left - reach, right + reach), False, snap)
        return left, top, right, bottom

    def _pair(self, start: float, end: float, span: tuple[float, float], vertical: bool,
              snap: float) -> tuple[float, float]:
        """Both edges of one axis; an edge with no rule near it stays where the template puts it."""
        a, b = self._snap(start, span, vertical, snap), self._snap(end, span, vertical, snap)
        return (start if a is None else a), (end if b is None else b)
