"""Intake rules for a submission of certificate files, judged from the bytes alone (no storage here)."""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass, field

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from integration.refusals import Refusal

MAX_FILES = 6
MAX_BYTES = 25 * 1024 * 1024
MAX_PAGES = 30
# The one pixel limit: intake refuses larger images, and the reader decodes (and scales down) up to it.
MAX_IMAGE_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; a decompression bomb does not
MAX_PAGE_POINTS = 5_000.0  # about 69 inches; real certificates are letter or A4
MAX_NAME_CHARS = 120
KINDS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}
# Unicode categories never kept in a file name: controls (NUL among them), format characters (bidi
# overrides and isolates, zero-width marks), surrogates, private use, unassigned, line/paragraph separators.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by IHDR colour type
DEFLATE_MAX_RATIO = 1032  # deflate cannot shrink data further than this


def clean_filename(raw: str) -> str:
    """The name Gapline uses for a file: no folders, no control or bidi characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(" " if ch.isspace() else ch for ch in name
                   if ch.isspace() or unicodedata.category(ch) not in UNSAFE_CATEGORIES)
    name = " ".join(kept.split()).strip(" .")
    if len(name) > MAX_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        keep = f"{dot}{extension}" if dot and 0 < len(extension) <= 8 else ""
        name = name[:MAX_NAME_CHARS - len(keep)].rstrip(" .") + keep
    return name or "document"


def shown_name(raw: str) -> str:
    """The name as uploaded, for display only: unsafe characters written out (``\\u202e``), at most 500 characters."""
    shown = "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in UNSAFE_CATEGORIES else ch for ch in raw)
    return shown if len(shown) <= 500 else shown[:499] + "…"


@dataclass(frozen=True)
class IncomingFile:
    """A file as uploaded: its name, cleaned on the way in (``original`` keeps the uploaded one), and its bytes."""

    name: str
    data: bytes
    original: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "original", self.original or self.name)
        object.__setattr__(self, "name", clean_filename(self.name))


@dataclass(frozen=True)
class AcceptedFile:
    """A file that passed intake, with the type read from its bytes and its SHA-256."""

    name: str
    kind: str  # "pdf" | "jpeg" | "png"
    size: int
    sha256: str
    pages: int
    data: bytes
    original: str = ""  # the name as uploaded, for display only


class IntakeError(Refusal, ValueError):
    """A refused file: which file, which rule, and a message for the person who uploaded it."""

    def __init__(self, file: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.file, self.rule = file, rule


def sniff(data: bytes) -> str | None:
    """The file type from its magic number: "pdf", "jpeg", "png", or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if b"%PDF-" in data[:1024]:  # the PDF spec tolerates a little junk before the header
        return "pdf"
    return None


def check_submission(files: list[IncomingFile]) -> list[AcceptedFile]:
    """Accept 1 to 6 files, each passing `check_file`; raise IntakeError at the first refusal."""
    if not files:
        raise IntakeError("", "count", "a submission needs at least one file")
    if len(files) > MAX_FILES:
        name = files[MAX_FILES].name
        raise IntakeError(name, "count", f"{name}: a submission holds at most {MAX_FILES} files; this is file "
                                         f"{MAX_FILES + 1}")
    return [check_file(f) for f in files]


def check_file(file: IncomingFile) -> AcceptedFile:
    """Accept one PDF, JPEG or PNG of at most 25 MB that opens cleanly and is not a decompression bomb."""
    return accept(file)[0]


def accept(file: IncomingFile) -> tuple[AcceptedFile, PdfReader | None]:
    """`check_file`, with the PDF's reader as the checks left it (decrypted, its objects parsed) for reading it on:
    opening and decrypting a PDF once is enough."""
    name, data = file.name, file.data
    if not data:
        raise IntakeError(name, "empty", f"{name}: the file is empty")
    if len(data) > MAX_BYTES:
        raise IntakeError(name, "size", f"{name}: {len(data) / 1048576:.1f} MB is over the limit of "
                                        f"{MAX_BYTES // 1048576} MB")
    kind = sniff(data)
    if kind is None:
        raise IntakeError(name, "type", f"{name}: the content is not a PDF, JPEG or PNG (whatever its name says)")
    reader = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # malformed files warn before they fail; the refusal says it better
        if kind == "pdf":
            pages, reader = _check_pdf(name, data)
        else:
            pages = _check_image(name, data, kind)
    return AcceptedFile(name, kind, len(data), hashlib.sha256(data).hexdigest(), pages, data, file.original), reader


