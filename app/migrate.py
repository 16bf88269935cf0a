"""Apply the schema migrations explicitly: `python -m app.migrate [--create-database]` (make migrate)."""

import argparse

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import config
from app.services.db import init_schema, make_engine, normalize_url


def create_database_if_missing(url: str) -> None:
    """PostgreSQL only: create the database named in the URL when the server does not have it."""
    target = make_url(normalize_url(url))
    if not target.get_backend_name().startswith("postgresql"):
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        ).first()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
            print(f"created database {target.database}")
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--create-database", action="store_true", help="create the PostgreSQL database first")
    args = parser.parse_args()
    if args.create_database:
        create_database_if_missing(config.DATABASE_URL)
    engine = make_engine(config.DATABASE_URL)
    init_schema(engine)
    engine.dispose()
    print("schema is at the newest migration")


if __name__ == "__main__":
    main()
