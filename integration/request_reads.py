"""The one read every signed-in request makes, on PostgreSQL, at the least cost a read can have.

The session check (embedded_views.auth) runs before every page, and a page kept by embedded_views.page_cache is
served on it alone, so its cost is the floor of the busiest page. Through the app's engine it would cost a ping
of the connection on checkout and, in a transaction, a BEGIN and a ROLLBACK: four round trips for one row, and
each of them through the driver's cursor machinery, which costs more CPU than the read itself.

Here each thread keeps one connection of its own, in autocommit (one statement, so nothing to begin or roll
back). A statement is compiled once to SQL, prepared once on each connection, and run with libpq's
``PQexecPrepared`` (``psycopg.pq``); its row is loaded with psycopg's own loaders (``psycopg.adapt.Transformer``),
so the values are of the same types a cursor gives. Instead of pinging, a read that fails (the connection was
dropped: the server restarted, a proxy closed it; or a prepared plan went stale after a migration) is tried once
more on a fresh connection: a read changes nothing, so trying it again is safe.
"""

from __future__ import annotations

import os
import re
import threading
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import Transformer
from sqlalchemy import Engine, event
from sqlalchemy.sql import Select

PLACEHOLDER = re.compile(r"%%|%\((\w+)\)s")  # the psycopg dialect's ``%(name)s`` binds, and its escaped ``%``


@dataclass
class Prepared:
    """A statement as sent to PostgreSQL: its SQL with ``$n`` parameters, their names and default values, and the
    row type its results are loaded into (made from the first result's column names)."""

    name: bytes
    sql: bytes
    names: tuple[str, ...]
    defaults: dict[str, Any]
    row: Any = None

    def values(self, params: dict[str, Any]) -> list[bytes | None]:
        """The parameters in text format, in ``$n`` order."""
        merged = {**self.defaults, **params}
        return [_text(merged[name]) for name in self.names]


@dataclass
class Connection:
    """One thread's connection, with the statements already prepared on it."""

    driver: psycopg.Connection
    process: int = field(default_factory=os.getpid)
    prepared: set[bytes] = field(default_factory=set)
    loader: Transformer | None = None  # (kept for the connection's reads, as a psycopg cursor keeps its own)

    def __post_init__(self) -> None:
        self.loader = Transformer(self.driver)


def _text(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"request_reads binds whole numbers and strings only, not {value!r}")
    return str(value).encode()


class RequestReads:
    """Single-row reads for one app's PostgreSQL database: a connection per thread, statements prepared on it."""

    def __init__(self, engine: Engine) -> None:
        self._dialect = engine.dialect
        self._connect_args = engine.dialect.create_connect_args(engine.url)  # (as the engine's own connections)
        self._local = threading.local()
        self._prepared: dict[Select, Prepared] = {}  # (by identity: statements built once)
        self._open: list[Connection] = []
        self._lock = threading.Lock()

    def first(self, statement: Select, params: dict[str, Any]):
        """The statement's first row (a named tuple, None when there is none), with ``params`` bound."""
        prepared = self._statement(statement)
        values = prepared.values(params)
        for attempt in (1, 2):
            connection = self._connection()
            try:
                return self._run(connection, prepared, values)
            except psycopg.Error:
                self._close(connection)  # (dropped, or a plan gone stale: the next read opens a fresh one)
                if attempt == 2:
                    raise
        return None  # (not reached)

    def _run(self, connection: Connection, prepared: Prepared, values: list[bytes | None]):
        pgconn = connection.driver.pgconn
        if prepared.name not in connection.prepared:
            _checked(pgconn, pgconn.prepare(prepared.name, prepared.sql), pq.ExecStatus.COMMAND_OK)
            connection.prepared.add(prepared.name)
        result = _checked(pgconn, pgconn.exec_prepared(prepared.name, values), pq.ExecStatus.TUPLES_OK)
        if result.ntuples == 0:
            return None
        if prepared.row is None:
            prepared.row = namedtuple("Row", [result.fname(n).decode() for n in range(result.nfields)],
                                      rename=True)._make
        connection.loader.set_pgresult(result)
        return connection.loader.load_row(0, prepared.row)

    def _statement(self, statement: Select) -> Prepared:
        found = self._prepared.get(statement)
        if found is None:
            compiled = statement.compile(dialect=self._dialect)
            names: list[str] = []

            def numbered(match: re.Match) -> str:
                if match.group(1) is None:
                    return "%"
                names.append(match.group(1))
                return f"${len(names)}"

            sql = PLACEHOLDER.sub(numbered, str(compiled))
            with self._lock:
                found = self._prepared.setdefault(statement, Prepared(
                    f"gapline_read_{len(self._prepared)}".encode(), sql.encode(), tuple(names),
                    dict(compiled.params)))
        return found

    def _connection(self) -> Connection:
        connection = getattr(self._local, "connection", None)
        if connection is not None and connection.process == os.getpid() and not connection.driver.closed:
            return connection
        # (a forked child's copy of its parent's connection is let go unclosed: psycopg ends a connection only in
        # the process that opened it)
        args, kwargs = self._connect_args
        connection = Connection(psycopg.connect(*args, **kwargs, autocommit=True))
        self._local.connection = connection
        with self._lock:
            self._open.append(connection)
        return connection

    def _close(self, connection: Connection) -> None:
        with self._lock:
            if connection in self._open:
                self._open.remove(connection)
        if getattr(self._local, "connection", None) is connection:
            self._local.connection = None
        try:
            connection.driver.close()
        except psycopg.Error:
            pass

    def dispose(self) -> None:
        """Close the connections this process opened."""
        with self._lock:
            mine = [c for c in self._open if c.process == os.getpid()]
            self._open = []
        for connection in mine:
            try:
                connection.driver.close()
            except psycopg.Error:
                pass


def _checked(pgconn: pq.abc.PGconn, result: pq.abc.PGresult, wanted: pq.ExecStatus) -> pq.abc.PGresult:
    """``result`` when it has the status wanted; otherwise the error PostgreSQL gave, as psycopg raises it."""
    if result.status == wanted:
        return result
    state = result.error_field(pq.DiagnosticField.SQLSTATE)
    message = (result.error_message or pgconn.error_message or b"the read failed").decode(errors="replace").strip()
    if pgconn.status != pq.ConnStatus.OK or state is None:
        raise psycopg.OperationalError(message)
    raise psycopg.errors.lookup(state.decode())(message)


_made: dict[int, tuple[int, Engine, RequestReads]] = {}  # id(app's engine): (process, engine, its reads)


def request_reads(engine: Engine) -> RequestReads:
    """The RequestReads for the app's ``engine``, made in each process on first use (a forked worker makes its own)
    and disposed of whenever the engine is."""
    found = _made.get(id(engine))
    if found is None or found[0] != os.getpid() or found[1] is not engine:
        reads = RequestReads(engine)
        event.listen(engine, "engine_disposed", lambda _engine: reads.dispose())
        found = _made[id(engine)] = (os.getpid(), engine, reads)
    return found[2]
