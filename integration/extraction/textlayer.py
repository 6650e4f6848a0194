"""Read a flattened certificate page from its text layer: words placed into the form's cells after registration."""

from __future__ import annotations

from collections.abc import Iterable

from integration.extraction.cells import CELLS, PARTIES, TICK_CELLS
from integration.extraction.fields import Reading, Readings
from integration.extraction.parties import read_party
from integration.extraction.register import Affine, register

CONFIDENCE = 0.95  # text-layer words are exact; what can go wrong is which cell they belong to
UNSURE = 0.6  # a page that registered on few anchors or loosely: every value goes to review
MARK_MAX_CHARS = 2  # a glyph used as a tick (X, ✓, ✖ set in a dingbat font as "6" ...) is one or two characters

PlacedWord = tuple[str, float, float, float, float]  # text, x0, top, x1, bottom
Stroke = tuple[float, float, float, float]  # x0, top, x1, bottom of a drawn line, curve or small rectangle


def place_words(words: Iterable[PlacedWord], affine: Affine, confidence: float,
                strokes: Iterable[Stroke] = ()) -> Readings:
    """Assign each word to the cell its centre falls in; join a cell's words line by line; find ticked boxes."""
    cells = {name: affine.box(rect, pad=0.5) for name, rect in CELLS.items()}
    ticks = {name: affine.box(rect) for name, rect in TICK_CELLS.items()}
    parties = {name: affine.box(rect) for name, rect in PARTIES.items()}
    found: dict[str, list[PlacedWord]] = {}
    checked: set[str] = set()
    for word in words:
        text, x0, top, x1, bottom = word
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        if len(text) <= MARK_MAX_CHARS and (hit := _inside(ticks, cx, cy)):
            checked.add(hit)
        elif hit := _inside(parties, cx, cy) or _inside(cells, cx, cy):
            found.setdefault(hit, []).append(word)
    checked |= {name for name in ticks if any(_drawn_mark(ticks[name], s) for s in strokes)}
    readings: Readings = {}
    for name, ws in found.items():
        if name in PARTIES:
            readings.update(read_party(name, [(line, confidence) for line in _lines(ws, affine.scale)]))
        else:
            readings[name] = Reading(" ".join(_lines(ws, affine.scale)), confidence)
    readings.update({name: Reading(name in checked, confidence) for name in TICK_CELLS})
    return readings


def _drawn_mark(cell: tuple[float, float, float, float], stroke: Stroke) -> bool:
    """A stroke drawn inside a checkbox cell, not one of the cell's own rules: a tick with no glyph."""
    x0, top, x1, bottom = stroke
    inside = cell[0] - 0.5 <= x0 and x1 <= cell[2] + 0.5 and cell[1] - 0.5 <= top and bottom <= cell[3] + 0.5
    return inside and x1 - x0 >= 2 and bottom - top >= 2 and (x1 - x0) < (cell[2] - cell[0]) - 1


def _inside(boxes: dict[str, tuple[float, float, float, float]], x: float, y: float) -> str | None:
    # The smallest box wins: the "other" row's type box overlaps its neighbours on the real form.
    best = None
    for name, (x0, top, x1, bottom) in boxes.items():
        area = (x1 - x0) * (bottom - top)
        if x0 <= x <= x1 and top <= y <= bottom and (best is None or area < best[1]):
            best = (name, area)
    return best[0] if best else None


def _lines(words: list[PlacedWord], scale: float) -> list[str]:
    """A cell's words as lines in reading order: grouped by vertical position, then left to right."""
    lines: list[list[PlacedWord]] = []
    for word in sorted(words, key=lambda w: (w[2], w[1])):
        if lines and abs(lines[-1][0][2] - word[2]) < 3 * scale:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [" ".join(w[0] for w in sorted(line, key=lambda w: w[1])) for line in lines]


def read_text_page(words: list[PlacedWord], strokes: Iterable[Stroke] = ()) -> Readings | None:
    """Readings of a page whose text layer holds the form; None when the page does not register as the form."""
    affine = register(((w[0], w[1], (w[2] + w[4]) / 2) for w in words), expected_scale=1.0, tolerance=2.0)
    if affine is None:
        return None
    confidence = CONFIDENCE if affine.residual < 1.0 and affine.anchors >= 12 else UNSURE
    return place_words(words, affine, confidence, strokes)
