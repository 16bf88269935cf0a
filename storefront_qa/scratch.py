"""The real backing services, privately: a scratch PostgreSQL database and a Redis database of one's own.

    with scratch_postgres("postgresql+psycopg://postgres@127.0.0.1:5432/test") as url:   # rel_<random>
        with private_redis("redis://127.0.0.1:6379") as redis_url:                        # .../<db>
            StoreServer(workdir, database_url=url, redis_url=redis_url, workers=2)

Both clean up only what they made: the database they created, the Redis database they claimed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

CLAIM_KEY = "storefront_qa:claimed-by"
CLAIM_SECONDS = 6 * 3600  # a run that died without cleaning up frees its Redis database by itself


def _driver_url(url: str) -> str:
    # psycopg 3 is the driver the project ships; plain postgresql:// would ask for psycopg2.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@contextmanager
def scratch_postgres(server_url: str, prefix: str = "scratch") -> Iterator[str]:
    """Create the empty database `<prefix>_<random>` on the server of `server_url`, yield its URL, and
    drop it afterwards (with whatever connections the store left open)."""
    server = make_url(_driver_url(server_url))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextmanager
def private_redis(server_url: str, db: int | None = None) -> Iterator[str]:
    """Claim an empty Redis logical database (never 0, where `make run-prod` keeps its state), yield its
    URL, and flush it afterwards. The claim is a marker key set only if absent, so concurrent runs using
    this helper never share a database. `db` claims that database only (an error when it is in use)."""
    import redis

    base = redis.Redis.from_url(server_url)
    try:
        count = int(base.config_get("databases").get("databases", 16))
    except redis.ResponseError:  # CONFIG disabled: the default
        count = 16
    finally:
        base.close()
    me = uuid.uuid4().hex
    for n in range(1, count) if db is None else [db]:
        client = redis.Redis.from_url(server_url, db=n)
        if client.dbsize() == 0 and client.set(CLAIM_KEY, me, nx=True, ex=CLAIM_SECONDS):
            break
        client.close()
    else:
        wanted = f"database {db} is" if db is not None else f"all {count - 1} besides 0 are"
        raise RuntimeError(f"no free Redis database on {server_url} ({wanted} in use)")
    try:
        yield f"{server_url.rstrip('/')}/{n}"
    finally:
        if client.get(CLAIM_KEY) == me.encode():
            client.flushdb()
        client.close()
