"""`GET /health` (app/health.py, docs/OPERATIONS.md): 200 while the database (and Redis, when used) answer;
503 naming the part that does not, within HEALTH_TIMEOUT_SECONDS even when it hangs instead of refusing."""

from __future__ import annotations

import socket
import time

import pytest
from starlette.testclient import TestClient

from app import config, health
from app.endpoints import api
from app.services import db as dbmod


@pytest.fixture(autouse=True)
def _fresh_checks(monkeypatch):
    health._running.clear()
    monkeypatch.setattr(config, "HEALTH_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(config, "REDIS_URL", None)
    monkeypatch.setattr(config, "INSTANCE", "")
    yield
    health._running.clear()


@pytest.fixture
def database_at(monkeypatch):
    """Point the services at a database URL for one test."""
    previous = dbmod._engine

    def use(url: str) -> None:
        dbmod.use_engine(dbmod.make_engine(url))

    yield use
    dbmod.use_engine(previous)


def get_health():
    started = time.monotonic()
    response = TestClient(api).get("/health")
    return response, time.monotonic() - started


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_up(engine, monkeypatch):
    monkeypatch.setattr(config, "BACKEND_PORT", 3123)
    response, _ = get_health()
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not used",
        "instance": f"{socket.gethostname()}:3123",
    }
    assert response.headers["cache-control"] == "no-store"


def test_instance_is_configurable(sqlite_engine, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE", "web-2")
    assert get_health()[0].json()["instance"] == "web-2"


def test_database_refusing_connections_is_503(database_at):
    database_at(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/store")
    response, took = get_health()
    assert response.status_code == 503 and took < 3
    assert response.json()["status"] == "unavailable" and response.json()["database"] == "down"


def test_database_that_hangs_is_503_within_the_timeout(database_at):
    """A server that accepts the connection and never answers (a database frozen or cut off mid-way)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        database_at(f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/store")
        response, took = get_health()
        assert response.status_code == 503 and response.json()["database"] == "timeout"
        assert took < 2.5
        # The next probe while it still hangs shares the running check: no threads pile up.
        response, took = get_health()
        assert response.status_code == 503 and took < 2.5
        assert health._POOL._work_queue.qsize() == 0


def test_redis_down_is_503_and_named(sqlite_engine, monkeypatch):
    monkeypatch.setattr(config, "REDIS_URL", f"redis://127.0.0.1:{closed_port()}/7")
    response, _ = get_health()
    assert response.status_code == 503
    assert response.json()["database"] == "ok" and response.json()["redis"] == "down"


def test_redis_up(sqlite_engine, monkeypatch):
    import redis

    url = "redis://127.0.0.1:6379/7"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    monkeypatch.setattr(config, "REDIS_URL", url)
    response, _ = get_health()
    assert response.status_code == 200 and response.json()["redis"] == "ok"
