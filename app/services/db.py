"""Engine and session handling; the same code runs on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, InvalidatePoolError, OperationalError
from sqlmodel import Session, create_engine

import models  # noqa: F401  (registers every table)
from app import config
from app.services.errors import Unavailable
from models.base import utcnow  # noqa: F401  (one clock: models define it, services import it from here)

_engine: Engine | None = None


def normalize_url(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        # pysqlite's default transaction handling begins a transaction at the first write, so the
        # conditional UPDATEs that decide races take the write lock (waiting on busy_timeout) at
        # the moment they decide, never against a stale snapshot.
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url != "sqlite://":
                cur.execute("PRAGMA journal_mode=WAL")
                # A commit writes the WAL and does not wait for the disk: still atomic and consistent, and it
                # survives the process dying; only a power cut or a crash of the machine can undo the last
                # commits (SQLite syncs the WAL at each checkpoint). What leaves the store because of a
                # commit, a mail, waits for the disk first (`sync_to_disk`). SQLite's default (FULL) waited
                # on every commit, add-to-carts included: bench/RESULTS.md, "SQLite's commits".
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        # ...but a SAVEPOINT is not a write to pysqlite: as a transaction's first statement it would
        # open the transaction itself, and its RELEASE would commit everything for good even if the
        # unit of work then fails. Open the (still deferred) transaction first.
        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(conn, _name):
            dbapi_conn = conn.connection.dbapi_connection
            if not dbapi_conn.in_transaction:
                dbapi_conn.execute("BEGIN")

        return engine
    # The pool hands out the connection used last (LIFO), so under load a few connections stay hot and the
    # rest idle (and may be closed by the server or a proxy meanwhile, which the ping below then catches).
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_use_lifo=True)
    _ping_when_idle(engine)
    return engine


# A connection back in the pool for less than this is handed out again without a ping (HikariCP's
# `aliveBypassWindowMs` is 500 ms too): one round trip fewer for most units of work under load, about a
# tenth of an add-to-cart's (bench/RESULTS.md). A connection the server dropped within that half second
# fails its unit of work once, as `Unavailable`, and SQLAlchemy then replaces all of the pool's connections.
PING_IF_IDLE_S = 0.5


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's `pool_pre_ping`, but only for a connection idle for PING_IF_IDLE_S or more. As with
    pre-ping, a dead one means the server went away: the pool drops every connection it had, and the
    checkout is tried again on a new one, before any statement of the unit of work."""

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_conn, record):
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn, record):
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):
        if time.monotonic() - record.info.get("returned_at", 0.0) < PING_IF_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as e:
            if not engine.dialect.is_disconnect(e, dbapi_conn, None):
                raise
            raise InvalidatePoolError("a pooled connection is gone") from e


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        engine = make_engine(config.DATABASE_URL)
        try:
            init_schema(engine)
        except BaseException:
            engine.dispose()  # the next unit of work tries again, migrations included
            raise
        _engine = engine
    return _engine


def waits_on_network() -> bool:
    """Whether a unit of work waits on a database server (PostgreSQL) rather than computing in this
    process (SQLite): app/state/guard.py runs the former in a thread, the latter where it is."""
    return get_engine().dialect.name != "sqlite"


def use_engine(engine: Engine) -> None:
    """Point the services at another engine (tests)."""
    global _engine
    _engine = engine


def init_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it on first run)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    cfg = Config(str(config.ROOT / "alembic.ini"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        inspector = inspect(conn)
        if not inspector.has_table("alembic_version") and inspector.has_table("account"):
            # Created before migrations existed: it has the first revision's schema; the later ones still apply.
            command.stamp(cfg, "0001")
        command.upgrade(cfg, "head")


def update_where(model):
    """An UPDATE whose WHERE clause the database alone decides (no Python-side re-evaluation)."""
    return sql_update(model).execution_options(synchronize_session=False)


def table_update(model):
    """An UPDATE of the model's table as plain SQL, for the statements every add-to-cart runs (built once):
    the database alone decides its WHERE clause, as with `update_where`, and the ORM's bulk-update path, which
    computes the statement's cache key again on every execution, is skipped. Its WHERE and VALUES must name the
    table's columns (`model.__table__.c`): one ORM attribute (`Model.field`) there brings the ORM's path back
    (tests/unit/test_add_statements.py checks the add's). The session's objects are not touched: a caller that
    keeps using one sets what it wrote (`set_committed_value`)."""
    return sql_update(model.__table__)


def insert_on_conflict(db: Session, model, values: dict, keys: list[str], update: dict | None = None) -> None:
    """INSERT ... ON CONFLICT (keys) DO NOTHING, or DO UPDATE SET `update`: one statement the database
    decides, so two requests creating the same row at once cannot fail on the unique key."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(model.__table__).values(**values)
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=update)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    db.exec(stmt)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any error."""
    try:
        engine = get_engine()
    except (OperationalError, InterfaceError) as e:
        # A worker's first unit of work while the database is unreachable: its schema check failed.
        raise Unavailable() from e
    with Session(engine, expire_on_commit=False) as db:
        try:
            yield db
            db.commit()
        except (OperationalError, InterfaceError) as e:
            # The database is unreachable (or, on SQLite, busy past the timeout): nothing was written.
            _quiet_rollback(db)
            raise Unavailable() from e
        except BaseException:
            _quiet_rollback(db)
            raise


def sync_to_disk(db: Session) -> None:
    """Make what `db` has just committed survive a power cut, before anything leaves the store because of it.

    PostgreSQL's commits already do (`synchronous_commit`). SQLite's, in WAL mode with synchronous=NORMAL
    (`make_engine`), are written to the WAL and not yet flushed: flush the WAL file (a flush covers the file,
    whichever descriptor asks) as synchronous=FULL would have at the commit. SQLite refuses to change that
    setting inside a transaction, and a unit of work only knows it sends mail once it has begun."""
    url = db.get_bind().url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    try:
        fd = os.open(f"{url.database}-wal", os.O_RDONLY)
    except FileNotFoundError:
        return  # nothing was written through the WAL yet
    try:
        os.fdatasync(fd)
    finally:
        os.close(fd)


def _quiet_rollback(db: Session) -> None:
    try:
        db.rollback()
    except (OperationalError, InterfaceError):
        pass  # the connection is gone; the server rolled the transaction back


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes, PostgreSQL ones in the connection's time zone; everything we
    store is UTC."""
    if value is None:
        return value
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return value.replace(tzinfo=UTC)


MAX_ID = 2**63 - 1


def get_by_id(db: Session, model, value: object):
    """The row with this primary key, or None for anything that is not a plausible id.

    Ids arrive from the browser: a bool, a float, a string or 2**64 is no id (and 2**63 would
    overflow the database's integer), so it finds nothing instead of raising.
    """
    if type(value) is not int or not 1 <= value <= MAX_ID:
        return None
    return db.get(model, value)
