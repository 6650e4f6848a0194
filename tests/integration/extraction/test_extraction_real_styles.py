"""Certificates as real issuing systems, PDF tools and scanners produce them, drawn by the generator."""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from fixtures.certgen import generate
from fixtures.certgen.marks import Style
from integration.extraction import extract
from integration.extraction.orient import upright_guess
from integration.extraction.pdfwords import page_strokes
from integration.extraction.pipeline import NOT_A_CERTIFICATE
from integration.extraction.scoring import score


def _read(made) -> dict:
    return extract(made.data, made.filename).to_dict()


def _exact(made, method: str) -> dict:
    got = _read(made)
    result = score(got, made.truth)
    assert got["ok"] is True and got["method"] == method, got["error"]
    assert result.flagged == result.silent == [], made.filename
    assert [p["line"] for p in got["policies"]] == [p["line"] for p in made.truth["policies"]]
    return got


@pytest.mark.parametrize("variant", ["fillable", "flattened"])
def test_an_owner_password_pdf_with_an_empty_user_password_is_opened(variant):
    made = generate(21, variant, style=Style(owner_password=True))
    assert PdfReader(io.BytesIO(made.data)).is_encrypted
    _exact(made, "acroform" if variant == "fillable" else "text")


@pytest.mark.parametrize("tick", ["heavy", "stroke"])
def test_ticks_set_as_a_dingbat_or_drawn_as_strokes_are_read(tick):
    for seed in (22, 23, 24):
        made = generate(seed, "flattened", style=Style(tick=tick))
        got = _exact(made, "text")
        assert any(p["occurrence"] or p["any_auto"] or p["statutory"] for p in got["policies"])


def test_names_flush_with_the_box_edge_rows_off_their_widgets_and_an_account_code_line():
    for seed in (25, 26, 27):
        made = generate(seed, "flattened", style=Style(names="flush", rows="centred", holder_code=True))
        got = _exact(made, "text")
        assert got["certificate_holder"] == made.truth["certificate_holder"]
        assert got["named_insured"] == made.truth["named_insured"]


@pytest.mark.parametrize("edition", ["2014/01", "2010/05"])
def test_older_editions_are_recognised(edition):
    made = generate(28, "flattened", style=Style(edition=edition))
    got = _exact(made, "text")
    assert got["edition"] == made.truth["edition"] == f"ACORD 0025 {edition.replace('/', '-')}"


def test_a_line_appears_only_when_its_row_has_content():
    for seed in range(30, 36):
        made = generate(seed, "flattened", style=Style(rows="centred"))
        _exact(made, "text")


def test_a_document_that_is_not_an_acord_25_is_refused():
    out = io.BytesIO()
    c = Canvas(out)
    for i, line in enumerate(["RENTERS POLICY DECLARATIONS", "NAMED INSURED: Pat Doe", "COVERAGE A - PROPERTY",
                              "EACH OCCURRENCE $100,000", "POLICY NUMBER 12-AB-3456", "PERSONAL LIABILITY"]):
        c.drawString(72, 720 - 20 * i, line)
    c.showPage()
    c.save()
    got = extract(out.getvalue(), "declarations.pdf").to_dict()
    assert got["ok"] is False and got["error"] == NOT_A_CERTIFICATE and got["policies"] == []


@pytest.fixture(scope="module")
def turned_scans():
    """The same certificate fed 90, 180 and 270 degrees off, read once each."""
    made = [generate(40, "scanned", image_format="png", dpi=150, turn=turn) for turn in (90, 180, 270)]
    return [(m, _read(m)) for m in made]


def test_scans_fed_a_quarter_or_half_turn_off_are_turned_upright(turned_scans):
    sizes = {Image.open(io.BytesIO(m.data)).size for m, _ in turned_scans}
    assert len(sizes) == 2  # landscape for the quarter turns, portrait for the half turn
    for made, got in turned_scans:
        result = score(got, made.truth)
        assert got["ok"] is True and got["method"] == "ocr"
        assert result.accuracy >= 0.9 and result.silent == [], result.flagged


def test_which_way_up_a_scan_is_told_by_its_rules_alone():
    page = Image.open(io.BytesIO(generate(44, "scanned", image_format="png", dpi=150).data)).convert("L")
    assert upright_guess(page) is True
    assert upright_guess(page.rotate(180)) is False
    assert upright_guess(Image.new("L", page.size, 255)) is None  # nothing to tell by: Tesseract is asked


def test_a_page_rotate_flag_on_a_scanned_pdf_is_honoured():
    made = generate(41, "scanned", image_format="pdf", dpi=150, turn=270, page_rotate=True,
                    style=Style(names="flush", rows="centred", tick="heavy"))
    assert PdfReader(io.BytesIO(made.data)).pages[0].get("/Rotate") == 270
    got = _read(made)
    result = score(got, made.truth)
    assert got["ok"] is True and result.accuracy >= 0.9 and result.silent == [], result.flagged


def test_a_page_of_vector_outlines_is_rendered_and_read_by_ocr():
    made = generate(42, "flattened", style=Style(outlined=True))
    with pdfplumber.open(io.BytesIO(made.data)) as pdf:
        assert pdf.pages[0].extract_words() == [] and pdf.pages[0].images == []
    got = _read(made)
    result = score(got, made.truth)
    assert got["ok"] is True and got["method"] == "ocr"
    assert result.accuracy >= 0.95 and result.silent == [], result.flagged


def test_a_speckled_300_dpi_jpeg_at_quality_70_is_read_without_a_silent_misread():
    made = generate(43, "scanned", image_format="jpeg", dpi=300, speckle=True, jpeg_quality=70)
    got = _read(made)
    assert got["ok"] is True and score(got, made.truth).silent == []


def test_a_tick_drawn_inside_a_form_xobject_is_placed_on_the_page():
    out = io.BytesIO()
    c = Canvas(out, pagesize=(612, 792))
    c.beginForm("tick")
    c.line(0, 0, 8, 8)
    c.line(0, 8, 8, 0)
    c.endForm()
    c.saveState()
    c.translate(300, 500)  # a flattened checkbox: its appearance drawn where the box is
    c.doForm("tick")
    c.restoreState()
    c.showPage()
    c.save()
    doc = pypdfium2.PdfDocument(out.getvalue())
    strokes = page_strokes(doc[0])
    doc.close()
    # Its two lines, each within their width (1 pt) of where the page shows them: 300-308 across, 284-292 down.
    assert len(strokes) == 2
    assert all(abs(x0 - 300) < 1.5 and abs(x1 - 308) < 1.5 and abs(top - 284) < 1.5 and abs(bottom - 292) < 1.5
               for x0, top, x1, bottom in strokes)
