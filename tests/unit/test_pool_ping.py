"""PostgreSQL's pool pings a connection only when it idled (app/services/db.py `_ping_when_idle`): one handed
back a moment ago is used as it is; one that idled is pinged, and if the server dropped it, the pool replaces
it (and every other it had) before the unit of work runs a statement."""

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app.services import db as dbmod
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(pg_engine, monkeypatch):
    """The app's own PostgreSQL engine (make_engine), with its pings counted."""
    engine = dbmod.make_engine(PG_URL)
    pings = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or ping(conn))
    yield engine, pings
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(pid: int) -> None:
    admin = create_engine(dbmod.normalize_url(PG_URL))
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    admin.dispose()
    time.sleep(0.2)  # the backend is gone


def test_a_connection_handed_back_a_moment_ago_is_used_without_a_ping(pg):
    engine, pings = pg
    first = _backend(engine)
    for _ in range(20):
        assert _backend(engine) == first  # the same connection, last in first out
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dropped_one_replaced_before_any_statement(pg, monkeypatch):
    engine, pings = pg
    monkeypatch.setattr(dbmod, "PING_IF_IDLE_S", 0.1)
    first = _backend(engine)
    time.sleep(0.15)
    assert _backend(engine) == first and len(pings) == 1  # idle: pinged, alive, kept

    _terminate(first)  # the server drops it while it idles in the pool (a restart, an idle timeout)
    time.sleep(0.15)
    replaced = _backend(engine)  # no error reaches the caller
    assert replaced != first and len(pings) == 2


def test_a_connection_dropped_within_the_window_fails_once_then_the_pool_heals(pg, monkeypatch):
    """The price of not pinging a connection used a moment ago: if the server dropped it in that half
    second, the one unit of work that gets it fails (the store says it is unavailable); the next works."""
    engine, _pings = pg
    monkeypatch.setattr(dbmod, "PING_IF_IDLE_S", 60)
    first = _backend(engine)
    _terminate(first)
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert _backend(engine) != first
