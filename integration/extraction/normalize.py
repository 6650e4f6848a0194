"""Turn printed certificate text into typed values: ISO dates, whole dollars, yes/no flags."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])}
# Words agents print in a limit box instead of a number: known, so not a misread, but not an amount either.
NON_AMOUNTS = frozenset({"STATUTORY", "INCLUDED", "INCL", "N/A", "NA", "NONE", "EXCLUDED", "EXCL"})


def clean_text(text: str | None) -> str | None:
    """Collapse runs of whitespace; empty becomes None."""
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def parse_date(text: str | None) -> date | None:
    """Read MM/DD/YYYY, M/D/YY, MM-DD-YYYY, YYYY-MM-DD, `Jan 5, 2026` or `5 Jan 2026`; None when unsure."""
    if not text:
        return None
    t = text.strip().upper().replace(".", "/")
    parts: tuple[int, int, int] | None = None
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", t):
        parts = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4}|\d{2})", t):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        parts = year, int(m[1]), int(m[2])
    elif m := re.fullmatch(r"([A-Z]{3})[A-Z]*\s+(\d{1,2}),?\s+(\d{4})", t):
        parts = int(m[3]), _MONTHS.get(m[1], 0), int(m[2])
    elif m := re.fullmatch(r"(\d{1,2})\s+([A-Z]{3})[A-Z]*\s+(\d{4})", t):
        parts = int(m[3]), _MONTHS.get(m[2], 0), int(m[1])
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def parse_amount(text: str | None) -> int | None:
    """Read `$1,000,000`, `1.000.000`, `1000000`, `1M`, `$2MM`, `$1.5M`, `500K`; None for words or doubtful digits."""
    if not text:
        return None
    t = text.strip().upper().replace(" ", "").removeprefix("$").removeprefix("USD")
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)(MM|M|K)", t):
        factor = 1_000 if m[2] == "K" else 1_000_000
        value = float(m[1]) * factor
        return int(value) if value == int(value) else None
    if re.fullmatch(r"\d{1,3}(,\d{3})+", t) or re.fullmatch(r"\d+", t):
        return int(t.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", t):  # dots as thousands separators (1.000.000), or blurred commas
        return int(t.replace(".", ""))
    if re.fullmatch(r"\d{1,3}(,\d{3})+\.00|\d+\.00", t):
        return int(t[:-3].replace(",", ""))
    return None


def is_non_amount(text: str | None) -> bool:
    """True for the words agents print in limit boxes (STATUTORY, INCLUDED, N/A ...)."""
    return bool(text) and text.strip().upper().rstrip(".") in NON_AMOUNTS  # type: ignore[union-attr]


def parse_flag(text: str | None) -> bool | None:
    """ADDL INSD / SUBR WVD cells: Y, X, a tick or YES mean true; N or NO false; blank false; anything else None."""
    if text is None or not text.strip():
        return False
    t = text.strip().upper()
    if t in {"Y", "X", "YES", "✓", "✔", "☑", "☒"}:
        return True
    if t in {"N", "NO"}:
        return False
    return None


def parse_letter(text: str | None) -> str | None:
    """An INSR LTR cell: one of A-F, else None."""
    t = (text or "").strip().upper()
    return t if len(t) == 1 and t in "ABCDEF" else None


_SUFFIXES = {"inc": "Inc", "inc.": "Inc.", "llc": "LLC", "llc.": "LLC.", "co.": "Co.", "corp": "Corp",
             "corp.": "Corp.", "ltd": "Ltd", "ltd.": "Ltd."}


def repair_ocr_name(text: str) -> str:
    """Undo Tesseract's usual slips in company names: `lronwood` -> `Ironwood`, `|nc.` -> `Inc.`, `inc.` -> `Inc.`."""
    words = []
    for word in text.split():
        word = re.sub(r"^[l|](?=[bcdfghjkmnpqrstvwxz][a-z])", "I", word)
        if word[:1].islower() and word in _SUFFIXES:
            word = _SUFFIXES[word]
        words.append(word)
    return " ".join(words)
