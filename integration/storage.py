"""Where uploaded documents live: a small storage interface, local disk by default, S3 when configured."""

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


class S3Storage:
    """Documents as objects in an S3-compatible bucket (AWS S3, MinIO, R2...); each put is one whole object."""

    def __init__(self, bucket: str, *, prefix: str = "", client=None, **client_options) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", **client_options)

    def _key(self, key: str) -> str:
        if ".." in key.split("/"):
            raise StorageError(f"storage key {key!r} leaves the storage root")
        return self.prefix + key

    def put(self, key: str, data: bytes) -> None:
        """Upload in one request, with an integrity check S3 verifies."""
        import base64
        import hashlib

        digest = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentMD5=digest)

    def get(self, key: str) -> bytes:
        """Download the whole object."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey as exc:
            raise StorageError(f"no document stored under {key!r}") from exc

    def delete(self, key: str) -> None:
        """Delete the object (S3 does not mind a missing one)."""
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        """True when the object exists."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True


def build_storage(settings) -> Storage:
    """S3 when S3_BUCKET is set, else local disk under STORAGE_PATH."""
    if settings.s3_bucket:
        options = {"endpoint_url": settings.s3_endpoint_url or None, "region_name": settings.s3_region or None}
        return S3Storage(settings.s3_bucket, prefix=settings.s3_prefix, **options)
    return LocalStorage(settings.storage_path)


def get_storage() -> Storage:
    """The configured storage for the current app, built once."""
    storage = current_app.extensions.get("gapline_storage")
    if storage is None:
        storage = build_storage(current_app.config["GAPLINE"])
        current_app.extensions["gapline_storage"] = storage
    return storage
