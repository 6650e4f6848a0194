"""Cut field cells out of a registered scan (edges moved onto its printed rules), clean them, tile them for OCR."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy
from PIL import Image, ImageFilter

from integration.extraction.fields import PAGE_HEIGHT, PAGE_WIDTH, Rect
from integration.extraction.register import Affine

ZOOM = 4.0  # output pixels per template point: 8-pt print becomes ~30 px tall, which Tesseract reads best
INK = 128  # grey level below which a pixel counts as ink


SNAP = 6.0  # points: how far a printed rule may sit from where the template puts a cell's edge
RULE_SHARE = 0.6  # share of a strip's length that must be ink for it to count as a ruled line
CROSSING = 0.9  # a crop's row or column inked along this share of its length is a rule crossing it (a tall digit's
# stroke, in a short crop, reaches about 0.8)
REACH = 3.0  # points past a cell's corners that its edge's strip extends


def warp(image: Image.Image, affine: Affine) -> Image.Image:
    """The page resampled into the template's frame at ZOOM px/pt, upright whatever the scan's skew."""
    width, height = int(PAGE_WIDTH * ZOOM), int(PAGE_HEIGHT * ZOOM)
    a, b, c, d, e, f = affine.a, affine.b, affine.c, affine.d, affine.e, affine.f
    data = (a / ZOOM, b / ZOOM, c, d / ZOOM, e / ZOOM, f)
    return image.transform((width, height), Image.Transform.AFFINE, data, resample=Image.Resampling.BICUBIC,
                           fillcolor=255)


class Rules:
    """The ruled lines of a page in the template's frame, found near where the template expects them."""

    def __init__(self, page: Image.Image) -> None:
        self.ink = numpy.asarray(page) < INK

    def _snap(self, at: float, span: tuple[float, float], vertical: bool) -> float | None:
        """The rule nearest `at` (points) within SNAP, measured along `span`; None when there is none."""
        lo, hi = max(0, int(span[0] * ZOOM)), int(span[1] * ZOOM)
        first, last = max(0, int((at - SNAP) * ZOOM)), int((at + SNAP) * ZOOM)
        strip = self.ink[lo:hi, first:last] if vertical else self.ink[first:last, lo:hi].T
        if strip.size == 0:
            return None
        counts = strip.sum(axis=0)
        best = int(counts.argmax())
        if counts[best] < RULE_SHARE * (hi - lo):
            return None
        peers = numpy.flatnonzero(counts >= RULE_SHARE * (hi - lo))
        nearest = peers[numpy.abs(peers - (at * ZOOM - first)).argmin()]
        return (first + nearest) / ZOOM

    def cell(self, rect: Rect) -> tuple[float, float, float, float]:
        """A field rectangle (bottom-left origin) as (left, top, right, bottom) points, edges moved onto rules."""
        x0, y0, x1, y1 = rect
        top, bottom = PAGE_HEIGHT - y1, PAGE_HEIGHT - y0
        # Each edge is looked for along the cell's side and a little past its corners: a rule runs on, a stroke
        # of a printed character (the 1 of 100,000) does not.
        left, right = self._pair(x0, x1, (top - REACH, bottom + REACH), vertical=True)
        top, bottom = self._pair(top, bottom, (x0 - REACH, x1 + REACH), vertical=False)
        return left, top, right, bottom

    def _pair(self, start: float, end: float, span: tuple[float, float], vertical: bool) -> tuple[float, float]:
        """Both edges of one axis; an edge with no rule near it stays where the template puts it."""
        a, b = self._snap(start, span, vertical), self._snap(end, span, vertical)
        return (start if a is None else a), (end if b is None else b)


def crop(page: Image.Image, rules: Rules, rect: Rect, inset: tuple[float, float, float]) -> Image.Image:
    """The field's cell less `inset` (sides, top, bottom; points), cut from the page in the template's frame."""
    left, top, right, bottom = rules.cell(rect)
    box = (int((left + inset[0]) * ZOOM), int((top + inset[1]) * ZOOM), int((right - inset[0]) * ZOOM),
           int((bottom - inset[2]) * ZOOM))
    return page.crop(box).filter(ImageFilter.MedianFilter(3))


def remove_rules(img: Image.Image) -> Image.Image:
    """White out printed rules: rows or columns of the crop that are ink along most of their length."""
    ink = numpy.asarray(img) < INK
    if not ink.size:
        return img
    rows, cols = ink.mean(axis=1), ink.mean(axis=0)
    if (rows > CROSSING).sum() > ink.shape[0] / 3 or (cols > CROSSING).sum() > ink.shape[1] / 3:
        return img  # a blot, not rules: leave the ink so the box reads as unreadable rather than blank
    pixels = numpy.array(img)
    pixels[rows > CROSSING, :] = 255
    pixels[:, cols > CROSSING] = 255
    return Image.fromarray(pixels)


def ink_share(img: Image.Image) -> float:
    """Share of pixels dark enough to be ink."""
    histogram = img.histogram()
    return sum(histogram[:INK]) / max(1, img.width * img.height)


@dataclass(frozen=True)
class Slot:
    """Where one field's crop sits in a mosaic."""

    name: str
    left: int
    top: int
    right: int
    bottom: int


def tile(crops: Iterable[tuple[str, Image.Image]], gap: int) -> tuple[Image.Image, list[Slot]]:
    """Stack the crops one below the other on a white sheet; return the sheet and where each crop went."""
    crops = list(crops)
    width = max(c.width for _, c in crops) + 2 * gap
    height = sum(c.height + gap for _, c in crops) + gap
    sheet = Image.new("L", (width, height), 255)
    slots, y = [], gap
    for name, img in crops:
        sheet.paste(img, (gap, y))
        slots.append(Slot(name, gap, y, gap + img.width, y + img.height))
        y += img.height + gap
    return sheet, slots


def slot_of(slots: list[Slot], y: float, gap: int) -> str | None:
    """The slot holding a word whose centre is at height `y` (half the gap counts as slack)."""
    return next((s.name for s in slots if s.top - gap / 2 <= y <= s.bottom + gap / 2), None)
