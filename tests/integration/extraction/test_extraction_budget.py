"""Files that overrun their budget, or are not certificates, end as ok:false with a clear error."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from fixtures.certgen import generate
from integration.extraction import Budget, extract
from integration.extraction.pipeline import NOT_A_CERTIFICATE
from integration.extraction.scoring import score


@pytest.fixture(scope="module")
def scan() -> bytes:
    """A small scanned certificate."""
    return generate(7, "scanned", image_format="jpeg", dpi=150).data


def _failed(doc: dict) -> str:
    assert doc["ok"] is False and doc["policies"] == [] and doc["needs_review"] is True
    return doc["error"]


def test_time_budget_overrun(scan):
    assert "time budget of 0.05 s exceeded" in _failed(extract(scan, "slow.jpg", Budget(seconds=0.05)).to_dict())


def test_ocr_call_timeout(scan):
    error = _failed(extract(scan, "slow.jpg", Budget(ocr_call_seconds=0.01)).to_dict())
    assert "an OCR call took longer than its 0.01 s budget" in error


def test_a_photo_over_the_pixel_limit_is_scaled_down_and_read():
    made = generate(9, "scanned", image_format="jpeg", dpi=300)  # 2550 x 3300: 8.4 MP
    doc = extract(made.data, "photo.jpg", Budget(max_pixels=4_000_000)).to_dict()
    assert doc["ok"] is True and doc["method"] == "ocr"
    assert score(doc, made.truth).silent == []


def test_rendered_pages_are_capped_by_lowering_the_resolution():
    made = generate(8, "scanned", image_format="pdf", dpi=150)
    doc = extract(made.data, "scan.pdf", Budget(max_pixels=2_000_000)).to_dict()  # 300 dpi would need 8.4 MP
    assert doc["ok"] is True and doc["method"] == "ocr"


def test_a_pdf_that_is_not_a_certificate():
    out = io.BytesIO()
    c = Canvas(out)
    c.drawString(72, 720, "Dear subcontractor, please find our invoice attached.")
    c.save()
    assert _failed(extract(out.getvalue(), "letter.pdf").to_dict()) == NOT_A_CERTIFICATE


def test_a_blank_photo_is_not_a_certificate():
    out = io.BytesIO()
    Image.new("L", (850, 1100), 250).save(out, "PNG")
    assert _failed(extract(out.getvalue(), "blank.png").to_dict()) == NOT_A_CERTIFICATE


def test_wrong_type_and_missing_files_are_reported_not_raised(tmp_path):
    assert "not a PDF, JPEG or PNG" in _failed(extract(b"MZ\x90\x00 an executable", "cert.pdf").to_dict())
    assert "no such file" in _failed(extract(tmp_path / "absent.pdf").to_dict())
