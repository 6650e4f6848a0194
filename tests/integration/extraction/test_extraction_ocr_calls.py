"""How scans reach Tesseract: many images per start of the program, results as if each were read alone; the cheap
image steps give what the slow ones gave; a full stop lost to the speck filter sends the value to review."""

from __future__ import annotations

import io
import random
import subprocess

import numpy
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.pdfgen.canvas import Canvas

from fixtures.certgen import generate
from fixtures.certgen.scan import degrade, rasterise
from integration.extraction import extract, tesseract
from integration.extraction.ocr import SPECK_DOUBT, _party
from integration.extraction.register import Affine
from integration.extraction.zones import median3, warp, warp_box


def _line(text: str, size: int = 40) -> Image.Image:
    img = Image.new("L", (40 + size * len(text) * 2 // 3, size * 2), 255)
    ImageDraw.Draw(img).text((20, size // 2), text, fill=0, font=ImageFont.load_default(size=size))
    return img


def test_images_read_in_one_start_read_as_if_alone():
    lines = [_line("Harbor Builders LLC"), _line("1,000,000"), _line("CG 20 10 04 13")]
    digits = "--psm 6 -c tessedit_char_whitelist=0123456789$,./-MK"
    together = tesseract.read([(lines, "--psm 6"), (lines[1:2], digits)], timeout=60)
    alone = [tesseract.read([([line], "--psm 6")], timeout=60)[0][0] for line in lines]
    assert together[0] == alone
    assert [w[0] for w in together[0][0]] == ["Harbor", "Builders", "LLC"]
    assert [w[0] for w in together[1][0]] == ["1,000,000"]


def test_a_call_past_its_time_is_stopped_whole(monkeypatch):
    started: list[subprocess.Popen] = []
    popen = subprocess.Popen

    def keep(*args, **kwargs):
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", keep)
    page = Image.new("L", (2400, 3200), 255)
    ImageDraw.Draw(page).text((100, 100), "WORDS " * 60, fill=0, font=ImageFont.load_default(size=30))
    with pytest.raises(tesseract.OcrTimeout):
        tesseract.read([([page], "--psm 3"), ([page], "--psm 6")], timeout=0.01)
    assert started and all(process.poll() is not None for process in started)


def test_a_refused_image_is_a_failure_not_a_timeout():
    with pytest.raises(tesseract.OcrFailed):
        tesseract.read([([_line("X")], "--psm 99")], timeout=60)


def test_the_median_filter_gives_pil_s_pixels():
    rng = numpy.random.default_rng(7)
    for shape in [(1, 1), (1, 6), (6, 1), (2, 3), (31, 257)]:
        for pixels in (rng.integers(0, 256, shape, dtype=numpy.uint8),
                       (rng.random(shape) < 0.5).astype(numpy.uint8) * 255):
            img = Image.fromarray(pixels)
            expected = img.filter(ImageFilter.MedianFilter(3))
            assert numpy.array_equal(numpy.asarray(median3(img)), numpy.asarray(expected))


def test_a_band_of_the_registered_page_is_the_page_s_band():
    page = rasterise(generate(3, "flattened").data, 200)[0].convert("L")
    affine = Affine(200 / 72 * 0.99, 0.012, 14.0, -0.01, 200 / 72 * 1.01, -9.0)
    whole = numpy.asarray(warp(page, affine)) < 128
    for box in [(120, 1160, 2328, 1240), (0, 520, 152, 2560)]:
        band = numpy.asarray(warp_box(page, affine, box)) < 128
        assert numpy.array_equal(band, whole[box[1]:box[3], box[0]:box[2]])


def test_a_full_stop_whitened_as_a_speck_after_a_name_sends_it_to_review():
    words = [("Westfield", 0.96, 16, 14, 146, 38), ("Masonry", 0.96, 158, 14, 278, 44), ("Inc", 0.96, 290, 14, 330, 38),
             ("Boise,", 0.96, 17, 62, 112, 90), ("ID", 0.96, 124, 62, 150, 87), ("83702", 0.96, 160, 62, 240, 87)]
    clean = numpy.zeros((100, 350), dtype=bool)
    read = _party("NamedInsured", words, clean)
    assert read["NamedInsured_FullName_A"].value == "Westfield Masonry Inc"
    assert read["NamedInsured_FullName_A"].confidence == 0.96
    stop = clean.copy()
    stop[33:36, 333:336] = True  # on the baseline, just after "Inc"
    assert read["NamedInsured_FullName_A"].value == _party("NamedInsured", words, stop)["NamedInsured_FullName_A"].value
    assert _party("NamedInsured", words, stop)["NamedInsured_FullName_A"].confidence == SPECK_DOUBT
    dot = clean.copy()
    dot[2:5, 60:63] = True  # above the line, inside the name: the dot of an i, not a lost stop
    assert _party("NamedInsured", words, dot)["NamedInsured_FullName_A"].confidence == 0.96


def test_an_endorsement_number_printed_mid_page_is_still_found():
    out = io.BytesIO()
    c = Canvas(out, pagesize=(612, 792))
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 420, "ENDORSEMENT CG 20 10 04 13 - ADDITIONAL INSURED")
    c.showPage()
    c.save()
    scan = degrade(rasterise(out.getvalue(), 200)[0], random.Random(1))
    pdf = io.BytesIO()
    scan.save(pdf, "PDF", resolution=200.0)
    got = extract(pdf.getvalue(), "endorsement.pdf").to_dict()
    assert got["ok"] is True and [(e["form"], e["edition"]) for e in got["endorsements"]] == [("CG 20 10", "04 13")]
