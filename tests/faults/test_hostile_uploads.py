"""Hostile uploads through the staff upload page: each is refused whole or stored clean, never half-written.

Every case counts the rows of every table and the files in storage before and after, on SQLite and
on PostgreSQL (where a NUL in a file name used to end the request in a 500).
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from integration.extensions import db
from integration.extraction.intake import MAX_BYTES, MAX_FILES
from integration.models import Base, StoredFile
from tests import bad_files, factories
from tests.conftest import signed_in
from tests.faults import hostile_files as hostile

COMPANY = 4401
PDF = hostile.CERTIFICATE


def table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables}


def storage_count(app) -> int:
    root = Path(app.config["GAPLINE"].storage_path)
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def post(client, vendor_id: int, files: list[tuple[str, bytes]]):
    """Upload as an attacker would: names sent exactly (RFC 5987 encoding carries NUL, CR, LF and quotes)."""
    boundary = "hostile-boundary-7d1f"
    def filename(name: str) -> str:  # an empty file input sends filename="", as browsers do
        return f"filename*=UTF-8''{quote(name, safe='')}" if name else 'filename=""'

    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="files"; {filename(name)}\r\n'
             "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n" for name, content in files]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.post(f"/procore/companies/{COMPANY}/vendors/{vendor_id}/documents", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def world(database):
    company = factories.company(COMPANY)
    db.session.commit()
    return company


REFUSED = {
    "empty": (lambda: [("coi.pdf", b"")], "coi.pdf: the file is empty"),
    "whitespace only": (lambda: [("coi.pdf", b" \n\t " * 100)], "not a PDF, JPEG or PNG"),
    "truncated pdf": (lambda: [("half.pdf", hostile.truncated(PDF))], "half.pdf: the PDF is damaged"),
    "truncated jpeg": (lambda: [("cut.jpg", bad_files.jpeg()[:40])], "cut.jpg: the JPEG is damaged"),
    "png without its end": (lambda: [("cut.png", hostile.png_without_end())], "cut.png: the PNG is damaged"),
    "encrypted pdf": (lambda: [("locked.pdf", bad_files.encrypted_pdf())], "encrypted or password-protected"),
    "pdf launching a program": (lambda: [("run.pdf", bad_files.pdf_that_launches())], "would launch a program"),
    "pdf with an attached program": (lambda: [("att.pdf", bad_files.pdf_with_attachment())], "attached files"),
    "pdf without pages": (lambda: [("none.pdf", hostile.pdf_without_pages())], "the PDF has no pages"),
    "pdf of 31 pages": (lambda: [("long.pdf", bad_files.pdf(pages=31))], "31 pages is over the limit of 30"),
    "poster-sized page": (lambda: [("poster.pdf", bad_files.pdf(size=(14400, 14400)))], "outside 1-5000"),
    "png decompression bomb": (lambda: [("bomb.png", bad_files.png_header_only(30_000, 30_000))],
                               "decompression bomb"),
    "png claiming more than it holds": (lambda: [("lie.png", hostile.deflate_bomb_png())], "cannot hold that many"),
    "jpeg claiming 7000x7000 over 16x16": (lambda: [("lie.jpg", bad_files.lying_jpeg())], "cannot hold that many"),
    "zip bomb named .pdf": (lambda: [("coi.pdf", hostile.zip_bomb())], "not a PDF, JPEG or PNG"),
    "word file named .pdf": (lambda: [("coi.pdf", b"PK\x03\x04" + b"\0" * 200)], "not a PDF, JPEG or PNG"),
    "program named .pdf": (lambda: [("coi.pdf", b"MZ\x90\x00" + b"\0" * 500)], "not a PDF, JPEG or PNG"),
    "html named .pdf": (lambda: [("coi.pdf", b"<html><script>alert(1)</script></html>")], "not a PDF"),
    "svg named .png": (lambda: [("coi.png", hostile.svg_named_png())], "not a PDF, JPEG or PNG"),
    "gif named .png": (lambda: [("coi.png", hostile.image("GIF"))], "not a PDF, JPEG or PNG"),
    "bmp named .jpg": (lambda: [("coi.jpg", hostile.image("BMP"))], "not a PDF, JPEG or PNG"),
    "tiff named .pdf": (lambda: [("coi.pdf", hostile.image("TIFF"))], "not a PDF, JPEG or PNG"),
    "webp named .jpg": (lambda: [("coi.jpg", hostile.image("WEBP"))], "not a PDF, JPEG or PNG"),
    "compressed noise": (lambda: [("coi.pdf", hostile.zlib_junk())], "not a PDF, JPEG or PNG"),
    "one file over 25 MB": (lambda: [("big.pdf", PDF + b"\0" * MAX_BYTES)], "over the limit of 25 MB"),
    "too many files": (lambda: [(f"c{n}.pdf", PDF) for n in range(MAX_FILES + 1)], "at most 6 files"),
    "a good file beside a bad one": (lambda: [("good.pdf", PDF), ("bad.pdf", b"%PDF-1.7 junk")], "bad.pdf"),
    "no file at all": (lambda: [("", PDF)], "at least one file"),
    "a bad file with a nul in its name": (lambda: [("bad\x00.pdf", b"junk")], "bad.pdf: the content is not"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_hostile_upload_is_refused_whole_and_writes_nothing(database, world, case):
    build, message = REFUSED[case]
    client = signed_in(database, world["admin"])
    rows, files = table_counts(), storage_count(database)
    response = post(client, world.vendor.id, build())
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was uploaded" in page and message in html.unescape(page), page
    assert table_counts() == rows and storage_count(database) == files


ACCEPTED = {
    "nul in the name": (lambda: [("coi\x00.pdf", PDF)], ["coi.pdf"], "coi\\u0000.pdf"),
    "right-to-left override": (lambda: [("invoice\u202efdp.exe", PDF)], ["invoicefdp.exe"],
                               "invoice\\u202efdp.exe"),
    "bidi isolates": (lambda: [("\u2066a\u2069b.pdf", PDF)], ["ab.pdf"], "\\u2066a\\u2069b.pdf"),
    "control characters": (lambda: [("\x1b[2Jcoi\x07.pdf", PDF)], ["[2Jcoi.pdf"], "\\u001b[2Jcoi\\u0007.pdf"),
    "zero-width characters": (lambda: [("c\u200bo\u200di.pdf", PDF)], ["coi.pdf"], "c\\u200bo\\u200di.pdf"),
    "a 10,000-character name": (lambda: [("x" * 10_000 + ".pdf", PDF)], ["x" * 116 + ".pdf"], "x" * 499 + "…"),
    "header injection in the name": (lambda: [('a"; filename=evil.html\r\nX-Evil: 1.pdf', PDF)],
                                     ['a"; filename=evil.html X-Evil: 1.pdf'],
                                     'a"; filename=evil.html\\u000d\\u000aX-Evil: 1.pdf'),
    "markup in the name": (lambda: [("<img src=x onerror=alert(1)>.pdf", PDF)],
                           ["<img src=x onerror=alert(1)>.pdf"], None),
    "a path in the name": (lambda: [("../../../etc/cron.d/coi.pdf", PDF)], ["coi.pdf"], "../../../etc/cron.d/coi.pdf"),
    "a name of control characters only": (lambda: [("\x00\x01\x7f", PDF)], ["document"], "\\u0000\\u0001\\u007f"),
    "a name outside ASCII": (lambda: [("证书 ✓.pdf", PDF)], ["证书 ✓.pdf"], None),
    "html before the pdf (polyglot)": (lambda: [("poly.pdf", hostile.html_then_pdf())], ["poly.pdf"], None),
    "a zip after the pdf (polyglot)": (lambda: [("poly.pdf", hostile.pdf_then_zip())], ["poly.pdf"], None),
    "a zip after a jpeg (polyglot)": (lambda: [("photo.jpg", hostile.jpeg_then_zip())], ["photo.jpg"], None),
    "a pdf with a script": (lambda: [("form.pdf", bad_files.pdf_with_script())], ["form.pdf"], None),
    "a png named .pdf": (lambda: [("scan.pdf", hostile.image("PNG", (400, 300)))], ["scan.pdf"], None),
}


@pytest.mark.parametrize("case", ACCEPTED)
def test_a_hostile_name_or_polyglot_is_stored_clean_and_served_only_as_a_download(database, world, case):
    build, names, original = ACCEPTED[case]
    files = build()
    client = signed_in(database, world["admin"])
    rows, stored_files = table_counts(), storage_count(database)
    assert post(client, world.vendor.id, files).status_code == 303
    after = table_counts()
    assert after["submissions"] == rows["submissions"] + 1
    assert after["stored_files"] == rows["stored_files"] + len(files)
    assert after["certificates"] == rows["certificates"] + len(files)  # read, well or not
    assert storage_count(database) == stored_files + len(files)
    stored = db.session.scalars(select(StoredFile).order_by(StoredFile.id)).all()[-len(files):]
    assert [s.filename for s in stored] == names and stored[0].original_filename == original
    page = client.get(f"/procore/companies/{COMPANY}/vendors/{world.vendor.id}").get_data(as_text=True)
    assert "<img src=x" not in page and "\u202e" not in page and "\x00" not in page  # escaped, cleaned
    download = client.get(f"/procore/companies/{COMPANY}/files/{stored[0].id}")
    assert download.data == files[0][1] and download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
    assert download.mimetype in ("application/pdf", "image/jpeg", "image/png")


def test_the_same_file_twice_in_one_upload_is_kept_once(database, world):
    client = signed_in(database, world["admin"])
    rows, stored_files = table_counts(), storage_count(database)
    post(client, world.vendor.id, [("one.pdf", PDF), ("two.pdf", PDF)])
    after = table_counts()
    assert (after["submissions"], after["stored_files"]) == (rows["submissions"] + 1, rows["stored_files"] + 2)
    assert storage_count(database) == stored_files + 1
    first, second = db.session.scalars(select(StoredFile).order_by(StoredFile.id)).all()[-2:]
    assert second.duplicate_of_id == first.id


def test_the_hostile_catalogue_is_at_least_thirty_uploads():
    assert len(REFUSED) + len(ACCEPTED) + 1 >= 30
