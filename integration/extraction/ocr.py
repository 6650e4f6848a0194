"""Read a scanned certificate: register the page by anchor words, then OCR the field boxes and weigh the checkboxes."""

from __future__ import annotations

import statistics

import numpy
from PIL import Image, ImageOps

from integration.extraction import tesseract
from integration.extraction.budget import BudgetExceeded, Clock
from integration.extraction.cells import CELLS, PARTIES, TICK_CELLS
from integration.extraction.fields import (
    CODE_FIELDS,
    LETTER_FIELDS,
    NUMERIC_FIELDS,
    PAGE_WIDTH,
    Reading,
    Readings,
)
from integration.extraction.grid import Rules
from integration.extraction.normalize import parse_amount, parse_date, repair_ocr_name
from integration.extraction.orient import turn_order
from integration.extraction.parties import read_party
from integration.extraction.refine import refine_by_rules
from integration.extraction.register import Affine, register
from integration.extraction.tesseract import Word
from integration.extraction.zones import ZOOM, Slot, cell_image, crop, ink_share, slot_of, tile, warp

WORK_DPI = 300  # larger scans are scaled down to this before reading
# Bands of the template (in points from the top) read for registration: the contact box and the grid hold many
# anchor words; the foot prints the form's edition.
ANCHOR_BANDS = ((118.0, 170.0), (286.0, 372.0), (735.0, 792.0))
GAP = 24
ANCHOR_DPI = 200
EMPTY = 0.004  # ink share below which a box is blank
_TICK_ON, _TICK_OFF = 0.14, 0.05  # ink share of a ticked / an empty checkbox interior
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CONFIGS = {"text": "--psm 6", "numeric": "--psm 6 -c tessedit_char_whitelist=0123456789$,./-MK",
            "state": f"--psm 6 -c tessedit_char_whitelist={_UPPER}",
            "letter": "--psm 6 -c tessedit_char_whitelist=ABCDEF", "flag": "--psm 6 -c tessedit_char_whitelist=YNX"}
_SINGLE = {"letter": "ABCDEF", "flag": "YNX"}
_CODES = "ABCDEFYNX"
_BINARY = [0] * 150 + [255] * 106
LOOSE_FIT_POINTS = 1.5  # median anchor misfit above which the registration is unsure
SURE_ANCHORS = 12
SURE_DPI = 200  # the form's own resolution on the page (a form printed small counts as coarser)
UNSURE = 0.6
SPECK_WORD = 0.4  # a word of up to four characters read with less confidence than this, at a cell's edge, is dust
SPECK_DOUBT = 0.8  # the most a value can be trusted once dust had to be taken off it
AGREED = 0.9  # a one-letter box read alike twice (tiled, and alone as one character)
REREAD_BELOW = 0.85  # a one-letter box read with less confidence than this gets a second read
HEADER, FOOTER = 0.16, 0.12  # shares of a page's height read first for an endorsement's form number


def _read(requests: list[tuple[str, Image.Image, str]], clock: Clock) -> dict[str, list[Word]]:
    """Tesseract words, as (text, confidence 0-1, left, top, right, bottom), of each named image read with its
    configuration: the images sharing a configuration go to one start of the program. A timeout ends the file."""
    configs = list(dict.fromkeys(config for _, _, config in requests))
    jobs = [([img for _, img, c in requests if c == config], config) for config in configs]
    limit = clock.call_timeout()
    try:
        found = tesseract.read(jobs, limit)
    except tesseract.OcrTimeout as exc:
        if limit < clock.budget.ocr_call_seconds:
            raise BudgetExceeded(f"time budget of {clock.budget.seconds:g} s exceeded during OCR") from exc
        raise BudgetExceeded(f"an OCR call took longer than its {limit:g} s budget") from exc
    words: dict[str, list[Word]] = {}
    for config, pages in zip(configs, found, strict=True):
        names = [name for name, _, c in requests if c == config]
        words.update(zip(names, pages, strict=True))
    return words


def _data(image: Image.Image, config: str, clock: Clock) -> list[Word]:
    """The words of one image."""
    return _read([("", image, config)], clock)[""]


