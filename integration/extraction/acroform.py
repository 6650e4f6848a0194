"""Read a live AcroForm: exact values by leaf name, flat (`Producer_FullName_A`) or wrapped (`F[0].P1[0]....[0]`)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from pypdf import PdfReader
from pypdf.generic import ArrayObject

from integration.extraction.fields import CHECKBOXES, EDITION_FIELD, TEXT_FIELDS, Reading, Readings, leaf_name

_OFF = {"", "/Off", "Off", "None", "0"}
MAX_XFA_BYTES = 2_000_000


def read_acroform(reader: PdfReader) -> tuple[Readings, int] | None:
    """Return the form's values keyed by leaf name and the page holding the fields; None when no field has a value."""
    fields = reader.get_fields() or {}
    values = {leaf_name(name): spec.get("/V") for name, spec in fields.items()}
    # pypdf fills /V but not the XFA datasets, other tools the reverse: take a value from either (/V first).
    for leaf, text in _xfa_values(reader).items():
        if values.get(leaf) is None or str(values[leaf]) in _OFF:
            values[leaf] = text
    readings: Readings = {}
    for leaf, value in values.items():
        if leaf in CHECKBOXES:
            readings[leaf] = Reading(value is not None and str(value) not in _OFF, 1.0)
        elif (leaf in TEXT_FIELDS or leaf == EDITION_FIELD) and value is not None and str(value).strip():
            readings[leaf] = Reading(str(value), 1.0)
    if not any(isinstance(r.value, str) for r in readings.values()):
        return None
    return readings, _form_page(reader)


def _xfa_values(reader: PdfReader) -> dict[str, str]:
    """Leaf name -> text from the XFA `datasets` packet, if the form has one (entities are never expanded)."""
    form = reader.trailer["/Root"].get("/AcroForm")
    xfa = form.get_object().get("/XFA") if form else None
    if xfa is None:
        return {}
    xfa = xfa.get_object()
    if isinstance(xfa, ArrayObject):
        packets = {str(xfa[i]): xfa[i + 1] for i in range(0, len(xfa) - 1, 2)}
        xfa = packets.get("datasets")
        if xfa is None:
            return {}
    data = xfa.get_object().get_data()
    if len(data) > MAX_XFA_BYTES or b"<!ENTITY" in data:
        return {}
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return {}
    found: dict[str, str] = {}
    for element in root.iter():
        leaf = element.tag.rsplit("}", 1)[-1]
        text = (element.text or "").strip()
        if text and (leaf in TEXT_FIELDS or leaf in CHECKBOXES or leaf == EDITION_FIELD):
            found.setdefault(leaf, text)
    return found


def _form_page(reader: PdfReader) -> int:
    """1-based number of the first page carrying form widgets."""
    for number, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            if annot.get_object().get("/Subtype") == "/Widget":
                return number
    return 1
