"""The real services the integration tier needs: PostgreSQL and Redis, found or started, never faked.

``make test`` installs the binaries when missing (scripts/system-deps.sh); this module finds a
running server or starts a private one, and fails loudly, saying why, when it cannot.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


class ServiceUnavailable(RuntimeError):
    """A real service the suite needs could not be reached or started."""


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class RedisService:
    """A Redis the tests may flush: the configured one, or a private redis-server on a free port."""

    url: str
    process: subprocess.Popen | None = None
    origin: str = "existing"

    @classmethod
    def obtain(cls) -> RedisService:
        """Use TEST_REDIS_URL (default 127.0.0.1:6379) if it answers, else start a private server.

        A worker of a parallel run (pytest-xdist) always starts its own, since every test flushes Redis.
        """
        url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS)
        parts = urlsplit(url)
        binary = shutil.which("redis-server")
        parallel = bool(os.environ.get("PYTEST_XDIST_WORKER")) and binary  # tests flush Redis: one server each
        if not parallel and reachable(parts.hostname or "127.0.0.1", parts.port or 6379):
            return cls(url)
        if not binary:
            raise ServiceUnavailable(
                f"Redis is not reachable at {url} and redis-server is not installed; "
                "run 'make test' (it installs redis-server with apt) or set TEST_REDIS_URL"
            )
        port = free_port()
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for("127.0.0.1", port, proc, "redis-server")
        return cls(f"redis://127.0.0.1:{port}/0", proc, "private redis-server")

    def stop(self) -> None:
        """Stop the private server, if this started one."""
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class PostgresDatabase:
    """A throwaway database, created for this test run on a real PostgreSQL server and dropped after."""

    server_url: str
    name: str = field(default_factory=lambda: f"gapline_test_{uuid.uuid4().hex[:10]}")

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the throwaway database (psycopg 3 driver)."""
        parts = urlsplit(self.server_url)
        return urlunsplit(("postgresql+psycopg", parts.netloc, f"/{self.name}", parts.query, ""))

    @classmethod
    def create(cls) -> PostgresDatabase:
        """Create the database on TEST_DATABASE_URL's server, failing loudly when it cannot."""
        import psycopg

        server_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
        database = cls(server_url)
        try:
            with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{database.name}"')
        except psycopg.Error as exc:
            raise ServiceUnavailable(
                f"PostgreSQL is needed for the integration tier but {server_url} failed: {exc}. "
                "Start PostgreSQL (make test tries pg_ctlcluster) or set TEST_DATABASE_URL."
            ) from exc
        return database

    def drop(self) -> None:
        """Drop the throwaway database, closing whatever still holds it."""
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _wait_for(host: str, port: int, proc: subprocess.Popen, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if reachable(host, port):
            return
        if proc.poll() is not None:
            raise ServiceUnavailable(f"{what} exited with status {proc.returncode} before accepting connections")
        time.sleep(0.05)
    proc.kill()
    raise ServiceUnavailable(f"{what} did not accept connections on {host}:{port} within {seconds}s")


