"""OCR of scanned certificates: close to the truth, and never a wrong value held with confidence."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from fixtures.certgen import generate
from integration.extraction import extract
from integration.extraction.scoring import score


@pytest.fixture(scope="module")
def scans():
    """Two scans read once: a PNG, and an image-only PDF with an endorsement page behind it."""
    made = [generate(100, "scanned", image_format="png", dpi=200),
            generate(101, "scanned", image_format="pdf", dpi=200, endorsements=1)]
    return [(m, extract(m.data, m.filename).to_dict()) for m in made]


def _assert_no_confident_misread(got: dict, truth: dict) -> None:
    assert score(got, truth).silent == []


def test_scans_read_nearly_every_compliance_field(scans):
    for made, got in scans:
        result = score(got, made.truth)
        assert got["ok"] is True and got["method"] == "ocr"
        assert result.accuracy >= 0.9, result.flagged + result.silent
        _assert_no_confident_misread(got, made.truth)


def test_endorsement_page_of_a_scan_is_found_by_ocr(scans):
    made, got = scans[1]
    assert got["endorsements"] == made.truth["endorsements"]


def test_a_blotted_limit_is_null_or_doubted_and_sent_to_review():
    made = generate(102, "scanned", image_format="png", dpi=200)
    image = Image.open(io.BytesIO(made.data))
    per_point = 200 / 72
    box = (520 * per_point, (792 - 496) * per_point, 596 * per_point, (792 - 420) * per_point)  # GL limits column
    ImageDraw.Draw(image).rectangle(box, fill=40)
    out = io.BytesIO()
    image.save(out, "PNG")
    got = extract(out.getvalue(), "blotted.png").to_dict()
    assert got["ok"] is True and got["needs_review"] is True
    _assert_no_confident_misread(got, made.truth)
    gl = next(p for p in got["policies"] if p["line"] == "general_liability")
    assert gl["limits"].get("each_occurrence") is None
