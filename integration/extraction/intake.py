"""Intake rules for a submission of certificate files, judged from the bytes alone (no storage here)."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfReader

from integration.refusals import Refusal

MAX_FILES = 6
MAX_BYTES = 25 * 1024 * 1024
MAX_PAGES = 30
MAX_IMAGE_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; a decompression bomb does not
MAX_PAGE_POINTS = 5_000.0  # about 69 inches; real certificates are letter or A4
KINDS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}


@dataclass(frozen=True)
class IncomingFile:
    """A file as uploaded: its name (shown in messages only) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class AcceptedFile:
    """A file that passed intake, with the type read from its bytes and its SHA-256."""

    name: str
    kind: str  # "pdf" | "jpeg" | "png"
    size: int
    sha256: str
    pages: int
    data: bytes


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
    name, data = file.name, file.data
    if not data:
        raise IntakeError(name, "empty", f"{name}: the file is empty")
    if len(data) > MAX_BYTES:
        raise IntakeError(name, "size", f"{name}: {len(data) / 1048576:.1f} MB is over the limit of "
                                        f"{MAX_BYTES // 1048576} MB")
    kind = sniff(data)
    if kind is None:
        raise IntakeError(name, "type", f"{name}: the content is not a PDF, JPEG or PNG (whatever its name says)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # malformed files warn before they fail; the refusal says it better
        pages = _check_pdf(name, data) if kind == "pdf" else _check_image(name, data, kind)
    return AcceptedFile(name, kind, len(data), hashlib.sha256(data).hexdigest(), pages, data)


def _check_pdf(name: str, data: bytes) -> int:
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
    for number, page in enumerate(reader.pages, start=1):
        try:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
        except Exception as exc:
            raise IntakeError(name, "corrupt", f"{name}: page {number} has no readable size") from exc
        if not (0 < abs(width) <= MAX_PAGE_POINTS and 0 < abs(height) <= MAX_PAGE_POINTS):
            raise IntakeError(name, "page_size", f"{name}: page {number} measures {width:g} x {height:g} points, "
                                                 f"outside 1-{MAX_PAGE_POINTS:g}")
    return count


def _check_image(name: str, data: bytes, kind: str) -> int:
    label = KINDS[kind]
    try:
        with Image.open(io.BytesIO(data)) as img:  # reads the header only
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise IntakeError(name, "pixels", f"{name}: the {label} is {width}x{height} pixels, over the limit "
                                                  f"of {MAX_IMAGE_PIXELS:,} (a decompression bomb?)")
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
