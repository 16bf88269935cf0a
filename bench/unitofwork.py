"""The database part of one add-to-cart, alone: CPU per unit of work and SQL statements, in this process.

`python -m bench --suite unitofwork [--adds N]`. The same unit of work as an add-to-cart event's
(`app/state/guard.py _transaction` with `carts.add`: resolve the caller, change the cart, collect what is
published), without Reflex, the websocket or a state manager, on a fresh SQLite file with the demo data. Two
callers: anonymous shoppers (one cart per browser key) and signed-in customers (a session token each); then
the same on a scratch PostgreSQL database when BENCH_DATABASE_URL or TEST_DATABASE_URL names a server. Timed
with `time.process_time()` (this process's CPU, so steadier than the events bench on a shared machine); the
events bench's CPU per add-to-cart less this figure is what Reflex and the live publication cost around it.
Each series runs twice; the first warms SQLAlchemy's statement caches and is not reported.

`--instructions`: instead, the CPU instructions each kind of unit of work executes (SQLite), counted by
valgrind's callgrind (`valgrind` on PATH; Debian's package), in a child process whose counting is switched on
only around the measured series (`callgrind_control`). A count does not depend on what else the machine is
doing: the same tree gives the same figure within 1 %, where the CPU time above spreads ±30 % between runs on
these shared hosts. So it decides between two versions of the same code; it is not a time.

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


KINDS = ("anonymous", "signed_in", "cart_view", "customer_360", "order_page", "product_load", "catalog_load")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench --suite unitofwork")
    p.add_argument("--adds", type=int, default=2000, help="add-to-carts per series (default 2000)")
    p.add_argument(
        "--instructions",
        action="store_true",
        help="count CPU instructions per unit of work under valgrind instead (SQLite; --adds default 100)",
    )
    p.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help=f"with --instructions: which kinds, comma-separated (default all: {','.join(KINDS)})",
    )
    args, _ = p.parse_known_args(argv)
    return args


def main(argv=None) -> dict:
    sys.path.insert(0, str(ROOT))
    args = parse_args(argv)
    if args.instructions:
        return {
            "benchmark": "unitofwork",
            "instructions": instructions(
                args.adds if "--adds" in (argv or []) else 100, [k for k in args.kinds.split(",") if k]
            ),
        }
    from bench.find_customer import postgres_base_url
    from storefront_qa.scratch import scratch_postgres

    report = {"benchmark": "unitofwork"}
    with tempfile.TemporaryDirectory(prefix="bench_uow_") as tmp:
        report["sqlite"] = measure(f"sqlite:///{tmp}/store.db", args.adds, "SQLite")
    if postgres_base_url():  # BENCH_DATABASE_URL or TEST_DATABASE_URL: the same on PostgreSQL
        with scratch_postgres(postgres_base_url(), prefix="uow") as url:
            report["postgresql"] = measure(url, args.adds, "PostgreSQL")
    else:
        print("  (no BENCH_DATABASE_URL or TEST_DATABASE_URL: PostgreSQL not measured)", flush=True)
    return report


def _store(url: str):
    """A demo store on `url` whose add-to-cart variant never runs out: (engine, its SKU, a session token of
    every active shopper)."""
    from sqlmodel import Session, select

    from app import seed
    from app.services import auth
    from app.services import db as dbmod
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
    return engine, variant.sku, tokens


def measure(url: str, adds: int, label: str) -> dict:
    from sqlalchemy import event

    from app.services import carts
    from app.state.guard import _transaction

    engine, sku, tokens = _store(url)
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


# -- instructions (--instructions) --------------------------------------------------------------------------


def instructions(n: int, kinds: list[str]) -> dict:
    """Instructions per unit of work of each kind, each counted in a child process under callgrind."""
    import re
    import shutil
    import subprocess

    if not shutil.which("valgrind"):
        print("  (valgrind is not installed: apt-get install valgrind; instructions not counted)", flush=True)
        return {}
    out = {}
    with tempfile.TemporaryDirectory(prefix="bench_uow_ir_") as tmp:
        for kind in kinds:
            if kind not in KINDS:
                raise SystemExit(f"no such kind {kind!r}: one of {', '.join(KINDS)}")
            run = subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    "--instr-atstart=no",
                    f"--callgrind-out-file={tmp}/callgrind.%p",
                    sys.executable,
                    "-c",
                    f"from bench.unitofwork import count_child; count_child({kind!r}, {n})",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,  # its output says why, below
            )
            found = re.search(r"Collected\s*:\s*([0-9,]+)", run.stderr)
            if run.returncode != 0 or not found:
                raise RuntimeError(f"counting {kind} failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
            per = int(found.group(1).replace(",", "")) / n
            out[kind] = {"units_of_work": n, "million_instructions_each": round(per / 1e6, 3)}
            print(
                f"  unit of work, SQLite, {kind:<12}: {per / 1e6:6.3f} million instructions each (n={n})",
                flush=True,
            )
    return out


def count_child(kind: str, n: int) -> None:
    """In the child under callgrind: build the store, warm up, then count `n` units of work of `kind`."""
    import os
    import subprocess

    sys.path.insert(0, str(ROOT))
    from sqlmodel import Session, select

    from app.services import auth, carts, catalog, customer360, order_status, orders
    from app.state.guard import _transaction
    from models import Account, Order

    tmp = tempfile.mkdtemp(prefix="bench_uow_ir_store_")
    engine, sku, tokens = _store(f"sqlite:///{tmp}/store.db")
    with Session(engine, expire_on_commit=False) as db:
        csr = db.exec(select(Account).where(Account.role == "csr")).first()
        order = db.exec(select(Order)).first()
        customer = db.get(Account, order.account_id)
        csr_token, customer_token = auth._start_session(db, csr), auth._start_session(db, customer)
        db.commit()
    number, order_number = customer.customer_number, order.number

    def add(db, caller, anon):
        return carts.add(db, caller, anon, sku, 1)

    units = {
        "anonymous": lambda i: _transaction("", f"anon-{i % 40:03d}-key", add, True),
        "signed_in": lambda i: _transaction(tokens[i % len(tokens)], "", add, True),
        "cart_view": lambda i: _transaction(
            tokens[i % len(tokens)], "", lambda db, caller, a: carts.view(db, caller, a), False
        ),
        "customer_360": lambda i: _transaction(
            csr_token, "", lambda db, caller, a: customer360.view(db, caller, number), False
        ),
        "order_page": lambda i: _transaction(
            customer_token,
            "",
            lambda db, caller, a: (
                orders.order_detail(db, caller, order_number),
                order_status.progress(db, caller, order_number),
            ),
            False,
        ),
    }

    # A page load's units of work for a new anonymous visitor (no cart yet): the mini-cart's (CartState.load),
    # then the page's own, in the order app/state/page.py runs them.
    def page_load(page_action):
        def load(i):
            visitor = f"visitor-{kind}-{i}-key"
            _transaction("", visitor, lambda db, caller, a: (caller, carts.view(db, caller, a)), True)
            _transaction("", visitor, page_action, False)

        return load

    units["product_load"] = page_load(lambda db, caller, a: catalog.product_page(db, caller, PRODUCT))
    units["catalog_load"] = page_load(
        lambda db, caller, a: (catalog.categories(db), catalog.search(db, caller, catalog.CatalogQuery()))
    )
    unit = units[kind]
    for i in range(50):  # statement caches, the carts and their lines
        unit(i)
    control = ["callgrind_control", "--instr=on", str(os.getpid())]
    subprocess.run(control, check=True, capture_output=True)
    for i in range(n):
        unit(i)
    subprocess.run([*control[:1], "--instr=off", control[2]], check=True, capture_output=True)