def _register_bands(image: Image.Image, clock: Clock) -> tuple[Affine | None, str]:
    """Fit template -> image from anchor words found in a few bands, read in one call at about 200 dpi."""
    per_point = image.width / PAGE_WIDTH
    factor = min(1.0, ANCHOR_DPI / 72 / per_point)  # label words read well enough at 200 dpi; the rules refine
    bands = [(int(top * per_point), min(image.height, int(bottom * per_point))) for top, bottom in ANCHOR_BANDS]
    strips = [image.crop((0, y0, image.width, y1)) for y0, y1 in bands if y1 > y0]
    strips = [s.resize((max(1, int(s.width * factor)), max(1, int(s.height * factor)))) for s in strips]
    sheet, slots = tile([(str(i), strip) for i, strip in enumerate(strips)], GAP)
    found: list[tuple[str, float, float]] = []
    for word, _, left, wtop, _right, wbottom in _data(sheet, "--psm 11", clock):
        slot = next((sl for sl in slots if sl.top <= (wtop + wbottom) / 2 <= sl.bottom), None)
        if slot is not None:
            y0 = bands[int(slot.name)][0]
            found.append((word, (left - slot.left) / factor, y0 + ((wtop + wbottom) / 2 - slot.top) / factor))
    return register(found, expected_scale=per_point, tolerance=3 * per_point), " ".join(w[0] for w in found)


def _register_page(image: Image.Image, clock: Clock) -> tuple[Affine | None, str]:
    """The same fit from the whole page's words (a form printed small or far off the bands), read at 200 dpi."""
    per_point = image.width / PAGE_WIDTH
    factor = min(1.0, ANCHOR_DPI / 72 / per_point)
    small = image.resize((int(image.width * factor), int(image.height * factor))) if factor < 1 else image
    words = _data(small, "--psm 11", clock)
    found = ((w[0], w[2] / factor, (w[3] + w[5]) / 2 / factor) for w in words)
    return register(found, per_point, 3 * per_point), " ".join(w[0] for w in words)


def _upright(image: Image.Image, clock: Clock) -> tuple[Image.Image, Affine, str] | None:
    """The page turned upright and registered: each likely turn is tried on the anchor bands first, and only when
    none registers there on the whole page. None when no turn registers as the form."""
    turns = turn_order(image, clock)
    pages = {turn: image.rotate(-turn, expand=True, fillcolor=255) if turn else image for turn in turns}
    for how in (_register_bands, _register_page):
        for turn in turns:
            affine, text = how(pages[turn], clock)
            if affine is not None:
                return pages[turn], affine, text
    return None


def _checkboxes(image: Image.Image, rules: Rules) -> Readings:
    readings: Readings = {}
    for name, rect in TICK_CELLS.items():
        left, top, right, bottom = rules.cell(rect, box=True)
        cx, cy = (left + right) / 2, (top + bottom) / 2  # the mark's middle: clear of the cell's rules
        share = ink_share(crop(image, (cx - 2.8, cy - 2.8, cx + 2.8, cy + 2.8), (0.0, 0.0, 0.0)))
        sure = share >= _TICK_ON or share <= _TICK_OFF
        readings[name] = Reading(share >= (_TICK_ON + _TICK_OFF) / 2, 0.95 if sure else 0.4)
    return readings


def _tile_readings(crops: list[tuple[str, Image.Image]], words: list[Word], slots: list[Slot]) -> Readings:
    """The words read on a mosaic of crops, back in their fields: each gets its words in reading order and their
    lowest confidence."""
    found: dict[str, list[tuple[str, float]]] = {}
    for word, conf, _left, top, _right, bottom in words:
        name = slot_of(slots, (top + bottom) / 2, GAP)
        if name:
            found.setdefault(name, []).append((word, conf))
    # A box with ink but no words read is kept as "?" with no confidence: unreadable, not blank.
    return {name: without_specks(found.get(name, [("?", 0.0)])) for name, _ in crops}


