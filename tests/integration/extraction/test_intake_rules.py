"""Intake: every rule a submission can break, each refusal naming the file and the rule."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfWriter

from fixtures.certgen import generate
from integration.extraction.budget import Budget, Clock
from integration.extraction.intake import (
    MAX_BYTES,
    MAX_IMAGE_PIXELS,
    IncomingFile,
    IntakeError,
    check_file,
    check_submission,
    clean_filename,
    shown_name,
    sniff,
)
from tests import bad_files
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


@pytest.mark.parametrize(("raw", "clean"), [
    ("coi\x00.pdf", "coi.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override shows this as "invoiceexe.pdf"
    ("\u2066policy\u2069 2026.pdf", "policy 2026.pdf"),
    ("\x1b[31mred\x07.pdf", "[31mred.pdf"),
    ("c\u200bo\u200di.pdf", "coi.pdf"),
    ("coi\r\nContent-Disposition: inline.pdf", "coi Content-Disposition: inline.pdf"),  # no header injection
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\dana\\coi.pdf", "coi.pdf"),
    ("\x00\x01\x02", "document"),
    ("..", "document"),
    ("证书 ✓.pdf", "证书 ✓.pdf"),
    ("  spaced   out  .pdf ", "spaced out .pdf"),
])
def test_file_names_are_cleaned_on_the_way_in(raw, clean):
    file = IncomingFile(raw, b"")
    assert (file.name, file.original) == (clean, raw)


def test_a_long_name_is_capped_and_keeps_its_extension():
    name = clean_filename("a" * 10_000 + ".pdf")
    assert len(name) == 120 and name.endswith("aaa.pdf")


def test_the_original_name_is_kept_for_display_with_invisible_characters_written_out():
    assert shown_name("invoice\u202efdp.exe") == "invoice\\u202efdp.exe"
    assert shown_name("coi\x00.pdf") == "coi\\u0000.pdf" and "\x00" not in shown_name("coi\x00.pdf")
    assert len(shown_name("x" * 5000)) == 500


def test_there_is_one_pixel_limit_and_a_48_megapixel_photo_is_within_it():
    assert Budget().max_pixels == MAX_IMAGE_PIXELS  # the reader decodes whatever intake lets in
    photo = IncomingFile("phone.jpg", bad_files.big_jpeg(8000, 6000))
    assert check_file(photo).kind == "jpeg"
    Clock(Budget()).check_pixels(8000, 6000, "image")  # and the reader will not refuse it


def test_an_image_over_the_pixel_limit_is_refused_by_name():
    error = _refusal(IncomingFile("huge.png", _png_header_only(8000, 7000)))
    assert error.rule == "pixels" and f"over the limit of {MAX_IMAGE_PIXELS:,}" in error.message


@pytest.mark.parametrize("build", [bad_files.lying_jpeg, bad_files.lying_png])
def test_an_image_claiming_more_pixels_than_its_bytes_hold_is_refused(build):
    error = _refusal(IncomingFile("lying.img", build()))
    assert error.rule == "truncated" and "says it is 7000x7000 pixels" in error.message


@pytest.mark.parametrize(("build", "says"), [(bad_files.pdf_that_launches, "would launch a program"),
                                             (bad_files.pdf_that_launches_behind_escapes, "would launch a program"),
                                             (bad_files.pdf_with_attachment, "carries attached files")])
def test_a_pdf_that_launches_programs_or_carries_files_is_refused(build, says):
    error = _refusal(IncomingFile("active.pdf", build()))
    assert error.rule == "active" and says in error.message


def test_a_pdf_with_a_script_is_accepted_like_real_fillable_forms():
    assert check_file(IncomingFile("form.pdf", bad_files.pdf_with_script())).pages == 1
