"""The Insurance Guide's addresses: each gap code's page at a slug of its title people can read
("/guide/general-liability-each-occurrence-limit-is-too-low"), not at the internal code (which still redirects)."""

from __future__ import annotations

import re
from functools import cache

from integration.compliance.gaps import CATALOGUE


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower().replace("'", "")).strip("-")


@cache
def _slugs() -> dict[str, str]:
    slugs = {code: _slug(info.title) for code, info in CATALOGUE.items()}
    if len(set(slugs.values())) != len(slugs):  # two titles alike would share a page
        raise RuntimeError("two Insurance Guide titles make the same address")
    return slugs


def slug_of(code: str) -> str:
    """The readable address of a gap code's guide page (the code itself when it is not in the catalogue)."""
    return _slugs().get(code, code)


def code_of(slug: str) -> str | None:
    """The gap code whose guide page is at ``slug``, if any."""
    return next((code for code, known in _slugs().items() if known == slug), None)
