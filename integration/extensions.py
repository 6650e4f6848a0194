"""Flask extensions, created unbound and bound to the app in create_app()."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from integration.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_behaves_like_a_server(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless asked, and in WAL mode readers never wait on the one writer."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")  # an in-memory database stays "memory": nothing to do
        cursor.close()


def database_busy(error: BaseException) -> bool:
    """True when the database refused because another writer held it past the busy timeout (SQLite's lock)."""
    return isinstance(error, OperationalError) and "database is locked" in str(getattr(error, "orig", error))
