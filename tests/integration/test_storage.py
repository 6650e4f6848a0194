"""Local document storage writes whole files or nothing and never leaves its root."""

from __future__ import annotations

import pytest

from integration.storage import LocalStorage, StorageError


def test_put_get_delete(tmp_path):
    store = LocalStorage(tmp_path)
    store.put("42/ab/abcdef.pdf", b"%PDF-1.7 data")
    assert store.exists("42/ab/abcdef.pdf")
    assert store.get("42/ab/abcdef.pdf") == b"%PDF-1.7 data"
    store.delete("42/ab/abcdef.pdf")
    assert not store.exists("42/ab/abcdef.pdf")
    store.delete("42/ab/abcdef.pdf")  # deleting twice is harmless


def test_a_key_cannot_escape_the_root(tmp_path):
    store = LocalStorage(tmp_path / "root")
    with pytest.raises(StorageError, match="leaves the storage root"):
        store.put("../outside.pdf", b"x")
    assert not (tmp_path / "outside.pdf").exists()


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    store = LocalStorage(tmp_path)

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        store.put("1/doc.pdf", b"data")
    assert [p.name for p in (tmp_path / "1").iterdir()] == []


def test_missing_document_is_a_clear_error(tmp_path):
    with pytest.raises(StorageError, match="no document stored under 'nope'"):
        LocalStorage(tmp_path).get("nope")
