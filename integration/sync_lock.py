"""One sync job per company at a time: push, reconcile and import take the company's lock or step aside.

On PostgreSQL the lock is a session advisory lock on a connection of its own, so a worker that dies
(even by SIGKILL) frees it the moment its connection drops. SQLite (the demo) is one process: a
thread lock per company is enough there.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from integration.extensions import db

_local: dict[int, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def company_sync_lock(company_id: int) -> Iterator[bool]:
    """Hold the company's sync lock for the block if it is free; yields False (holding nothing) if it is not."""
    if db.engine.dialect.name != "postgresql":
        with _guard:
            lock = _local.setdefault(company_id, threading.Lock())
        held = lock.acquire(blocking=False)
        try:
            yield held
        finally:
            if held:
                lock.release()
        return
    key = zlib.crc32(f"gapline:sync:{company_id}".encode())
    with db.engine.connect() as conn:
        held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            conn.commit()
