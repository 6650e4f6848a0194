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


@pytest.fixture
def s3_server():
    """A local S3-compatible server (moto) on a free port: S3 itself is not ours to run."""
    from moto.server import ThreadedMotoServer

    from tests.services import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_store(s3_server, monkeypatch):
    import boto3

    from integration.storage import S3Storage

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket="gapline-docs")
    return S3Storage("gapline-docs", prefix="documents", client=client), client


def test_s3_put_get_exists_delete(s3_store):
    store, client = s3_store
    store.put("42/ab/abc.pdf", b"%PDF-1.7 bytes")
    assert store.exists("42/ab/abc.pdf") and store.get("42/ab/abc.pdf") == b"%PDF-1.7 bytes"
    assert client.list_objects_v2(Bucket="gapline-docs")["Contents"][0]["Key"] == "documents/42/ab/abc.pdf"
    store.delete("42/ab/abc.pdf")
    assert not store.exists("42/ab/abc.pdf")
    with pytest.raises(StorageError, match="no document stored"):
        store.get("42/ab/abc.pdf")


def test_s3_refuses_keys_that_climb(s3_store):
    store, client = s3_store
    with pytest.raises(StorageError, match="leaves the storage root"):
        store.put("../x.pdf", b"x")
    assert client.list_objects_v2(Bucket="gapline-docs").get("KeyCount") == 0


def test_s3_is_chosen_when_a_bucket_is_configured(tmp_path):
    from integration.storage import S3Storage, build_storage
    from tests.conftest import make_settings

    local = build_storage(make_settings(storage_path=str(tmp_path)))
    assert isinstance(local, LocalStorage)
    remote = build_storage(make_settings(s3_bucket="b", s3_endpoint_url="http://127.0.0.1:1", s3_region="us-east-1"))
    assert isinstance(remote, S3Storage) and remote.bucket == "b"
