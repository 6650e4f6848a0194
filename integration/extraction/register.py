"""Register a page against the template: match printed anchor words and fit an affine map with outlier rejection."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from integration.extraction.anchors import ANCHORS
from integration.extraction.fields import PAGE_HEIGHT, Rect

Word = tuple[str, float, float]  # text, left edge x, centre y (top-left origin, the page's own units)
Pair = tuple[float, float, float, float]  # template x, y -> page u, v
TRIES = 300
MIN_ANCHORS = 8  # fewer matched labels than this and the page is not taken for the form


@dataclass(frozen=True)
class Affine:
    """Template points (top-left origin) to page units: x' = a x + b y + c, y' = d x + e y + f."""

    a: float
    b: float
    c: float
    d: float
    e: float
    f: float
    anchors: int = 0
    residual: float = 0.0

    def apply(self, x: float, y: float) -> tuple[float, float]:
        """Map one template point."""
        return self.a * x + self.b * y + self.c, self.d * x + self.e * y + self.f

    @property
    def scale(self) -> float:
        """Mean linear scale of the map."""
        return math.sqrt(abs(self.a * self.e - self.b * self.d))

    def box(self, rect: Rect, pad: float = 0.0) -> tuple[float, float, float, float]:
        """The page-unit bounding box (x0, top, x1, bottom) of a field rectangle given bottom-left origin."""
        x0, y0, x1, y1 = rect
        corners = [self.apply(x, PAGE_HEIGHT - y) for x in (x0 - pad, x1 + pad) for y in (y0 - pad, y1 + pad)]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        return min(xs), min(ys), max(xs), max(ys)


def _solve3(m: list[list[float]], v: list[float]) -> list[float] | None:
    """Solve a 3x3 linear system by Cramer's rule; None when singular."""
    def det(a: list[list[float]]) -> float:
        """Determinant of a 3x3 matrix."""
        return (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]))
    d = det(m)
    if abs(d) < 1e-9:
        return None
    return [det([[v[r] if col == k else m[r][col] for col in range(3)] for r in range(3)]) / d for k in range(3)]


def _fit(pairs: list[Pair]) -> Affine | None:
    sxx = [[0.0] * 3 for _ in range(3)]
    bx, by = [0.0] * 3, [0.0] * 3
    for x, y, u, v in pairs:
        row = (x, y, 1.0)
        for i in range(3):
            for j in range(3):
                sxx[i][j] += row[i] * row[j]
            bx[i] += row[i] * u
            by[i] += row[i] * v
    px, py = _solve3(sxx, bx), _solve3(sxx, by)
    if px is None or py is None:
        return None
    return Affine(*px, *py)


def _inliers(model: Affine, pairs: list[Pair], tolerance: float) -> list[Pair]:
    return [p for p in pairs if math.dist(model.apply(p[0], p[1]), (p[2], p[3])) <= tolerance]


def fit_affine(pairs: list[Pair], tolerance: float) -> Affine | None:
    """Affine fit of (x, y) -> (u, v) that most pairs agree with to within `tolerance`, refined by least squares.

    Candidate maps come from seeded triples of pairs (RANSAC), so a few words matched to the wrong label, or read
    with a rule stuck to them, cannot drag the fit.
    """
    if len(pairs) < 4:
        return None
    rng = random.Random(len(pairs))  # seeded: the same page always registers the same way
    best: list[Pair] = []
    for _ in range(TRIES):
        model = _fit(rng.sample(pairs, 3))
        if model is not None and len(kept := _inliers(model, pairs, tolerance)) > len(best):
            best = kept
    for _ in range(3):
        if len(best) < 4 or (model := _fit(best)) is None:
            return None
        best = _inliers(model, pairs, tolerance)
    errors = sorted(math.dist(model.apply(x, y), (u, v)) for x, y, u, v in best)
    return replace(model, anchors=len(best), residual=errors[len(errors) // 2]) if errors else None


def register(words: Iterable[Word], expected_scale: float, tolerance: float) -> Affine | None:
    """Find the template's anchor words among `words` (each used only if it occurs once) and fit the map."""
    words = list(words)
    counts = Counter(text for text, _, _ in words)
    seen = {text: (x, y) for text, x, y in words if counts[text] == 1}
    pairs = [(ax, ay, *seen[text]) for text, ax, ay in ANCHORS if text in seen]
    model = fit_affine(pairs, tolerance)
    if model is None or model.anchors < MIN_ANCHORS:
        return None
    # A plausible scan is upright (within a few degrees) and near the expected size.
    if not 0.8 < model.scale / expected_scale < 1.25 or abs(model.b) > 0.1 * model.scale:
        return None
    return model