def _check_pdf(name: str, data: bytes) -> tuple[int, PdfReader]:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # An owner password alone (the user password empty) restricts editing, not reading: every viewer opens it.
        encrypted = reader.is_encrypted and not reader.decrypt("")
        count = 0 if encrypted else len(reader.pages)
    except Exception as exc:  # pypdf raises many types for broken files; all mean the same to the uploader
        raise IntakeError(name, "corrupt", f"{name}: the PDF is damaged and cannot be read") from exc
    if encrypted:
        raise IntakeError(name, "encrypted", f"{name}: the PDF is encrypted or password-protected; upload an "
                                             f"unprotected copy")
    if count == 0:
        raise IntakeError(name, "corrupt", f"{name}: the PDF has no pages")
    if count > MAX_PAGES:
        raise IntakeError(name, "pages", f"{name}: {count} pages is over the limit of {MAX_PAGES}")
    if _may_act(data):
        _check_active_content(name, reader)
    for number, page in enumerate(reader.pages, start=1):
        try:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
        except Exception as exc:
            raise IntakeError(name, "corrupt", f"{name}: page {number} has no readable size") from exc
        if not (0 < abs(width) <= MAX_PAGE_POINTS and 0 < abs(height) <= MAX_PAGE_POINTS):
            raise IntakeError(name, "page_size", f"{name}: page {number} measures {width:g} x {height:g} points, "
                                                 f"outside 1-{MAX_PAGE_POINTS:g}")
    return count, reader


# Names an object needs to launch a program or attach a file. Dictionaries are never compressed except in
# object streams, and a name may hide its letters only as #xx escapes: without these, no object can act.
ACTIVE_NAMES = (b"/Launch", b"/EmbeddedFile", b"/EF", b"/Filespec", b"/ObjStm")
ESCAPED_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]*#[0-9A-Fa-f]{2}")


def _may_act(data: bytes) -> bool:
    """False when the raw bytes show that no object of the PDF can launch or attach (the object walk is slow)."""
    return any(token in data for token in ACTIVE_NAMES) or ESCAPED_NAME.search(data) is not None


def _check_active_content(name: str, reader: PdfReader) -> None:
    """Refuse a PDF that launches programs or carries attached files; certificates never need either.

    Scripts are let through: real fillable ACORD forms carry them (date and number formats, a script
    run on open), and Gapline never runs them. It reads the text, renders its own page images, and
    offers the original only as a download.
    """
    numbers = {(number, generation) for generation, entries in reader.xref.items() for number in entries}
    numbers |= {(number, 0) for number in reader.xref_objStm}
    for number, generation in sorted(numbers):
        try:
            found = list(_dictionaries(reader.get_object(IndirectObject(number, generation, reader))))
        except Exception:  # a broken object cannot act; the page checks above found the document readable
            continue
        for entry in found:
            if entry.get("/S") == "/Launch":
                raise IntakeError(name, "active", f"{name}: the PDF would launch a program; upload a plain copy "
                                                  "(print it to PDF)")
            if entry.get("/Type") == "/Filespec" and "/EF" in entry:
                raise IntakeError(name, "active", f"{name}: the PDF carries attached files; upload the certificate "
                                                  "alone (print it to PDF)")


def _dictionaries(obj):
    """``obj`` and the dictionaries written inside it (objects it only refers to are visited on their own)."""
    if isinstance(obj, DictionaryObject):
        yield obj
        children = obj.values()
    elif isinstance(obj, ArrayObject):
        children = obj
    else:
        return
    for child in children:
        if not isinstance(child, IndirectObject):
            yield from _dictionaries(child)


def _check_image(name: str, data: bytes, kind: str) -> int:
    label = KINDS[kind]
    try:
        with Image.open(io.BytesIO(data)) as img:  # reads the header only
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise IntakeError(name, "pixels", f"{name}: the {label} is {width}x{height} pixels, over the limit "
                                                  f"of {MAX_IMAGE_PIXELS:,} (a decompression bomb?)")
            _check_declared_size(name, kind, data, width, height)
            if kind == "jpeg":
                img.draft("L", (max(1, width // 8), max(1, height // 8)))  # decode at 1/8 scale: cheap but complete
                img.load()
            else:
                img.verify()
    except IntakeError:
        raise
    except Image.DecompressionBombError as exc:
        raise IntakeError(name, "pixels", f"{name}: the {label} has more pixels than can be decoded safely "
                                          f"(limit {MAX_IMAGE_PIXELS:,}; a decompression bomb?)") from exc
    except Exception as exc:
        raise IntakeError(name, "corrupt", f"{name}: the {label} is damaged and cannot be read") from exc
    return 1


def _check_declared_size(name: str, kind: str, data: bytes, width: int, height: int) -> None:
    """Refuse an image whose header claims more pixels than its bytes can hold (decoders pad the rest silently)."""
    if kind == "jpeg":  # every 8x8 block costs at least one bit, even in a progressive scan of a blank page
        least = math.ceil(width / 8) * math.ceil(height / 8) / 8
    else:
        bit_depth, colour = struct.unpack(">BB", data[24:26])
        row = 1 + math.ceil(width * bit_depth * PNG_CHANNELS.get(colour, 1) / 8)
        least = height * row / DEFLATE_MAX_RATIO
    if len(data) < least:
        raise IntakeError(name, "truncated", f"{name}: the {KINDS[kind]} says it is {width}x{height} pixels, but its "
                                             f"{len(data):,} bytes cannot hold that many; it is cut short or damaged")
