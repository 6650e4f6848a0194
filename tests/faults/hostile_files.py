"""Hostile uploads for the faults suite: lying names, lying headers, polyglots, bombs, active PDFs, junk."""

from __future__ import annotations

import functools
import io
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter

from fixtures.certgen import generate
from tests import bad_files

CERTIFICATE = generate(1, "fillable").data  # a real, readable certificate


@functools.cache
def zip_bomb() -> bytes:
    """A zip of 200 MB of zeros that compresses to about 200 KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (200 * 1024 * 1024))
    return out.getvalue()


def image(kind: str, size: tuple[int, int] = (64, 64)) -> bytes:
    """A small image in ``kind`` (GIF, BMP, TIFF, PNG, JPEG, WEBP)."""
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, kind)
    return out.getvalue()


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    """The first part of ``data``: an upload cut off mid-way."""
    return data[: int(len(data) * keep)]


def html_then_pdf() -> bytes:
    """An HTML page with a script, followed by a PDF: a polyglot a browser would render as HTML if sniffing."""
    return b"<html><script>alert(document.cookie)</script></html>\n" + CERTIFICATE


def pdf_then_zip() -> bytes:
    """A certificate with a zip archive appended (a valid PDF and a valid zip at once)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.js", "alert(1)")
    return CERTIFICATE + out.getvalue()


def jpeg_then_zip() -> bytes:
    """A JPEG with a zip appended."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("shell.php", "<?php system($_GET['c']); ?>")
    return bad_files.jpeg() + out.getvalue()


def pdf_without_pages() -> bytes:
    """A well-formed PDF whose page tree is empty."""
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def png_without_end() -> bytes:
    """A PNG cut before its image data ends (the IDAT chunk's CRC and IEND missing)."""
    data = image("PNG", (200, 200))
    return data[: data.find(b"IEND") - 12]


def deflate_bomb_png() -> bytes:
    """A PNG within the pixel limit whose data claims far more than it holds."""
    return bad_files.png_header_only(20_000, 2_000)


def svg_named_png() -> bytes:
    """An SVG with a script, named as a PNG."""
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def zlib_junk() -> bytes:
    """Compressed noise with no file header at all."""
    return zlib.compress(bytes(range(256)) * 100)
