"""Cut field cells out of a registered scan (edges moved onto its printed rules), clean them, tile them for OCR."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy
from PIL import Image, ImageFilter

from integration.extraction.fields import PAGE_HEIGHT, PAGE_WIDTH
from integration.extraction.register import Affine

ZOOM = 4.0  # output pixels per template point: 8-pt print becomes ~30 px tall, which Tesseract reads best
INK = 128  # grey level below which a pixel counts as ink
SPECK_RADIUS, SPECK_DENSITY = 3, 0.2  # a 7x7 window around a speck is under a fifth ink; a full stop's is not
MIN_INK = 60  # dark pixels (at ZOOM) that a cell needs to hold anything: a full stop has about 40


CROSSING = 0.9  # a crop's row or column inked along this share of its length is a rule crossing it (a tall digit's
# stroke, in a short crop, reaches about 0.8)


def warp(image: Image.Image, affine: Affine) -> Image.Image:
    """The page resampled into the template's frame at ZOOM px/pt, upright whatever the scan's skew."""
    width, height = int(PAGE_WIDTH * ZOOM), int(PAGE_HEIGHT * ZOOM)
    a, b, c, d, e, f = affine.a, affine.b, affine.c, affine.d, affine.e, affine.f
    data = (a / ZOOM, b / ZOOM, c, d / ZOOM, e / ZOOM, f)
    return image.transform((width, height), Image.Transform.AFFINE, data, resample=Image.Resampling.BICUBIC,
                           fillcolor=255)


def warp_box(image: Image.Image, affine: Affine, box: tuple[int, int, int, int]) -> Image.Image:
    """The pixels `box` (left, top, right, bottom) of `warp(image, affine)`, resampled alone."""
    left, top, right, bottom = box
    a, b, c, d, e, f = affine.a / ZOOM, affine.b / ZOOM, affine.c, affine.d / ZOOM, affine.e / ZOOM, affine.f
    data = (a, b, c + a * left + b * top, d, e, f + d * left + e * top)
    return image.transform((right - left, bottom - top), Image.Transform.AFFINE, data,
                           resample=Image.Resampling.BICUBIC, fillcolor=255)


def crop(page: Image.Image, cell: tuple[float, float, float, float], inset: tuple[float, float, float]) -> Image.Image:
    """A cell (left, top, right, bottom; points) less `inset` (sides, top, bottom), cut from the page in the
    template's frame."""
    return _despeckled(median3(page.crop(_box(cell, inset))))[0]


def cell_image(page: Image.Image, cell: tuple[float, float, float, float], inset: tuple[float, float, float]
               ) -> tuple[Image.Image, numpy.ndarray] | None:
    """A cell cut as `crop` cuts it, less the rules crossing it, trimmed to its ink; with where specks were whitened
    out of it (a full stop of small print among them, see `despeckle`). None when the cell is blank."""
    img, specks = _despeckled(median3(page.crop(_box(cell, inset))))
    img = remove_rules(img)
    box = _ink_box(img)
    if box is None:
        return None
    return img.crop(box), specks[box[1]:box[3], box[0]:box[2]]


def _box(cell: tuple[float, float, float, float], inset: tuple[float, float, float]) -> tuple[int, int, int, int]:
    left, top, right, bottom = cell
    return (int((left + inset[0]) * ZOOM), int((top + inset[1]) * ZOOM), int((right - inset[0]) * ZOOM),
            int((bottom - inset[2]) * ZOOM))


def median3(img: Image.Image) -> Image.Image:
    """The 3x3 median of a grey image, edges repeated: what PIL's MedianFilter(3) gives, pixel for pixel, in a
    sixteenth of its time (its rank filter sorts every window; this takes the median of sorted columns).

    With each column of three sorted (low <= middle <= high), the median of the nine is the median of the highest
    low, the median middle and the lowest high.
    """
    if not img.width or not img.height:
        return img
    pixels = numpy.pad(numpy.asarray(img), 1, mode="edge")
    top, middle, bottom = pixels[:-2], pixels[1:-1], pixels[2:]
    low, high = numpy.minimum(top, middle), numpy.maximum(top, middle)
    middle, high = numpy.minimum(high, bottom), numpy.maximum(high, bottom)
    low, middle = numpy.minimum(low, middle), numpy.maximum(low, middle)
    lows = numpy.maximum(numpy.maximum(low[:, :-2], low[:, 1:-1]), low[:, 2:])
    highs = numpy.minimum(numpy.minimum(high[:, :-2], high[:, 1:-1]), high[:, 2:])
    return Image.fromarray(_median_of_three(_median_of_three(middle[:, :-2], middle[:, 1:-1], middle[:, 2:]),
                                            lows, highs))


def _median_of_three(a: numpy.ndarray, b: numpy.ndarray, c: numpy.ndarray) -> numpy.ndarray:
    return numpy.maximum(numpy.minimum(a, b), numpy.minimum(numpy.maximum(a, b), c))


def despeckle(img: Image.Image) -> Image.Image:
    """White out specks: ink with little other ink around it (a stroke of print always has its neighbours).

    A full stop or a comma of small print scanned coarsely is as small as a speck, and goes with them."""
    return _despeckled(img)[0]


def _despeckled(img: Image.Image) -> tuple[Image.Image, numpy.ndarray]:
    """The image despeckled, and where it was whitened."""
    ink = numpy.asarray(img) < INK
    if not ink.any():
        return img, ink
    mask = Image.fromarray((ink * 255).astype(numpy.uint8)).filter(ImageFilter.BoxBlur(SPECK_RADIUS))
    lonely = ink & (numpy.asarray(mask) < SPECK_DENSITY * 255)
    if not lonely.any():
        return img, lonely
    pixels = numpy.array(img)
    pixels[lonely] = 255
    return Image.fromarray(pixels), lonely


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


def trim(img: Image.Image, pad: int = 16) -> Image.Image | None:
    """The crop cut down to its ink and a margin, so tall cells tile as compactly as one-line ones; None if blank.

    A cell counts as blank below MIN_INK dark pixels: a speck of dust, or what the median filter left of one.
    """
    box = _ink_box(img, pad)
    return None if box is None else img.crop(box)


def _ink_box(img: Image.Image, pad: int = 16) -> tuple[int, int, int, int] | None:
    ink = numpy.asarray(img) < INK
    if ink.sum() < MIN_INK:
        return None
    rows, cols = numpy.flatnonzero(ink.any(axis=1)), numpy.flatnonzero(ink.any(axis=0))
    return (max(0, int(cols[0]) - pad), max(0, int(rows[0]) - pad), min(img.width, int(cols[-1]) + pad + 1),
            min(img.height, int(rows[-1]) + pad + 1))


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
