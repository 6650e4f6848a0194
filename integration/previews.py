"""Page previews for the review screen: our own PNG rendering of a stored document's page."""

from __future__ import annotations

import io

from integration.isolation import run_isolated
from integration.models import StoredFile
from integration.storage import get_storage

PREVIEW_WIDTH = 1100
PLACEHOLDER_WIDTH = 240  # the small first image the review screen shows at once, sharpened by the full one


def _render(content: bytes, content_type: str, page: int, width: int = PREVIEW_WIDTH) -> bytes:
    from PIL import Image

    if content_type == "application/pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(content)
        if not 1 <= page <= len(document):
            raise IndexError(f"the document has {len(document)} page(s)")
        pdf_page = document[page - 1]
        image = pdf_page.render(scale=width / pdf_page.get_width()).to_pil()
    else:
        if page != 1:
            raise IndexError("an image has one page")
        image = Image.open(io.BytesIO(content))
        image.thumbnail((width, width * 2))
    out = io.BytesIO()
    image = image.convert("RGB")
    if width < PREVIEW_WIDTH:  # the placeholder: a few colours are enough, and keep it a few kilobytes
        image = image.quantize(colors=16)
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def page_png(stored: StoredFile, page: int, width: int = PREVIEW_WIDTH) -> bytes:
    """Page ``page`` (1-based) of a stored document as PNG ``width`` pixels wide, rendered in an isolated child."""
    content = get_storage().get(stored.storage_key)
    return run_isolated(_render, content, stored.content_type, page, width, memory_mb=768, seconds=30)
