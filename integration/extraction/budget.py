"""Time and size limits for reading one file; going over ends the file as `ok: false`, never a partial answer."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from integration.extraction.intake import MAX_IMAGE_PIXELS


class BudgetExceeded(RuntimeError):
    """A file needed more time, pages or pixels than its budget allows."""


@dataclass(frozen=True)
class Budget:
    """Limits for one file. `seconds` covers the whole file; each OCR call also gets `ocr_call_seconds` at most."""

    seconds: float = 90.0
    max_pixels: int = MAX_IMAGE_PIXELS  # per decoded image or rendered page: intake's one pixel limit
    render_dpi: int = 300
    ocr_call_seconds: float = 40.0


@dataclass
class Clock:
    """Tracks one file's spending against its budget."""

    budget: Budget
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        """Seconds left, raising once none are."""
        left = self.budget.seconds - (time.monotonic() - self.started)
        if left <= 0:
            raise BudgetExceeded(f"time budget of {self.budget.seconds:g} s exceeded")
        return left

    def call_timeout(self) -> float:
        """The timeout for the next OCR call: the per-call cap or what is left, whichever is less."""
        return min(self.budget.ocr_call_seconds, self.remaining())

    def check_pixels(self, width: int, height: int, what: str) -> None:
        """Refuse an image larger than the pixel cap before it is decoded or rendered."""
        if width * height > self.budget.max_pixels:
            raise BudgetExceeded(f"{what} is {width}x{height} pixels, over the limit of {self.budget.max_pixels:,}")
