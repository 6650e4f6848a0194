"""Refine a scan's registration on the frame of the form, which every edition and printer draws.

Anchor words fix the page roughly; OCR places a word's edge a point or two off, and a form printed smaller or drawn
by an agency system stretches. The frame's sides and the grid's long rules are measured, piece by piece, where the rough
fit puts them, and a correction is fitted to them; the grid inside is matched rule by rule afterwards (grid.py).
Only the bands around those rules are resampled for each pass, not the whole page.
"""

from __future__ import annotations

from dataclasses import replace

import numpy
from PIL import Image

from integration.extraction.fields import PAGE_HEIGHT, PAGE_WIDTH
from integration.extraction.register import Affine
from integration.extraction.zones import INK, ZOOM, warp_box

# The frame's sides (points from the left), found from far; and the full-width rules of the coverage grid (points
# from the top), at least 36 points apart, so that the nearest rule found is the one meant.
SIDES, SIDE_REACH, SIDE_SPAN = (18.0, 594.0), 20.0, (130.0, 640.0)
PASSES = 3
GRID_ROWS, ROW_REACH, ROW_SPAN = (300.0, 384.0, 444.0, 480.0, 528.0), 10.0, (30.0, 582.0)
SEGMENT = 30.0  # points of rule measured at a time: short enough that a leftover tilt stays within a row
SOLID = 0.7  # share of a segment that must be ink
MISFIT = 1.5  # points: a measurement further than this from the fitted correction is dropped


def refine_by_rules(image: Image.Image, affine: Affine) -> Affine:
    """The affine corrected by the page's ruled lines, its residual then the rules' misfit (page units).

    Unchanged when too few rules are found: the anchor words' fit and residual stand.
    """
    refined, miss = affine, None
    for _ in range(PASSES):  # a tilted page is measured more truly once the first correction has levelled it
        found = _correction(image, refined, GRID_ROWS, SIDES)
        if found is None:
            break
        refined, miss = _compose(refined, found[0]), found[1]
        if _small(found[0]):
            break
    return affine if miss is None else replace(refined, residual=miss * refined.scale)


def _small(correction: Affine) -> bool:
    """A correction that moves no point of the page by more than a quarter point."""
    corners = [(0.0, 0.0), (612.0, 0.0), (0.0, 792.0), (612.0, 792.0)]
    return all(abs(u - x) < 0.25 and abs(v - y) < 0.25 for x, y in corners for u, v in [correction.apply(x, y)])


def _band(image: Image.Image, affine: Affine, at: float, reach: float, span: tuple[float, float],
          horizontal: bool) -> tuple[numpy.ndarray, int, int]:
    """The ink of the band `at` +- `reach` points across, over `span` along, in the template's frame at ZOOM (rows
    across, columns along), with its first pixel across and along."""
    first, lo, hi = max(0, int((at - reach) * ZOOM)), max(0, int(span[0] * ZOOM)), int(span[1] * ZOOM)
    if horizontal:
        last = min(int((at + reach) * ZOOM), int(PAGE_HEIGHT * ZOOM))
        ink = numpy.asarray(warp_box(image, affine, (lo, first, hi, last))) < INK
    else:
        last = min(int((at + reach) * ZOOM), int(PAGE_WIDTH * ZOOM))
        ink = (numpy.asarray(warp_box(image, affine, (first, lo, last, hi))) < INK).T
    return ink, first, lo


def _measure(band: tuple[numpy.ndarray, int, int], at: float, along: tuple[float, float]) -> float | None:
    """Where the rule expected at `at` lies in the band over the stretch `along` (points), nearest first; None if
    not seen."""
    ink, first, start = band
    strip = ink[:, max(0, int(along[0] * ZOOM) - start):max(0, int(along[1] * ZOOM) - start)]
    if strip.shape[0] == 0 or strip.shape[1] == 0:
        return None
    found = numpy.flatnonzero(strip.mean(axis=1) >= SOLID)
    if found.size == 0:
        return None
    nearest = found[numpy.abs(found - (at * ZOOM - first)).argmin()]
    return (first + nearest + 0.5) / ZOOM


def _samples(start: float, end: float) -> list[tuple[float, float]]:
    count = max(1, int((end - start) // SEGMENT))
    step = (end - start) / count
    return [(start + i * step, start + (i + 1) * step) for i in range(count)]


def _correction(image: Image.Image, affine: Affine, rows: tuple[float, ...], columns: tuple[float, ...]
                ) -> tuple[Affine, float] | None:
    """The map template -> where the rules really are (template points), and the median misfit of the rules, as
    the page looks through `affine`."""
    ys, xs = [], []
    for row in rows:
        band = _band(image, affine, row, ROW_REACH, ROW_SPAN, horizontal=True)
        ys += [((a + b) / 2, row, seen) for a, b in _samples(*ROW_SPAN) if (seen := _measure(band, row, (a, b)))
               is not None]
    for column in columns:
        band = _band(image, affine, column, SIDE_REACH, SIDE_SPAN, horizontal=False)
        xs += [(column, (a + b) / 2, seen) for a, b in _samples(*SIDE_SPAN)
               if (seen := _measure(band, column, (a, b))) is not None]
    if len({r for _, r, _ in ys}) < 2 or len({c for c, _, _ in xs}) < 2:
        return None
    y_map, x_map = _fit_plane(ys), _fit_plane(xs)
    if y_map is None or x_map is None:
        return None
    return Affine(*x_map[:3], *y_map[:3]), max(x_map[3], y_map[3])


def _fit_plane(points: list[tuple[float, float, float]]) -> tuple[float, float, float, float] | None:
    """Least squares value = p x + q y + r, dropping points that miss the fit by more than MISFIT."""
    kept = points
    for _ in range(4):
        if len(kept) < 3:
            return None
        matrix = numpy.array([[x, y, 1.0] for x, y, _ in kept])
        values = numpy.array([v for _, _, v in kept])
        solution, *_ = numpy.linalg.lstsq(matrix, values, rcond=None)
        misses = numpy.abs(matrix @ solution - values)
        if misses.max() <= MISFIT:
            return float(solution[0]), float(solution[1]), float(solution[2]), float(numpy.median(misses))
        kept = [p for p, miss in zip(kept, misses, strict=True) if miss <= max(MISFIT, float(numpy.median(misses)))]
    return None


def _compose(outer: Affine, inner: Affine) -> Affine:
    """outer after inner: template point -> where the rules are -> page."""
    a = outer.a * inner.a + outer.b * inner.d
    b = outer.a * inner.b + outer.b * inner.e
    c = outer.a * inner.c + outer.b * inner.f + outer.c
    d = outer.d * inner.a + outer.e * inner.d
    e = outer.d * inner.b + outer.e * inner.e
    f = outer.d * inner.c + outer.e * inner.f + outer.f
    return replace(outer, a=a, b=b, c=c, d=d, e=e, f=f)
