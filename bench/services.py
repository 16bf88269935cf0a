"""Where a benchmarked store runs: SQLite with one worker, or PostgreSQL + Redis with several (`make run-prod`)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

DEFAULT_REDIS = "redis://127.0.0.1:6379/5"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--prod-services",
        action="store_true",
        help="run the store on PostgreSQL (scratch database on BENCH_/TEST_DATABASE_URL's server) and Redis "
        "(--redis-url), so Reflex starts several workers, as `make run-prod` does",
    )
    p.add_argument(
        "--postgres",
        action="store_true",
        help="run the store on PostgreSQL (as --prod-services) without Redis: one worker, so the database's "
        "share of the --prod-services figures can be told from Redis's",
    )
    p.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS,
        help=f"Redis for --prod-services; its database is FLUSHDB-ed before and after (default {DEFAULT_REDIS})",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="backend workers with --prod-services (default: Reflex's, 2 x cores + 1)",
    )


@dataclass
class Services:
    label: str
    database_url: str | None = None  # None: StoreServer's own SQLite file
    redis_url: str | None = None
    workers: int | None = None  # None: Reflex's default (one without Redis)


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


@contextmanager
def store_services(args: argparse.Namespace) -> Iterator[Services]:
    """The services for `StoreServer(database_url=…, redis_url=…)`, cleaned up afterwards."""
    if not (args.prod_services or getattr(args, "postgres", False)):
        yield Services("SQLite, no Redis (one backend worker)")
        return
    from bench.find_customer import postgres_base_url, postgres_target

    if not postgres_base_url():
        raise RuntimeError("--prod-services and --postgres need BENCH_DATABASE_URL or TEST_DATABASE_URL")
    pg = postgres_target(postgres_base_url())
    if not args.prod_services:
        try:
            yield Services("PostgreSQL scratch database, no Redis (one backend worker)", pg.url)
        finally:
            pg.cleanup()
        return
    flush_redis(args.redis_url)
    try:
        workers = f"{args.workers} worker{'s' * (args.workers > 1)}" if args.workers else "several workers"
        yield Services(
            f"PostgreSQL scratch database + Redis {args.redis_url} ({workers})",
            pg.url,
            args.redis_url,
            args.workers,
        )
    finally:
        flush_redis(args.redis_url)
        pg.cleanup()
