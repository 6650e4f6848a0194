"""Comparing insured and holder names the way a careful reviewer would.

Case, punctuation, "&" versus "and", and the spelling of a legal suffix ("Inc" / "Inc." /
"Incorporated") are ignored. A different legal form ("LLC" versus "Inc") with the same base name
may be a different entity, so it is left to a person; a different base name is a different entity.
"""

from __future__ import annotations

import re
from enum import StrEnum

# Spellings of a legal-form suffix -> its family.
_SUFFIXES = {
    "inc": "inc",
    "incorporated": "inc",
    "llc": "llc",
    "lc": "llc",
    "corp": "corp",
    "corporation": "corp",
    "co": "co",
    "company": "co",
    "ltd": "ltd",
    "limited": "ltd",
    "lp": "lp",
    "llp": "llp",
    "pllc": "pllc",
    "pc": "pc",
    "plc": "plc",
}


class NameMatch(StrEnum):
    """How two entity names relate."""

    SAME = "same"
    SUFFIX_DIFFERS = "suffix_differs"  # same base name, different legal form: a person decides
    DIFFERENT = "different"


def entity_parts(name: str) -> tuple[str, str | None]:
    """The normalised base name and legal-form family ("Acme Builders, Inc." -> ("acme builders", "inc"))."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[.'\u2019]", "", text)  # "L.L.C." -> "llc", "O'Neil" -> "oneil"
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if words[:1] == ["the"]:
        words = words[1:]
    family = None
    if len(words) > 1 and words[-1] in _SUFFIXES:
        family = _SUFFIXES[words.pop()]
    return " ".join(words), family


def compare_names(found: str, expected: str) -> NameMatch:
    """Compare a name read from a document with the name expected."""
    found_base, found_family = entity_parts(found)
    expected_base, expected_family = entity_parts(expected)
    if not found_base or found_base != expected_base:
        return NameMatch.DIFFERENT
    if found_family and expected_family and found_family != expected_family:
        return NameMatch.SUFFIX_DIFFERS
    return NameMatch.SAME


def best_match(found: str, candidates: list[str]) -> NameMatch:
    """The closest relation between ``found`` and any of ``candidates`` (legal name, DBAs)."""
    order = (NameMatch.SAME, NameMatch.SUFFIX_DIFFERS, NameMatch.DIFFERENT)
    return min((compare_names(found, name) for name in candidates), key=order.index, default=NameMatch.DIFFERENT)
