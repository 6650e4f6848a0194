"""A PDF page's words and small drawn shapes, read through PDFium (in C: a tenth of the time pdfplumber takes).

Words are built much as pdfplumber builds them: characters grouped into lines by their baselines, sorted left to
right, and split at a space or a gap wider than 3 pt. Points, top-left origin.
"""

from __future__ import annotations

import ctypes

import pypdfium2
import pypdfium2.raw as pdfium

from integration.extraction.textlayer import PlacedWord, Stroke

LINE_TOLERANCE = 1.5  # points between the baselines of characters on one line
GAP_TOLERANCE = 3.0  # points of space inside a word
SMALL = 20.0  # points: a drawn shape smaller than this either way may be a tick
Char = tuple[str, float, float, float, float, float]  # text, x0, top, x1, bottom, baseline


def _chars(page: pypdfium2.PdfPage) -> list[Char]:
    """The page's printed characters (not the spaces and line ends PDFium makes up): box and baseline of each.

    Boxes are the glyphs' own ink, not the font's declared height: a font with odd metrics (a symbol font's tall
    box, a system's font set at size 1 and scaled) would otherwise move a word off the cell it sits in."""
    height = page.get_height()
    textpage = page.get_textpage()
    x, y = ctypes.c_double(), ctypes.c_double()
    try:
        chars = []
        for index in range(textpage.count_chars()):
            if pdfium.FPDFText_IsGenerated(textpage.raw, index) == 1:
                continue
            code = pdfium.FPDFText_GetUnicode(textpage.raw, index)
            left, bottom, right, top = textpage.get_charbox(index, loose=False)
            pdfium.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
            chars.append((chr(code) if code else " ", left, height - top, right, height - bottom, height - y.value))
        return chars
    finally:
        textpage.close()


def _lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into lines by their baselines (a symbol font's tall box would join lines), each line left
    to right."""
    lines: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: c[5]):
        if lines and char[5] - lines[-1][0][5] <= LINE_TOLERANCE:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c[1]) for line in lines]


def page_words(page: pypdfium2.PdfPage) -> list[PlacedWord]:
    """The page's words as (text, x0, top, x1, bottom)."""
    words: list[PlacedWord] = []
    for line in _lines(_chars(page)):
        current: list[Char] = []
        for char in [*line, (" ", 0.0, 0.0, 0.0, 0.0, 0.0)]:
            if current and (char[0].isspace() or char[1] > current[-1][3] + GAP_TOLERANCE):
                words.append(("".join(c[0] for c in current), min(c[1] for c in current),
                              min(c[2] for c in current), max(c[3] for c in current), max(c[4] for c in current)))
                current = []
            if not char[0].isspace():
                current.append(char)
    return words


def page_strokes(page: pypdfium2.PdfPage) -> list[Stroke]:
    """The page's small drawn shapes (paths: lines, curves, rectangles); ticks drawn without a glyph are among them."""
    height = page.get_height()
    found = []
    for shape in page.get_objects(filter=(pdfium.FPDF_PAGEOBJ_PATH,)):
        left, bottom, right, top = _on_page(shape)
        if right - left < SMALL and top - bottom < SMALL:
            found.append((left, height - top, right, height - bottom))
    return found


def _on_page(shape: pypdfium2.PdfObject) -> tuple[float, float, float, float]:
    """A shape's bounds on the page: inside a form XObject (a flattened checkbox's appearance, say) they are given
    in the form's own space, which its matrix, and its container's, carry to the page's."""
    left, bottom, right, top = shape.get_bounds()
    corners = [(left, bottom), (left, top), (right, bottom), (right, top)]
    container = shape.container
    while container is not None:
        matrix = container.get_matrix()
        corners = [matrix.on_point(x, y) for x, y in corners]
        container = container.container
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), min(ys), max(xs), max(ys)
