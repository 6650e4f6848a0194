"""Intake: every rule a submission can break, each refusal naming the file and the rule."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfWriter

from fixtures.certgen import generate
from integration.extraction.intake import MAX_BYTES, IncomingFile, IntakeError, check_file, check_submission, sniff
from tests.bad_files import jpeg as _jpeg
from tests.bad_files import pdf as _pdf
from tests.bad_files import png_header_only as _png_header_only


def _refusal(file: IncomingFile) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        check_file(file)
    assert file.name in caught.value.message
    return caught.value


def test_accepts_pdf_jpeg_and_png_with_checksums():
    scan = generate(1, "scanned", image_format="png", dpi=72).data
    files = [IncomingFile("a.pdf", _pdf()), IncomingFile("b.jpg", _jpeg()), IncomingFile("c.png", scan)]
    accepted = check_submission(files)
    assert [a.kind for a in accepted] == ["pdf", "jpeg", "png"]
    assert accepted[0].sha256 == hashlib.sha256(files[0].data).hexdigest()
    assert accepted[0].pages == 1 and accepted[1].size == len(files[1].data)


def test_the_type_comes_from_the_bytes_not_the_name():
    assert check_file(IncomingFile("certificate.pdf", _jpeg())).kind == "jpeg"
    assert sniff(b"junk before the header %PDF-1.7") == "pdf"


def test_a_seventh_file_is_refused():
    files = [IncomingFile(f"f{i}.pdf", _pdf()) for i in range(7)]
    with pytest.raises(IntakeError) as caught:
        check_submission(files)
    assert (caught.value.rule, caught.value.file) == ("count", "f6.pdf")
    assert "at most 6" in caught.value.message


def test_an_empty_submission_is_refused():
    with pytest.raises(IntakeError, match="at least one"):
        check_submission([])


def test_an_oversized_file_is_refused():
    error = _refusal(IncomingFile("big.pdf", b"%PDF-1.7\n" + b"0" * MAX_BYTES))
    assert error.rule == "size" and "25 MB" in error.message


def test_an_empty_file_is_refused():
    assert _refusal(IncomingFile("empty.pdf", b"")).rule == "empty"


@pytest.mark.parametrize("data", [b"hello, I am text", b"GIF89a....", b"PK\x03\x04 a zip"])
def test_a_pdf_name_with_other_bytes_is_refused(data):
    error = _refusal(IncomingFile("looks-fine.pdf", data))
    assert error.rule == "type" and "not a PDF, JPEG or PNG" in error.message


def test_an_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    error = _refusal(IncomingFile("locked.pdf", out.getvalue()))
    assert error.rule == "encrypted" and "password" in error.message


@pytest.mark.parametrize("data", [b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF", b"%PDF-1.4\n\x00\x01\x02garbage"])
def test_a_corrupt_pdf_is_refused(data):
    assert _refusal(IncomingFile("broken.pdf", data)).rule == "corrupt"


def test_a_corrupt_jpeg_is_refused():
    assert _refusal(IncomingFile("broken.jpg", _jpeg()[:40])).rule == "corrupt"


def test_too_many_pages_are_refused():
    error = _refusal(IncomingFile("long.pdf", _pdf(pages=31)))
    assert error.rule == "pages" and "31 pages" in error.message


def test_an_absurd_page_size_is_refused():
    assert _refusal(IncomingFile("poster.pdf", _pdf(size=(14400, 14400)))).rule == "page_size"


@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (100_000, 100_000)])
def test_a_decompression_bomb_is_refused_without_decoding(width, height):
    error = _refusal(IncomingFile("bomb.png", _png_header_only(width, height)))
    assert error.rule == "pixels" and "decompression bomb" in error.message
