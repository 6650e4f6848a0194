"""Certificate extraction: read an ACORD 25 certificate (form, text layer or scan) into the contract's object."""

from __future__ import annotations

from integration.extraction.budget import Budget
from integration.extraction.pipeline import extract

__all__ = ["Budget", "extract"]
