"""Recognise attached endorsement pages by their printed form numbers and editions."""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMS = ("CG 20 10", "CG 20 37", "CG 20 38", "CG 20 01", "CG 24 04", "CG 25 03", "WC 00 03 13")


def _pattern(form: str) -> re.Pattern[str]:
    prefix, *pairs = form.split()
    number = r"\s?".join([prefix, *pairs])
    if prefix == "WC":  # NCCI prints the edition apart: "WC 00 03 13 (04/84)" or "(Ed. 4-84)"
        edition = r"(?:\s*\(?\s*(?:ED\.?\s*)?(\d{1,2})\s?[-/ ]\s?(\d{2})\s*\)?)?"
    else:  # ISO appends it: "CG 20 10 04 13"
        edition = r"(?:\s?(\d{2})\s?(\d{2}))?"
    return re.compile(rf"\b{number}{edition}(?!\d)", re.IGNORECASE)


_PATTERNS = {form: _pattern(form) for form in FORMS}


def find_endorsements(pages: Iterable[tuple[int, str]]) -> list[dict]:
    """One entry per form found on each page: {"form", "edition" ("MM YY" or None), "page"}."""
    found = []
    for page, text in pages:
        flat = " ".join(text.split())
        for form, pattern in _PATTERNS.items():
            match = pattern.search(flat)
            if match:
                edition = f"{int(match[1]):02d} {match[2]}" if match[1] else None
                found.append({"form": form, "edition": edition, "page": page})
    return found
