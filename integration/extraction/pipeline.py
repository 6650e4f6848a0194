"""extract(): read one certificate file into an ExtractedCertificate, trying the form, the text layer, then OCR."""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import replace
from pathlib import Path

import pypdfium2
import pypdfium2.raw
from PIL import Image, ImageOps
from pypdf import PdfReader

from integration.certificate import Endorsement, ExtractedCertificate, FieldSource
from integration.extraction.acroform import read_acroform
from integration.extraction.assemble import REVIEW_BELOW, assemble
from integration.extraction.budget import Budget, BudgetExceeded, Clock
from integration.extraction.endorsements import find_endorsements
from integration.extraction.fields import Readings
from integration.extraction.intake import MAX_BYTES, AcceptedFile, IncomingFile, IntakeError, accept
from integration.extraction.ocr import number_bands, read_bands, read_scan, scan_page
from integration.extraction.pdfwords import page_strokes, page_words
from integration.extraction.textlayer import read_text_page

log = logging.getLogger(__name__)
WORK_PIXELS = 12_000_000  # a letter page at 300 dpi is 8.4 MP: larger photos are decoded smaller, never refused
MAX_SCANNED_EXTRA_PAGES = 8  # image pages after the certificate read for endorsement numbers; the rest are skipped
NOT_A_CERTIFICATE = "no page matches the ACORD 25 layout (not a certificate, or too damaged to register)"


def extract(source: str | Path | bytes, filename: str | None = None, budget: Budget | None = None
            ) -> ExtractedCertificate:
    """Read one certificate (PDF, JPEG or PNG, as a path or bytes); failures come back as `ok: false` with `error`."""
    name = filename or (str(source) if not isinstance(source, bytes) else "upload")
    clock = Clock(budget or Budget())
    try:
        accepted, reader = accept(IncomingFile(name, _load(source, name)))
        accepted = replace(accepted, name=name)  # the caller's name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # odd-but-readable files warn; the result says what mattered
            return _pdf(accepted, reader, clock) if reader is not None else _image(accepted, clock)
    except IntakeError as exc:
        return ExtractedCertificate.unreadable(name, exc.message)
    except BudgetExceeded as exc:
        return ExtractedCertificate.unreadable(name, f"{name}: {exc}")
    except Exception:  # a reader library choking on a hostile file must not stop the batch
        log.warning("reading %s failed", name, exc_info=True)
        return ExtractedCertificate.unreadable(name, f"{name}: Gapline could not read this file; check it by hand")


def _load(source: str | Path | bytes, name: str) -> bytes:
    if isinstance(source, bytes):
        return source
    path = Path(source)
    if not path.is_file():
        raise IntakeError(name, "missing", f"{name}: no such file")
    if path.stat().st_size > MAX_BYTES:  # refuse before reading it into memory
        raise IntakeError(name, "size", f"{name}: over the limit of {MAX_BYTES // 1048576} MB")
    return path.read_bytes()


def _pdf(file: AcceptedFile, reader: PdfReader, clock: Clock) -> ExtractedCertificate:
    """A PDF, by `reader` as intake opened it (an owner password only, with an empty user password, removed)."""
    found = read_acroform(reader)
    method = "acroform"
    doc = pypdfium2.PdfDocument(file.data)  # forms are never initialised: no scripts, nothing drawn from fields
    try:
        texts = {number: _plain_text(doc[number - 1]) for number in range(1, len(doc) + 1)}
        if found is None:  # only a page with text can be read from its text layer
            found = _text_layer(doc, clock, [n for n, text in texts.items() if text], texts)
            method = "text"
        if found is None:
            return _scanned_pdf(doc, file.name, clock, texts)
    finally:
        doc.close()
    readings, page = found
    return _finish(file.name, readings, method, page, texts)


def _plain_text(page: pypdfium2.PdfPage) -> str:
    """A page's text, for form numbers and editions (the words' places are not needed for those)."""
    textpage = page.get_textpage()
    try:
        return " ".join(textpage.get_text_bounded().split())
    finally:
        textpage.close()


def _text_layer(doc: pypdfium2.PdfDocument, clock: Clock, numbers: list[int], texts: dict[int, str]
                ) -> tuple[Readings, int] | None:
    """The first of the pages `numbers` whose text layer registers as the form, read; its words' text kept."""
    for number in numbers:
        clock.remaining()
        page = doc[number - 1]
        words = page_words(page)
        if words and (readings := read_text_page(words, page_strokes(page))) is not None:
            texts[number] = " ".join(w[0] for w in words)
            return readings, number
    return None


