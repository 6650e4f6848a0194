"""The one read every signed-in request makes, on PostgreSQL, at the least cost a read can have.

The session check (embedded_views.auth) runs before every page, and a page kept by embedded_views.page_cache is
served on it alone, so its cost is the floor of the busiest page. Through the app's engine it would cost a ping
of the connection on checkout and, in a transaction, a BEGIN and a ROLLBACK: four round trips for one row. Here
it runs on a small pool of its own, in autocommit (one statement, so nothing to begin or roll back), with the
statement compiled once to SQL and sent straight to psycopg. Instead of pinging, a read that finds its connection
dropped (the server restarted, a proxy closed it) is tried once more on a fresh connection: a read changes
nothing, so trying it again is safe.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.sql import Select

POOL_SIZE = 2  # connections kept per process (a sync worker uses one; threads may use more, up to the overflow)
OVERFLOW = 8


class RequestReads:
    """Single-row reads for one app's PostgreSQL database, on an autocommit pool without pings."""

    def __init__(self, engine: Engine) -> None:
        self._dialect = engine.dialect
        # (autocommit: no transaction is ever left open, so nothing is rolled back when a connection is handed back)
        self._engine = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                     pool_reset_on_return=None, pool_size=POOL_SIZE, max_overflow=OVERFLOW)
        self._compiled: dict[Select, tuple[str, dict[str, Any]]] = {}  # (by identity: statements built once)
        self._lock = threading.Lock()

    def first(self, statement: Select, params: dict[str, Any]):
        """The statement's first row (a named tuple, None when there is none), with ``params`` bound."""
        sql, defaults = self._sql(statement)
        for attempt in (1, 2):
            connection = self._engine.raw_connection()
            try:
                cursor = connection.driver_connection.cursor(row_factory=namedtuple_row)
                return cursor.execute(sql, {**defaults, **params}).fetchone()
            except psycopg.OperationalError:
                connection.invalidate()  # (dropped: the pool opens a fresh one for the next checkout)
                if attempt == 2:
                    raise
            finally:
                connection.close()
        return None  # (not reached)

    def _sql(self, statement: Select) -> tuple[str, dict[str, Any]]:
        found = self._compiled.get(statement)
        if found is None:
            compiled = statement.compile(dialect=self._dialect)
            found = (str(compiled), dict(compiled.params))
            with self._lock:
                self._compiled[statement] = found
        return found

    def dispose(self) -> None:
        """Close the pool's connections."""
        self._engine.dispose()


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
