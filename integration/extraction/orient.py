"""Which way up a scanned page is: the form's long horizontal rules say it, without reading a word.

The ACORD 25's full-width rules are spaced unevenly down the page, so the spacing seen top to bottom matches the
form's one way up and not the other. Only when the page shows too few rules to tell (a photo, a page that is not the
form) is Tesseract's orientation detection asked, which costs seconds on a page of small print.
"""

from __future__ import annotations

import numpy
import pytesseract
from PIL import Image

from integration.extraction.budget import Clock
from integration.extraction.fields import PAGE_WIDTH
from integration.extraction.grid import ROWS, rule_centres

GUESS_PER_POINT = 2.0  # pixels per point of the form's width the page is measured at: hairline rules stay visible
RULE_SHARE = 0.5  # share of the frame's width a row must ink to be a full-width rule
SCALES = numpy.linspace(0.85, 1.15, 16)  # the form printed smaller or larger than the page, as scans show
MATCH = 2.5  # points: a rule this near a template rule matches it
DECIDES = 6  # matched rules (over all pieces) one way up beyond the other before the guess counts
PIECES, PIECE = (40.0, 570.0), 40.0  # points across the page, judged in pieces this wide
TEMPLATE = numpy.array(ROWS)


def _ink(image: Image.Image) -> numpy.ndarray:
    """The page at GUESS_PER_POINT, as ink; each row also takes the ink of the rows beside it, so that a rule
    tilted by a skewed feed still runs along one row over a short piece."""
    factor = GUESS_PER_POINT * PAGE_WIDTH / image.width
    small = image.resize((max(1, int(image.width * factor)), max(1, int(image.height * factor))), Image.Resampling.BOX)
    ink = numpy.asarray(small) < 200  # a hairline averaged into a wider pixel is grey
    return ink | numpy.roll(ink, 1, axis=0) | numpy.roll(ink, -1, axis=0)


def _matches(seen: numpy.ndarray, template: numpy.ndarray) -> int:
    """About how many template rules one scale and shift lay within MATCH of a rule seen: the offsets of every
    (seen, template) pair are counted in one-point bins, and the fullest window of the matching width wins."""
    window = numpy.ones(int(2 * MATCH) + 1)
    best = 0
    for scale in SCALES:
        offsets = (seen[:, None] - template[None, :] * scale).ravel()
        counts = numpy.bincount(numpy.round(offsets - offsets.min()).astype(int))
        best = max(best, int(numpy.convolve(counts, window, mode="same").max()))
    return best


def upright_guess(image: Image.Image) -> bool | None:
    """True when the page's rules fall as the form's do, False when they fall as the form's turned half round,
    None when there are too few rules to tell. Pieces across the page are judged apart: a skew shifts each."""
    ink = _ink(image)
    height = ink.shape[0] / GUESS_PER_POINT
    forward = backward = 0
    for x in range(int(PIECES[0] * GUESS_PER_POINT), int(PIECES[1] * GUESS_PER_POINT), int(PIECE * GUESS_PER_POINT)):
        seen = numpy.array(rule_centres(ink[:, x:x + int(PIECE * GUESS_PER_POINT)].mean(axis=1) >= RULE_SHARE,
                                        GUESS_PER_POINT))
        if len(seen) >= 4:
            forward += _matches(seen, TEMPLATE)
            backward += _matches(height - seen, TEMPLATE)
    if abs(forward - backward) < DECIDES:
        return None
    return forward > backward


def turn_order(image: Image.Image, clock: Clock) -> list[int]:
    """Clockwise turns (0, 90, 180, 270) that can make the page the portrait form, likeliest first."""
    portrait = image.height > image.width
    first = 0 if portrait else 90
    turned = image if portrait else image.rotate(-first, expand=True)
    guess = upright_guess(turned)
    if guess is None:
        guess = _osd_guess(image, clock, first)
    return [first, first + 180] if guess else [first + 180, first]


def _osd_guess(image: Image.Image, clock: Clock, first: int) -> bool:
    """Tesseract's orientation guess: whether turning by `first` (rather than half round more) sets it upright."""
    small = image.resize((image.width // 2, image.height // 2)) if image.width > 1800 else image.copy()
    small.format = "BMP"  # uncompressed: encoding is not worth it for a file Tesseract reads once
    try:
        osd = pytesseract.image_to_osd(small, output_type=pytesseract.Output.DICT, timeout=clock.call_timeout())
        rotate = int(osd.get("rotate", first)) % 360
    except (pytesseract.TesseractError, RuntimeError):
        return True  # too little text to tell: the upright reading is tried first
    return rotate != (first + 180) % 360
