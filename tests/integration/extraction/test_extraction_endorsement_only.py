"""Endorsement pages sent as their own file are read as evidence, and combine with the certificate."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader, PdfWriter

from fixtures.certgen import generate
from integration.compliance.evaluate import evaluate
from integration.compliance.tiers import company_default
from integration.extraction import extract


def split(pdf: bytes) -> tuple[bytes, bytes]:
    """The first page (the certificate) and the rest (its endorsements) as two PDFs."""
    reader, parts = PdfReader(io.BytesIO(pdf)), []
    for pages in (reader.pages[:1], reader.pages[1:]):
        writer, out = PdfWriter(), io.BytesIO()
        for page in pages:
            writer.add_page(page)
        writer.write(out)
        parts.append(out.getvalue())
    return parts[0], parts[1]


def test_an_endorsement_only_pdf_is_evidence_not_a_failure():
    document = generate(11, "flattened", endorsements=3)
    _, endorsements = split(document.data)
    result = extract(endorsements, "endorsements.pdf").to_dict()
    assert result["ok"] is True and result["policies"] == [] and result["needs_review"] is False
    expected = sorted(e["form"] for e in document.truth["endorsements"])
    assert sorted(e["form"] for e in result["endorsements"]) == expected


def test_certificate_and_separate_endorsements_combine_like_one_file():
    document = generate(11, "flattened", endorsements=3)
    certificate, endorsements = split(document.data)
    today = date.fromisoformat(document.truth["policies"][0]["effective_date"])
    together = evaluate([extract(document.data, "coi.pdf")], company_default(), None, today)
    apart = evaluate([extract(certificate, "coi.pdf"), extract(endorsements, "endorsements.pdf")],
                     company_default(), None, today)
    assert {g.code for g in apart.open_gaps()} == {g.code for g in together.open_gaps()}


def test_a_pdf_with_neither_certificate_nor_endorsements_is_still_refused():
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(612, 792)
    writer.write(out)
    result = extract(out.getvalue(), "blank.pdf").to_dict()
    assert result["ok"] is False and "not a certificate" in result["error"]