def without_specks(words: list[tuple[str, float]]) -> Reading:
    """A cell's words, less what specks of dust read as at either end: marks with no letter or digit, or a short
    word read with little confidence. The doubt they raised stays: the value then goes to review."""
    kept, doubt = list(words), 1.0
    while kept and (_speck(kept[0]) or _speck(kept[-1])):
        doubt = min(doubt, SPECK_DOUBT)
        kept.pop(0 if _speck(kept[0]) else -1)
    if not kept:
        return Reading("?", 0.0)
    text = " ".join(w for w, _ in kept)
    text = text.rstrip(":;'`~|_") if len(kept[-1][0]) > 1 else text
    return Reading(text or "?", min(doubt, *(c for _, c in kept)) if text else 0.0)


def _speck(word: tuple[str, float]) -> bool:
    text, conf = word
    return not any(ch.isalnum() for ch in text) or (len(text) <= 4 and conf < SPECK_WORD)


def _group(name: str) -> str:
    if name in LETTER_FIELDS:
        return "letter"
    if name in CODE_FIELDS:
        return "flag"
    if "StateOrProvinceCode" in name:
        return "state"
    return "numeric" if name in NUMERIC_FIELDS else "text"


def _crops(image: Image.Image, rules: Rules) -> tuple[dict[str, list[tuple[str, Image.Image]]], Readings,
                                                       dict[str, numpy.ndarray]]:
    """The inked cells cut out, cleaned and grouped by how they are read; the code boxes found blank; where specks
    were whitened out of the text cells."""
    groups: dict[str, list[tuple[str, Image.Image]]] = {group: [] for group in _CONFIGS}
    blank: Readings = {}
    specks: dict[str, numpy.ndarray] = {}
    for name, rect in CELLS.items():
        group = _group(name)
        # Print sits low in a one-line box: trim more from the top, where only the rule above can intrude.
        found = cell_image(image, rules.cell(rect), (2.5 if group in _SINGLE else 1.5, 2.0, 0.9))
        if found is None:
            if name in CODE_FIELDS:
                blank[name] = Reading("", 0.9)
            continue
        img, specks[name] = found
        # Tesseract skips or misreads a lone grey capital (Y becomes a yen sign): enlarge it, make it black on white.
        if group in _SINGLE:
            img = img.resize((img.width * 2, img.height * 2), Image.Resampling.BICUBIC).point(_BINARY)
        groups[group].append((name, img))
    return groups, blank, specks


def _stop_lost(words: list[Word], specks: numpy.ndarray, left: int = 0, top: int = 0) -> bool:
    """Whether a speck was whitened just after one of the words (placed `left`, `top` off the cell), low on its
    line: where a full stop or a comma would stand, so the words read may lack one ("Inc" for "Inc.")."""
    for _, _, _, y0, x1, y1 in words:
        height = y1 - y0
        box = (max(0, x1 - left), max(0, y0 - top + int(0.4 * height)), max(0, x1 - left + int(0.6 * height)),
               max(0, y1 - top + int(0.3 * height)))
        if specks[box[1]:box[3], box[0]:box[2]].any():
            return True
    return False


