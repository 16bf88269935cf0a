"""Cart-lock race and round trip through `app.services.locks`, on SQLite and PostgreSQL.

- Race: 50 CSRs (threads), each on its own database connection and its own on-behalf session for the same
  customer, wait on a barrier and call `locks.lock` at once. The number of holders is read back from the
  database (and from the calls that returned without Conflict); it must be 1. It is printed, not asserted.
  The race runs `--lock-rounds` times, the winner unlocking between rounds.
- Round trip: one CSR does `lock` then `unlock`, each in its own unit of work (as the app's event handlers
  do), `--lock-iterations` times after a warm-up; p50/p95/p99 of the pair.

Databases as in bench.find_customer: SQLite in a temporary folder, PostgreSQL in a scratch database
`bench_<pid>` when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, event
from sqlmodel import Session, select

from bench.find_customer import (
    CSR_EMAIL,
    Target,
    machine,
    percentiles,
    postgres_base_url,
    postgres_target,
    run_seed,
    sqlite_target,
)

CUSTOMER_EMAIL = "jane@example.com"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench --suite locks")
    p.add_argument("--csrs", type=int, default=50, help="concurrent CSRs in the race (default 50)")
    p.add_argument("--lock-rounds", type=int, default=5, help="races run (default 5)")
    p.add_argument("--lock-iterations", type=int, default=200, help="timed lock+unlock pairs (default 200)")
    p.add_argument("--databases", default="sqlite,postgresql")
    args, _ = p.parse_known_args(argv)
    args.database_list = [d.strip() for d in args.databases.split(",") if d.strip()]
    return args


def bench_engine(url: str, connections: int):
    """The app's engine settings (app.services.db.make_engine) with a pool big enough for every CSR."""
    from app.services.db import normalize_url

    url = normalize_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=connections + 2, max_overflow=0)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=connections + 2,
        max_overflow=0,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine


def make_csrs(engine, count: int) -> list:
    """`count` CSR accounts, each signed in with an on-behalf session for the same customer."""
    from app.services import auth, onbehalf
    from models import Account

    callers = []
    with Session(engine, expire_on_commit=False) as db:
        template = db.exec(select(Account).where(Account.email == CSR_EMAIL)).one()
        customer = db.exec(select(Account).where(Account.email == CUSTOMER_EMAIL)).one()
        accounts = []
        for i in range(count):
            a = Account(
                customer_number=f"BL{i:06d}",
                role="csr",
                first_name="Bench",
                last_name=f"Csr{i:02d}",
                email=f"bench-csr{i:02d}@example.com",
                password_hash=template.password_hash,
            )
            db.add(a)
            accounts.append(a)
        db.commit()
        for a in accounts:
            token = auth._start_session(db, a)
            db.commit()
            onbehalf.start(db, auth.resolve_caller(db, token), customer.id)
            db.commit()
            caller = auth.resolve_caller(db, token)
            db.commit()
            if not caller.on_behalf:
                raise RuntimeError(f"{a.email} is not on behalf of {CUSTOMER_EMAIL}")
            callers.append(caller)
    return callers


def race(engine, callers: list) -> dict:
    from app.services import locks
    from app.services.errors import Conflict, DomainError
    from models import Cart

    n = len(callers)
    barrier = threading.Barrier(n)
    outcome: list[str] = ["?"] * n
    # Every thread holds its own connection before the barrier, so they really hit the database together.
    conns = [engine.connect() for _ in range(n)]

    def csr(i: int) -> None:
        with Session(bind=conns[i], expire_on_commit=False) as db:
            try:
                barrier.wait(timeout=60)
                locks.lock(db, callers[i])
                db.commit()
                outcome[i] = "won"
            except Conflict:
                db.rollback()
                outcome[i] = "conflict"
            except DomainError as e:
                db.rollback()
                outcome[i] = f"refused: {e.message}"
            except Exception as e:  # noqa: BLE001 - counted and printed
                db.rollback()
                outcome[i] = f"error: {type(e).__name__}"

    started = time.perf_counter()
    threads = [threading.Thread(target=csr, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for c in conns:
        c.close()
    with Session(engine) as db:
        cart = db.exec(
            select(Cart).where(Cart.account_id == callers[0].customer_id, Cart.status == "active")
        ).one()
        holder = cart.locked_by_id
    winners = [i for i, o in enumerate(outcome) if o == "won"]
    holder_is_winner = len(winners) == 1 and callers[winners[0]].account_id == holder
    counts: dict[str, int] = {}
    for o in outcome:
        counts[o] = counts.get(o, 0) + 1
    # Release for the next round (the winner unlocks).
    if holder is not None:
        holder_caller = next(c for c in callers if c.account_id == holder)
        with Session(engine, expire_on_commit=False) as db:
            locks.unlock(db, holder_caller)
            db.commit()
    return {
        "holders": len(winners),
        "db_holder_is_the_winner": holder_is_winner,
        "outcomes": counts,
        "seconds": round(elapsed, 3),
    }


def round_trip(engine, caller, iterations: int, warmup: int = 20) -> dict:
    from app.services import db as dbmod
    from app.services import locks

    previous = dbmod._engine
    dbmod.use_engine(engine)
    times = []
    try:
        for i in range(iterations + warmup):
            t0 = time.perf_counter_ns()
            with dbmod.session_scope() as db:
                locks.lock(db, caller)
            with dbmod.session_scope() as db:
                locks.unlock(db, caller)
            if i >= warmup:
                times.append(time.perf_counter_ns() - t0)
    finally:
        dbmod.use_engine(previous)
    return percentiles(times)


def run_target(target: Target, args) -> dict:
    from app.services import db as dbmod

    print(f"\n== locks on {target.name}", flush=True)
    run_seed(target.url, "--reset")
    engine = bench_engine(target.url, args.csrs)
    try:
        dbmod.init_schema(engine)
        callers = make_csrs(engine, args.csrs)
        rounds = [race(engine, callers) for _ in range(args.lock_rounds)]
        for i, r in enumerate(rounds, 1):
            print(
                f"  race {i}: {args.csrs} CSRs -> holders = {r['holders']} "
                f"(database holder is the winner: {r['db_holder_is_the_winner']}); "
                f"outcomes {r['outcomes']}; {r['seconds'] * 1000:.0f} ms",
                flush=True,
            )
        rt = round_trip(engine, callers[0], args.lock_iterations)
        print(
            f"  lock+unlock round trip ({rt['n']} pairs, one CSR): p50 {rt['p50']:.2f} ms  "
            f"p95 {rt['p95']:.2f} ms  p99 {rt['p99']:.2f} ms",
            flush=True,
        )
        return {"database": target.name, "csrs": args.csrs, "races": rounds, "lock_unlock_ms": rt}
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    report = {
        "benchmark": "locks",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "runs": [],
        "errors": [],
    }
    makers = []
    if "sqlite" in args.database_list:
        makers.append(sqlite_target)
    pg = postgres_base_url()
    if "postgresql" in args.database_list:
        if pg:
            makers.append(lambda: postgres_target(pg))
        else:
            print("locks: PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to include it")
    for make in makers:
        target = None
        try:
            target = make()
            report["runs"].append(run_target(target, args))
        except Exception as e:  # noqa: BLE001 - report and go on
            print(f"!! locks: {type(e).__name__}: {e}", flush=True)
            report["errors"].append(f"{type(e).__name__}: {e}")
        finally:
            if target:
                try:
                    target.cleanup()
                except Exception as e:  # noqa: BLE001 - best effort
                    print(f"!! cleanup failed: {e}")
    return report
