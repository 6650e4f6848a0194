"""Read a flattened certificate page from its text layer: words placed into the field boxes after registration."""

from __future__ import annotations

from collections.abc import Iterable

from integration.extraction.fields import CHECKBOXES, TEXT_FIELDS, Reading, Readings
from integration.extraction.register import Affine, register

CONFIDENCE = 0.95  # text-layer words are exact; what can go wrong is which box they belong to
_TICKS = {"X", "x", "✓", "✔", "☒", "☑", "■"}

PlacedWord = tuple[str, float, float, float, float]  # text, x0, top, x1, bottom


def place_words(words: Iterable[PlacedWord], affine: Affine, confidence: float) -> Readings:
    """Assign each word to the field box its centre falls in; join a box's words line by line."""
    boxes = {name: affine.box(rect, pad=0.5) for name, rect in TEXT_FIELDS.items()}
    ticks = {name: affine.box(rect) for name, rect in CHECKBOXES.items()}
    found: dict[str, list[PlacedWord]] = {}
    checked: set[str] = set()
    for word in words:
        text, x0, top, x1, bottom = word
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        if text in _TICKS and (hit := _inside(ticks, cx, cy)):
            checked.add(hit)
        elif hit := _inside(boxes, cx, cy):
            found.setdefault(hit, []).append(word)
    readings: Readings = {name: Reading(_join(ws, affine.scale), confidence) for name, ws in found.items()}
    readings.update({name: Reading(name in checked, confidence) for name in CHECKBOXES})
    return readings


def _inside(boxes: dict[str, tuple[float, float, float, float]], x: float, y: float) -> str | None:
    # The smallest box wins: the "other" row's type box overlaps its neighbours on the real form.
    hits = [(b[2] - b[0]) * (b[3] - b[1]) for b in boxes.values()]
    best = None
    for (name, (x0, top, x1, bottom)), area in zip(boxes.items(), hits, strict=True):
        if x0 <= x <= x1 and top <= y <= bottom and (best is None or area < best[1]):
            best = (name, area)
    return best[0] if best else None


def _join(words: list[PlacedWord], scale: float) -> str:
    """Words in reading order: lines by their vertical position, then left to right."""
    lines: list[list[PlacedWord]] = []
    for word in sorted(words, key=lambda w: (w[2], w[1])):
        if lines and abs(lines[-1][0][2] - word[2]) < 3 * scale:
            lines[-1].append(word)
        else:
            lines.append([word])
    return " ".join(" ".join(w[0] for w in sorted(line, key=lambda w: w[1])) for line in lines)


def read_text_page(words: list[PlacedWord]) -> Readings | None:
    """Readings of a page whose text layer holds the form; None when the page does not register as the form."""
    affine = register(((w[0], (w[1] + w[3]) / 2, (w[2] + w[4]) / 2) for w in words), expected_scale=1.0,
                      tolerance=2.0)
    if affine is None:
        return None
    confidence = CONFIDENCE if affine.residual < 1.0 and affine.anchors >= 12 else 0.85
    return place_words(words, affine, confidence)
