"""Where uploaded documents live: a small storage interface, local disk by default."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app


class StorageError(RuntimeError):
    """A document could not be written or read."""


class Storage(Protocol):
    """What intake and the file views need from a document store."""

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` completely, or not at all."""

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``."""

    def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""

    def exists(self, key: str) -> bool:
        """True when ``key`` holds a document."""


class LocalStorage:
    """Documents as files under a root directory; writes go to a temp file and are renamed into place."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError(f"storage key {key!r} leaves the storage root")
        return path

    def put(self, key: str, data: bytes) -> None:
        """Write atomically: a reader sees the whole file or none of it."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        """Read the whole document."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"no document stored under {key!r}") from exc

    def delete(self, key: str) -> None:
        """Remove the document if present."""
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """True when the document file exists."""
        return self._path(key).is_file()


def get_storage() -> Storage:
    """The configured storage for the current app (local disk under STORAGE_PATH)."""
    storage = current_app.extensions.get("gapline_storage")
    if storage is None:
        storage = LocalStorage(current_app.config["GAPLINE"].storage_path)
        current_app.extensions["gapline_storage"] = storage
    return storage
