"""The schema comes only from migrations: one head, upgrade from empty on SQLite and PostgreSQL, models in step."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from integration.extensions import db
from integration.models import Base
from tests.conftest import build_app, make_settings


@pytest.fixture
def app(tmp_path):
    """An app on its own SQLite file: these tests migrate down and up, which the shared database must not see."""
    application = build_app(make_settings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}",
                                          storage_path=str(tmp_path / "files")))
    with application.app_context():
        yield application
        db.engine.dispose()


def script_directory(app) -> ScriptDirectory:
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def assert_schema_matches_models(app) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations differ; run 'make migration': {diff}"


def test_single_head(app):
    assert len(script_directory(app).get_heads()) == 1


def test_upgrade_from_empty_on_sqlite_creates_every_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert_schema_matches_models(app)


def test_downgrade_to_empty_and_back_on_sqlite(app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())


@pytest.mark.integration
def test_upgrade_from_empty_on_postgresql(pg_url, tmp_path):
    # A second throwaway database, so this test starts from nothing whatever ran before.
    from tests.services import PostgresDatabase

    fresh = PostgresDatabase.create()
    try:
        app = build_app(make_settings(database_url=fresh.url, storage_path=str(tmp_path)))
        with app.app_context():
            assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
            assert_schema_matches_models(app)
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        fresh.drop()
