"""Procore's batch "sync" writes: chunks of at most 1000 updates, per-item errors returned as data."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SYNC_BATCH_LIMIT = 1000
INSURANCE_SYNC_REQUIRED = ("vendor_id", "origin_id")


@dataclass
class SyncResult:
    """What Procore did with a sync: the records it wrote and the items it refused.

    A sync answers HTTP 200 even when some items fail, so callers must look at `errors`.
    Each error is Procore's item, usually with an `errors` map of field -> [messages].
    """

    entities: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    batches: int = 0

    @property
    def ok(self) -> bool:
        """True when no item was refused."""
        return not self.errors

    def add(self, body: Any) -> None:
        """Fold one batch's response body into the result."""
        self.batches += 1
        if isinstance(body, Mapping):
            self.entities.extend(body.get("entities") or [])
            self.errors.extend(body.get("errors") or [])

    def failed_origin_ids(self) -> list[str]:
        """Return the origin_id of every refused item that carried one."""
        return [str(item["origin_id"]) for item in self.errors if item.get("origin_id") is not None]


def check_updates(updates: Sequence[Mapping[str, Any]], required: Sequence[str]) -> None:
    """Raise ValueError naming the first update that lacks a required field."""
    for index, update in enumerate(updates):
        missing = [name for name in required if update.get(name) in (None, "")]
        if missing:
            raise ValueError(f"updates[{index}] is missing {', '.join(missing)}; every insurance sync item "
                             f"needs {' and '.join(required)}")


def batches(updates: Sequence[Mapping[str, Any]], size: int = SYNC_BATCH_LIMIT) -> Iterator[list[dict[str, Any]]]:
    """Yield the updates in lists of at most `size` (Procore refuses more than 1000 per call)."""
    if not 1 <= size <= SYNC_BATCH_LIMIT:
        raise ValueError(f"batch size must be between 1 and {SYNC_BATCH_LIMIT}, got {size}")
    for start in range(0, len(updates), size):
        yield [dict(update) for update in updates[start:start + size]]
