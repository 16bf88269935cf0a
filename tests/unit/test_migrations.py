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
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0017"


def test_migration_0008_adds_the_registration_password_and_its_downgrade_drops_pending_accounts(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from app import config

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = Config(str(config.ROOT / "alembic.ini"))

    def migrate(revision: str, *, down: bool = False) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)

    migrate("0008")
    with engine.begin() as conn:
        for n, status in ((1, "active"), (2, "pending")):
            conn.execute(
                text(
                    "INSERT INTO account (id, customer_number, role, status, first_name, last_name, email, phone, "
                    "password_hash, allow_assistance, segments, first_name_norm, last_name_norm, phone_norm, "
                    "postal_code_norm, city, created_at) VALUES (:n, :c, 'shopper', :s, 'A', 'B', :e, '', 'h', 1, "
                    "'', 'a', 'b', '', '', '', '2026-01-01')"
                ),
                {"n": n, "c": f"C{n}", "s": status, "e": f"a{n}@example.com"},
            )
            conn.execute(
                text(
                    "INSERT INTO passwordtoken (token_hash, account_id, purpose, new_email, password_hash, "
                    "created_at, expires_at) VALUES (:t, :n, 'register', '', '$argon2-hash', '2026-01-01', "
                    "'2026-01-02')"
                ),
                {"t": f"t{n}", "n": n},
            )
    migrate("0007", down=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT email FROM account")).scalars().all() == ["a1@example.com"]
        assert conn.execute(text("SELECT account_id FROM passwordtoken")).scalars().all() == [1]
    assert "password_hash" not in {c["name"] for c in inspect(engine).get_columns("passwordtoken")}
    migrate("0008")
    assert "password_hash" in {c["name"] for c in inspect(engine).get_columns("passwordtoken")}


def test_database_created_before_migrations_is_stamped_at_the_first_revision_and_upgraded(tmp_path):
    """Was: stamped at the newest revision, so such a database never got the later migrations' changes."""
    from alembic import command
    from alembic.config import Config

    from app import config

    engine = dbmod.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config(str(config.ROOT / "alembic.ini"))
    with engine.begin() as conn:  # the schema as it was when the store had no migrations yet
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("DROP TABLE alembic_version"))
    dbmod.init_schema(engine)
    assert inspect(engine).has_table("alembic_version")
    _assert_matches_models(engine)


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


def test_migration_0014_gives_existing_orders_a_placed_status_and_history(tmp_path):
    """Orders placed before statuses existed are placed and paid, with one history step at their creation."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from app import config

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = Config(str(config.ROOT / "alembic.ini"))

    def migrate(revision: str, *, down: bool = False) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)

    migrate("0014")
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO "order" (id, number, account_id, placed_by_id, status, subtotal_cents, discount_cents, '
                "shipping_cents, total_cents, shipping_method, ship_name, ship_line1, ship_line2, ship_city, "
                "ship_postal_code, ship_country, payment_brand, payment_last4, created_at) VALUES (1, 'W1000001', "
                "7, 9, 'placed', 1000, 0, 0, 1000, 'standard', 'A B', '1 Main', '', 'X', '1', 'US', 'Visa', "
                "'4242', '2026-01-02 03:04:05')"
            )
        )
    migrate("0015")
    with engine.connect() as conn:
        assert conn.execute(text('SELECT status, payment_status FROM "order"')).one() == ("placed", "paid")
        assert conn.execute(text("SELECT order_id, status, at, by_id FROM orderevent")).one() == (
            1,
            "placed",
            "2026-01-02 03:04:05",
            9,
        )
    migrate("0014", down=True)
    assert "orderevent" not in inspect(engine).get_table_names()
    assert "payment_status" not in {c["name"] for c in inspect(engine).get_columns("order")}
