"""Files that break intake rules, built in memory for the refusal tests."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image
from pypdf import PdfWriter


def pdf(pages: int = 1, size: tuple[float, float] = (612, 792)) -> bytes:
    """A valid PDF of blank pages."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(*size)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A password-protected PDF."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg() -> bytes:
    """A small valid JPEG."""
    out = io.BytesIO()
    Image.new("L", (80, 100), 255).save(out, "JPEG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims huge dimensions but carries almost no data: the shape of a decompression bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body
