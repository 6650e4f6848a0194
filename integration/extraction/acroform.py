"""Read a live AcroForm: exact values by leaf name, flat (`Producer_FullName_A`) or wrapped (`F[0].P1[0]....[0]`)."""

from __future__ import annotations

from pypdf import PdfReader

from integration.extraction.fields import CHECKBOXES, EDITION_FIELD, TEXT_FIELDS, Reading, Readings, leaf_name

_OFF = {"", "/Off", "Off", "None"}


def read_acroform(reader: PdfReader) -> tuple[Readings, int] | None:
    """Return the form's values keyed by leaf name and the page holding the fields; None when no field has a value."""
    fields = reader.get_fields() or {}
    readings: Readings = {}
    for name, spec in fields.items():
        leaf = leaf_name(name)
        value = spec.get("/V")
        if leaf in CHECKBOXES:
            readings[leaf] = Reading(value is not None and str(value) not in _OFF, 1.0)
        elif (leaf in TEXT_FIELDS or leaf == EDITION_FIELD) and value is not None and str(value).strip():
            readings[leaf] = Reading(str(value), 1.0)
    if not any(isinstance(r.value, str) for r in readings.values()):
        return None
    return readings, _form_page(reader)


def _form_page(reader: PdfReader) -> int:
    """1-based number of the first page carrying form widgets."""
    for number, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            if annot.get_object().get("/Subtype") == "/Widget":
                return number
    return 1
