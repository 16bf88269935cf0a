"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from app.services import db as dbmod
from tests.conftest import PG_URL, _pg_engine


def _assert_matches_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_migrations_match_models_on_sqlite(tmp_path):
    engine = dbmod.make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    dbmod.init_schema(engine)
    _assert_matches_models(engine)
    dbmod.init_schema(engine)  # a second run is a no-op
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0007"


def test_database_created_before_migrations_is_stamped(tmp_path):
    engine = dbmod.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    SQLModel.metadata.create_all(engine)
    dbmod.init_schema(engine)
    assert inspect(engine).has_table("alembic_version")


@pytest.mark.postgres
def test_migrations_match_models_on_postgres(pg_engine):
    schema = f"m_{uuid.uuid4().hex[:8]}"
    engine = _pg_engine(schema)
    try:
        dbmod.init_schema(engine)
        _assert_matches_models(engine)
        with engine.connect() as conn:
            collations = dict(
                conn.execute(
                    text(
                        "SELECT column_name, collation_name FROM information_schema.columns "
                        "WHERE table_schema = :s AND table_name = 'account' AND column_name LIKE '%norm'"
                    ),
                    {"s": schema},
                ).all()
            )
        # Prefix ranges must compare bytes whatever the database's default collation is.
        assert collations and set(collations.values()) == {"C"}
    finally:
        engine.dispose()
        from sqlalchemy import create_engine

        admin = create_engine(dbmod.normalize_url(PG_URL))
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
