"""The database part of one add-to-cart, alone: CPU per unit of work and SQL statements, in this process.

`python -m bench --suite unitofwork [--adds N]`. The same unit of work as an add-to-cart event's
(`app/state/guard.py _transaction` with `carts.add`: resolve the caller, change the cart, collect what is
published), without Reflex, the websocket or a state manager, on a fresh SQLite file with the demo data. Two
callers: anonymous shoppers (one cart per browser key) and signed-in customers (a session token each); then
the same on a scratch PostgreSQL database when BENCH_DATABASE_URL or TEST_DATABASE_URL names a server. Timed
with `time.process_time()` (this process's CPU, so steadier than the events bench on a shared machine); the
events bench's CPU per add-to-cart less this figure is what Reflex and the live publication cost around it.
Each series runs twice; the first warms SQLAlchemy's statement caches and is not reported.

Also the reads an open page repeats while it watches (app/state/live.py `keep_reading`): Customer 360's read of
a customer (a CSR's session, every 3 s) and the order page's read of an order (its customer's, every 5 s), each
as the same `_transaction` with no change to publish.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path.cwd()  # the tree measured (a worktree of another commit runs the same file against its own app)
PRODUCT = "JKT-RAIN"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench --suite unitofwork")
    p.add_argument("--adds", type=int, default=2000, help="add-to-carts per series (default 2000)")
    args, _ = p.parse_known_args(argv)
    return args


def main(argv=None) -> dict:
    sys.path.insert(0, str(ROOT))
    from bench.find_customer import postgres_base_url
    from storefront_qa.scratch import scratch_postgres

    args = parse_args(argv)
    report = {"benchmark": "unitofwork"}
    with tempfile.TemporaryDirectory(prefix="bench_uow_") as tmp:
        report["sqlite"] = measure(f"sqlite:///{tmp}/store.db", args.adds, "SQLite")
    if postgres_base_url():  # BENCH_DATABASE_URL or TEST_DATABASE_URL: the same on PostgreSQL
        with scratch_postgres(postgres_base_url(), prefix="uow") as url:
            report["postgresql"] = measure(url, args.adds, "PostgreSQL")
    else:
        print("  (no BENCH_DATABASE_URL or TEST_DATABASE_URL: PostgreSQL not measured)", flush=True)
    return report


def measure(url: str, adds: int, label: str) -> dict:
    from sqlalchemy import event
    from sqlmodel import Session, select

    from app import seed
    from app.services import auth, carts
    from app.services import db as dbmod
    from app.state.guard import _transaction
    from models import Account, Product, Variant

    engine = dbmod.make_engine(url)
    dbmod.init_schema(engine)
    dbmod.use_engine(engine)
    with Session(engine, expire_on_commit=False) as db:
        with contextlib.redirect_stdout(io.StringIO()):  # the demo mail it writes
            seed.seed_demo(db)
        db.commit()
        product = db.exec(select(Product).where(Product.code == PRODUCT)).one()
        variant = db.exec(select(Variant).where(Variant.product_id == product.id)).first()
        variant.stock = 10**9
        db.add(variant)
        customers = db.exec(
            select(Account).where(Account.role == "shopper", Account.status == "active")
        ).all()
        tokens = [auth._start_session(db, a) for a in customers]
        db.commit()
    sku = variant.sku
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    anon_prefix = ["anon"]

    def series(token_for, anon_for) -> dict:
        out = {}
        for run in ("warm-up", "measured"):
            statements[0] = 0
            t_cpu, t_wall = time.process_time(), time.perf_counter()
            for i in range(adds):
                token, anon = token_for(i), anon_for(i)
                _transaction(token, anon, lambda db, caller, a: carts.add(db, caller, a, sku, 1), True)
            cpu, wall = time.process_time() - t_cpu, time.perf_counter() - t_wall
            out = {
                "adds": adds,
                "cpu_ms_per_add": round(cpu * 1000 / adds, 3),
                "wall_ms_per_add": round(wall * 1000 / adds, 3),
                "sql_statements_per_add": round(statements[0] / adds, 2),
            }
            if run == "warm-up":  # a fresh set of carts for the measured run (at most 99 of an item)
                anon_prefix[0] += "x"
                _reset_lines(engine)
        return out

    report = {
        "anonymous": series(lambda i: "", lambda i: f"{anon_prefix[0]}-{i % 40:03d}-key"),
        "signed_in": series(lambda i: tokens[i % len(tokens)], lambda i: ""),
    }
    for who, r in report.items():
        print(
            f"  unit of work of an add-to-cart, {label}, {who:<10}: {r['cpu_ms_per_add']:.3f} ms CPU "
            f"({r['wall_ms_per_add']:.3f} ms wall), {r['sql_statements_per_add']} SQL statements "
            f"(n={r['adds']})",
            flush=True,
        )
    report["watch_reads"] = watch_reads(engine, adds, statements, label)
    engine.dispose()
    return report


def watch_reads(engine, reads: int, statements: list[int], label: str) -> dict:
    """CPU of one read of an open Customer 360 page and of an open order page (their watches' ticks)."""
    from sqlmodel import Session, select

    from app.services import auth, customer360, order_status, orders
    from app.state.guard import _transaction
    from models import Account, Order

    with Session(engine, expire_on_commit=False) as db:
        csr = db.exec(select(Account).where(Account.role == "csr")).first()
        order = db.exec(select(Order)).first()  # the demo's order, and its customer
        customer = db.get(Account, order.account_id)
        csr_token, customer_token = auth._start_session(db, csr), auth._start_session(db, customer)
        db.commit()
    number, order_number = customer.customer_number, order.number
    kinds = {
        "customer_360": (csr_token, lambda db, caller, a: customer360.view(db, caller, number)),
        "order_page": (
            customer_token,
            lambda db, caller, a: (
                orders.order_detail(db, caller, order_number),
                order_status.progress(db, caller, order_number),
            ),
        ),
    }
    out = {}
    for kind, (token, action) in kinds.items():
        for _run in ("warm-up", "measured"):
            statements[0] = 0
            t_cpu = time.process_time()
            for _ in range(reads):
                _transaction(token, "", action, False)
            cpu = time.process_time() - t_cpu
        out[kind] = {
            "reads": reads,
            "cpu_ms_per_read": round(cpu * 1000 / reads, 3),
            "sql_statements_per_read": round(statements[0] / reads, 2),
        }
        print(
            f"  an open page's read, {label}, {kind:<12}: {out[kind]['cpu_ms_per_read']:.3f} ms CPU, "
            f"{out[kind]['sql_statements_per_read']} SQL statements (n={reads})",
            flush=True,
        )
    return out


def _reset_lines(engine) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM cartline"))
