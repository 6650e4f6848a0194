"""Cut registered field boxes out of a scan, clean them, and tile them into one image for a single OCR call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image, ImageFilter

from integration.extraction.fields import PAGE_HEIGHT, Rect
from integration.extraction.register import Affine

ZOOM = 4.0  # output pixels per template point: 8-pt print becomes ~30 px tall, which Tesseract reads best
INK = 128  # grey level below which a pixel counts as ink


def crop(image: Image.Image, affine: Affine, rect: Rect, inset: tuple[float, float, float]) -> Image.Image:
    """The field box less `inset` (sides, top, bottom; points) resampled upright at ZOOM px/pt, whatever the skew."""
    x0, y0, x1, y1 = rect
    left, top = x0 + inset[0], PAGE_HEIGHT - y1 + inset[1]
    width, height = int((x1 - x0 - 2 * inset[0]) * ZOOM), int((y1 - y0 - inset[1] - inset[2]) * ZOOM)
    a, b, c, d, e, f = affine.a, affine.b, affine.c, affine.d, affine.e, affine.f
    data = (a / ZOOM, b / ZOOM, a * left + b * top + c, d / ZOOM, e / ZOOM, d * left + e * top + f)
    out = image.transform((width, height), Image.Transform.AFFINE, data, resample=Image.Resampling.BICUBIC,
                          fillcolor=255)
    return out.filter(ImageFilter.MedianFilter(3))


def remove_rules(img: Image.Image, edge: int = 4) -> Image.Image:
    """White out printed rules: rows or columns that are mostly ink, and faint rule remnants at the crop's edges."""
    width, height = img.size
    rows = list(img.resize((1, height), Image.Resampling.BOX).getdata())
    cols = list(img.resize((width, 1), Image.Resampling.BOX).getdata())
    if sum(m < 100 for m in rows) > height / 3 or sum(m < 100 for m in cols) > width / 3:
        return img  # a blot, not rules: leave the ink so the box reads as unreadable rather than blank
    for y, mean in enumerate(rows):
        if mean < 100 or (mean < 215 and (y < edge or y >= height - edge)):
            img.paste(255, (0, y, width, y + 1))
    for x, mean in enumerate(cols):
        if mean < 100 or (mean < 215 and (x < edge or x >= width - edge)):
            img.paste(255, (x, 0, x + 1, height))
    return img


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
