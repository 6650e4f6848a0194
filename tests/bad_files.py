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


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_opening_with(action: str, key: str, value: str) -> bytes:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject(action), NameObject(key): TextStringObject(value)})
    return _written(writer)


def pdf_with_script() -> bytes:
    """A PDF that runs a script when opened (as real fillable ACORD forms do)."""
    return _pdf_opening_with("/JavaScript", "/JS", "app.alert('hello');")


def pdf_that_launches() -> bytes:
    """A PDF whose open action launches a program."""
    return _pdf_opening_with("/Launch", "/F", "calc.exe")


def pdf_that_launches_behind_escapes() -> bytes:
    """The launching PDF with the action's name spelled in #xx escapes (/L#61unch reads as /Launch)."""
    return pdf_that_launches().replace(b"/Launch", b"/L#61#75nch")


def pdf_with_attachment() -> bytes:
    """A PDF carrying an attached program."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_attachment("invoice.exe", b"MZ\x90\x00" + b"\0" * 60)
    return _written(writer)


def lying_jpeg(width: int = 7000, height: int = 7000) -> bytes:
    """A 16x16 JPEG whose header was rewritten to claim ``width`` x ``height``."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(out, "JPEG")
    data = out.getvalue()
    frame = data.find(b"\xff\xc0")  # start of frame: length, precision, then height and width
    return data[:frame + 5] + struct.pack(">HH", height, width) + data[frame + 9:]


def lying_png(width: int = 7000, height: int = 7000) -> bytes:
    """A PNG that claims ``width`` x ``height`` over a few bytes of pixels (within the pixel limit)."""
    return png_header_only(width, height)


def big_jpeg(width: int, height: int) -> bytes:
    """A real JPEG of ``width`` x ``height`` pixels (a phone photo's size)."""
    out = io.BytesIO()
    Image.new("L", (width, height), 240).save(out, "JPEG", quality=50)
    return out.getvalue()
