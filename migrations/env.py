"""Alembic environment: our SQLModel metadata, on the engine app.services.db would use."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from app import config
from app.services.db import make_engine

target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    from app.services.db import normalize_url

    context.configure(
        url=normalize_url(config.DATABASE_URL), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:  # handed over by app.services.db.migrate
        _run(connection)
        return
    engine = make_engine(config.DATABASE_URL)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