def _fields(image: Image.Image, rules: Rules, clock: Clock) -> Readings:
    """Every cell and party box read: the mosaics of cells, their digits again larger, and the party boxes all go
    to Tesseract at once; the doubtful one-letter boxes are read a second time after."""
    groups, readings, specks = _crops(image, rules)
    # The digits again, larger and without the whitelist: see _second_opinion.
    larger = [(name, img.resize((img.width * 3 // 2, img.height * 3 // 2), Image.Resampling.BICUBIC))
              for name, img in groups["numeric"]]
    sheets = {group: tile(crops, GAP) for group, crops in [*groups.items(), ("second", larger)] if crops}
    parties = {party: found for party, rect in PARTIES.items()
               if (found := cell_image(image, rules.cell(rect), (1.2, 1.0, 1.0))) is not None}
    words = _read([(group, sheet, _CONFIGS.get(group, "--psm 6")) for group, (sheet, _) in sheets.items()]
                  + [(party, img, "--psm 6") for party, (img, _) in parties.items()], clock)
    for group in _CONFIGS:
        if group in sheets:
            readings.update(_tile_readings(groups[group], words[group], sheets[group][1]))
    for slot in sheets["text"][1] if "text" in sheets else []:  # names and numbers: a lost full stop is doubted
        mine = [w for w in words["text"] if slot_of(sheets["text"][1], (w[3] + w[5]) / 2, GAP) == slot.name]
        if _stop_lost(mine, specks[slot.name], slot.left, slot.top):
            reading = readings[slot.name]
            readings[slot.name] = Reading(reading.value, min(reading.confidence, SPECK_DOUBT))
    if larger:
        _second_opinion(groups["numeric"], _tile_readings(larger, words["second"], sheets["second"][1]), readings)
    for name in groups["text"]:
        if "Insurer_FullName" in name[0]:
            reading = readings[name[0]]
            readings[name[0]] = Reading(repair_ocr_name(str(reading.value)), reading.confidence)
    # Tesseract is shy about some capitals (C scores ~0.75): doubtful one-letter boxes are read again, all at once.
    again = [(name, img) for group in _SINGLE for name, img in groups[group]
             if readings[name].value not in _SINGLE[group] or readings[name].confidence < REREAD_BELOW]
    second = _singles(again, clock)
    for group, allowed in _SINGLE.items():
        for name, _img in groups[group]:
            first, other = readings[name], second.get(name)
            if other is None:
                continue
            if other.value not in allowed:
                other = Reading("?", 0.0)
            if first.value not in allowed:
                readings[name] = other
            else:
                agreed = other.value == first.value
                readings[name] = Reading(first.value, max(first.confidence, other.confidence, AGREED) if agreed
                                         else min(first.confidence, 0.3))
    for party, (_, party_specks) in parties.items():
        readings.update(_party(party, words[party], party_specks))
    return readings


def _party(party: str, words: list[Word], specks: numpy.ndarray) -> Readings:
    """A party box's words as lines, read as name, then address."""
    lines: list[list[Word]] = []
    tops: list[float] = []
    for word in sorted(words, key=lambda w: (w[3], w[2])):
        middle = (word[3] + word[5]) / 2
        if tops and abs(tops[-1] - middle) < 4 * ZOOM:
            lines[-1].append(word)
        else:
            lines.append([word])
            tops.append(middle)
    texts = []
    for line in lines:
        reading = without_specks([(w[0], w[1]) for w in sorted(line, key=lambda w: w[2])])
        if reading.value != "?":
            doubt = SPECK_DOUBT if _stop_lost(line, specks) else 1.0
            texts.append((str(reading.value), min(reading.confidence, doubt)))
    readings = read_party(party, texts)
    name = f"{party}_FullName_A"
    if name in readings:
        readings[name] = Reading(repair_ocr_name(str(readings[name].value)), readings[name].confidence)
    return readings


def _numeric(name: str, text: str | bool) -> object:
    """The value a digits box holds, or None when its text does not parse."""
    text = str(text)
    if "Date" in name:
        return parse_date(text)
    if "Amount" in name:
        return parse_amount(text)
    return text if text.isdigit() else None


def _second_opinion(crops: list[tuple[str, Image.Image]], again: Readings, readings: Readings) -> None:
    """Weigh the digit boxes' first reads against `again`, their reads larger and without the whitelist: agreement
    keeps, disagreement doubts.

    The whitelist read alone turns a blurred `$` into a 3 (`$5,000` -> `35,000`) with high confidence.
    """
    for name, _ in crops:
        first, second = readings[name], again[name]
        v1, v2 = _numeric(name, first.value), _numeric(name, second.value)
        if v1 == v2:
            readings[name] = Reading(first.value, max(first.confidence, second.confidence))
        elif v1 is None:
            readings[name] = second
        elif v2 is not None:  # two reads, two values: keep the likelier one but send it to review
            best = first if first.confidence >= second.confidence else second
            readings[name] = Reading(best.value, min(best.confidence, 0.3))
        else:
            readings[name] = Reading(first.value, min(first.confidence, 0.6))


def _singles(crops: list[tuple[str, Image.Image]], clock: Clock) -> Readings:
    """A second read of one-letter boxes, each alone on a sheet of sparse text: one character per box or none."""
    if not crops:
        return {}
    sheet, slots = tile([(name, ImageOps.expand(img, 20, fill=255)) for name, img in crops], 2 * GAP)
    words: dict[str, list[tuple[str, float]]] = {}
    for word, conf, _left, top, _right, bottom in _data(sheet, f"--psm 11 -c tessedit_char_whitelist={_CODES}", clock):
        if name := slot_of(slots, (top + bottom) / 2, 2 * GAP):
            words.setdefault(name, []).append((word, conf))
    return {name: (Reading(*found[0]) if len(found := words.get(name, [])) == 1 and len(found[0][0]) == 1
                   else Reading("?", 0.0)) for name, _ in crops}


def _work_size(image: Image.Image) -> Image.Image:
    per_point = image.width / PAGE_WIDTH
    if per_point > WORK_DPI / 72:
        factor = WORK_DPI / 72 / per_point
        return image.resize((int(image.width * factor), int(image.height * factor)), Image.Resampling.LANCZOS)
    return image


def read_scan(image: Image.Image, clock: Clock) -> tuple[Readings, str] | None:
    """Readings of a scanned certificate page and its OCR'd label text; None when it does not register."""
    image = _work_size(image.convert("L"))
    found = _upright(image, clock)
    if found is None:
        return None
    image, affine, text = found
    affine = refine_by_rules(image, affine)
    page = warp(image, affine)
    rules = Rules(page)
    readings = _checkboxes(page, rules)
    readings.update(_fields(page, rules, clock))
    loose = affine.residual / affine.scale > LOOSE_FIT_POINTS or affine.anchors < SURE_ANCHORS
    if loose or affine.scale * 72 < SURE_DPI:
        # The form did not fit the template well, or is printed too coarsely for its digits to be told apart
        # with certainty (3 and 2, 8 and 6 at 150 dpi): no value read off it skips review.
        readings = {name: Reading(r.value, min(r.confidence, UNSURE)) for name, r in readings.items()}
    return readings, text


def _page_at_200_dpi(image: Image.Image) -> Image.Image:
    """A non-certificate page at about 200 dpi: form numbers are large enough for that."""
    image = _work_size(image.convert("L"))
    scale = min(1.0, 200 / 72 / (image.width / PAGE_WIDTH))
    return image.resize((int(image.width * scale), int(image.height * scale))) if scale < 1 else image


def number_bands(image: Image.Image) -> list[Image.Image]:
    """The header and the footer of a non-certificate page, where endorsement forms print their number and edition."""
    small = _page_at_200_dpi(image)
    return [small.crop((0, 0, small.width, int(small.height * HEADER))),
            small.crop((0, int(small.height * (1 - FOOTER)), small.width, small.height))]


def read_bands(pages: dict[int, list[Image.Image]], clock: Clock) -> dict[int, tuple[str, float]]:
    """The OCR text of each page's bands and the median confidence of their words (0 when none were read), all
    pages in one call."""
    if not pages:
        return {}
    words = _read([(f"{number}:{i}", band, "--psm 3") for number, bands in pages.items()
                   for i, band in enumerate(bands)], clock)
    found = {}
    for number, bands in pages.items():
        page = [w for i in range(len(bands)) for w in words[f"{number}:{i}"]]
        found[number] = " ".join(w[0] for w in page), statistics.median(w[1] for w in page) if page else 0.0
    return found


def scan_text(image: Image.Image, clock: Clock) -> str:
    """Plain OCR text of a non-certificate page (used to spot endorsement form numbers)."""
    return scan_page(image, clock)[0]


def scan_page(image: Image.Image, clock: Clock) -> tuple[str, float]:
    """OCR text of a non-certificate page and the median confidence of its words (0 when none were read)."""
    words = _data(_page_at_200_dpi(image), "--psm 3", clock)
    return " ".join(w[0] for w in words), statistics.median(w[1] for w in words) if words else 0.0