def _scanned_pdf(doc: pypdfium2.PdfDocument, name: str, clock: Clock, texts: dict[int, str]) -> ExtractedCertificate:
    ocr_confidence: dict[int, float] = {}
    found = None
    bands: dict[int, list[Image.Image]] = {}  # the header and footer of each page that is not the certificate
    for number in range(1, len(doc) + 1):
        if texts.get(number) or (found is not None and number - found[1] > MAX_SCANNED_EXTRA_PAGES):
            continue  # a text page that did not register is not the certificate
        image = _render(doc[number - 1], clock)
        result = read_scan(image, clock) if found is None else None
        if result is not None:
            found, texts[number] = (result[0], number), result[1]
        else:  # endorsement pages, with or without a certificate
            bands[number] = number_bands(image)
    for number, (text, confidence) in read_bands(bands, clock).items():
        texts[number], ocr_confidence[number] = text, confidence
        if not find_endorsements([(number, text)]):  # no form number in the margins: the whole page is read
            texts[number], ocr_confidence[number] = scan_page(_render(doc[number - 1], clock), clock)
    if found is None:
        return _endorsements_only(name, texts, ocr_confidence)
    return _finish(name, found[0], "ocr", found[1], texts, ocr_confidence)


def _endorsements_only(name: str, texts: dict[int, str], ocr_confidence: dict[int, float]) -> ExtractedCertificate:
    """A document of endorsement pages alone (sent beside the certificate): evidence, with no policies."""
    found = find_endorsements(sorted(texts.items()))
    if not found:
        return ExtractedCertificate.unreadable(name, NOT_A_CERTIFICATE)
    pages, sources = _pages(found, ocr_confidence)
    confidence = min(source.confidence for source in sources.values())
    return ExtractedCertificate(name, method="ocr" if ocr_confidence else "text", confidence=confidence,
                                needs_review=confidence < REVIEW_BELOW, endorsements=pages, fields=sources)


def _render(page: pypdfium2.PdfPage, clock: Clock) -> Image.Image:
    """Render at the budget's resolution (or the page's scan's, if lower), lowered to keep under the pixel cap."""
    width, height = page.get_size()
    scale = min(clock.budget.render_dpi, _scanned_dpi(page) or clock.budget.render_dpi) / 72
    cap = (clock.budget.max_pixels / max(width * height * scale * scale, 1)) ** 0.5
    scale *= min(1.0, cap * 0.99)  # the renderer rounds sizes up
    clock.check_pixels(int(width * scale), int(height * scale), "rendered page")
    clock.remaining()
    return page.render(scale=scale, grayscale=True).to_pil().convert("L")


def _scanned_dpi(page: pypdfium2.PdfPage) -> float | None:
    """The resolution of the image filling the page, if it is a scan: rendering finer adds no detail."""
    width, height = page.get_size()
    for image in page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,), max_depth=1):
        left, bottom, right, top = image.get_bounds()
        if (right - left) * (top - bottom) >= 0.8 * width * height:
            return max(image.get_px_size()) / max(right - left, top - bottom) * 72
    return None


def _image(file: AcceptedFile, clock: Clock) -> ExtractedCertificate:
    with Image.open(io.BytesIO(file.data)) as img:
        image = ImageOps.exif_transpose(_within_pixels(img, min(clock.budget.max_pixels, WORK_PIXELS))).convert("L")
    result = read_scan(image, clock)
    if result is None:
        return ExtractedCertificate.unreadable(file.name, NOT_A_CERTIFICATE)
    return _finish(file.name, result[0], "ocr", 1, {1: result[1]})


def _within_pixels(img: Image.Image, limit: int) -> Image.Image:
    """A photo larger than `limit` pixels, scaled down to it as it is decoded (intake has refused bombs)."""
    width, height = img.size
    if width * height <= limit:
        return img
    factor = (limit / (width * height)) ** 0.5
    img.draft("L", (int(width * factor), int(height * factor)))  # a JPEG decodes straight at a reduced scale
    if img.width * img.height > limit:
        factor = (limit / (img.width * img.height)) ** 0.5
        img = img.convert("L").resize((int(img.width * factor), int(img.height * factor)), Image.Resampling.BOX)
    return img


def _finish(name: str, readings: Readings, method: str, page: int, texts: dict[int, str],
            ocr_confidence: dict[int, float] | None = None) -> ExtractedCertificate:
    doc = assemble(name, readings, method, page, texts.get(page, ""))
    found = find_endorsements((n, t) for n, t in sorted(texts.items()) if n != page)
    pages, sources = _pages(found, ocr_confidence or {})
    return replace(doc, endorsements=pages, fields={**doc.fields, **sources})


def _pages(found: list[dict], ocr_confidence: dict[int, float]) -> tuple[tuple[Endorsement, ...],
                                                                          dict[str, FieldSource]]:
    """The endorsement pages found, with where each form number was read and how sure the reader was.

    A text layer gives the printed characters exactly; a scanned page carries OCR's median word confidence.
    """
    pages = tuple(Endorsement(each["form"], each["edition"], each["page"]) for each in found)
    sources = {f"endorsements.{index}.form": FieldSource(round(ocr_confidence.get(page.page, 1.0), 3), page.page)
               for index, page in enumerate(pages)}
    return pages, sources
