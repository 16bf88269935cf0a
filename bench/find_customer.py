"""Find-customer benchmark (docs/PRODUCT.md §Find customer; the budgets of §Quality bars: p95 ≤ 2 ms at
1,000,000 customers on SQLite, ≤ 5 ms at 10,000,000 on PostgreSQL, 2 cores).

For each database (a temporary SQLite file always; PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL
is set, in a scratch database `bench_<pid>` created and dropped on that server) and each size in --sizes:

1. seed the demo data once (`python -m app.seed --reset`) and then top up the synthetic shoppers to the size
   (`python -m app.seed --customers <difference>`), both as subprocesses with DATABASE_URL set;
2. time `customers.find` through the real service, one unit of work (`session_scope`) per search, as a
   signed-in CSR, for the criteria mixes a CSR types, with varied values (warm-up first);
3. time the same SQL alone (the statement the service sent, captured from the engine) on a plain DBAPI
   cursor, and print app/raw;
4. EXPLAIN each mix once and flag any full scan of a table (SQLite `SCAN t` / PostgreSQL `Seq Scan`).

Nothing here asserts on a time: the budget is printed for information only.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = "0,100000"
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.json"
# Informational only (docs/PRODUCT.md §Quality bars): SQLite at 1,000,000 customers, PostgreSQL at 10,000,000.
BUDGET_P95_MS = {"sqlite": 2.0, "postgresql": 5.0}
CSR_EMAIL = "csr@example.com"
POOL = 50  # distinct criteria values per mix; the timed sequence cycles through them in a shuffled order


# ----------------------------------------------------------------------------------------------- targets
@dataclass
class Target:
    name: str  # "sqlite" | "postgresql"
    url: str  # what DATABASE_URL is set to for the seed subprocesses and the in-process engine
    cleanup: Callable[[], None] = lambda: None
    notes: list[str] = field(default_factory=list)


def _display(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def sqlite_target() -> Target:
    folder = tempfile.mkdtemp(prefix="bench_find_customer_")
    return Target("sqlite", f"sqlite:///{folder}/bench.db", lambda: shutil.rmtree(folder, ignore_errors=True))


def postgres_target(base_url: str) -> Target:
    """A scratch database on the server of base_url; base_url's own database is only used to issue
    CREATE/DROP DATABASE (no table in it is read or written)."""
    from app.services.db import normalize_url

    base = make_url(normalize_url(base_url))
    name = f"bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            try:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            except Exception:  # noqa: BLE001 - another backend still connected: PostgreSQL 13+ can force it
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    url = base.set(database=name).render_as_string(hide_password=False)
    return Target("postgresql", url, drop)


def postgres_base_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""


# --------------------------------------------------------------------------------------------- seeding
def run_seed(url: str, *args: str) -> float:
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "app.seed", *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"app.seed {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    last = [line for line in proc.stdout.splitlines() if line.strip()][-1:]
    print(f"    seed {' '.join(args)}: {elapsed:.1f}s  {last[0] if last else ''}", flush=True)
    return elapsed


def _padded(expr: str, width: int) -> str:
    """Python's f"{n:0{width}d}" in SQL (lpad alone would cut a longer number)."""
    return f"lpad(({expr})::text, greatest({width}, length(({expr})::text)), '0')"


def _tel_sql() -> str:
    """Ten digits as app.seed draws them: area 201-989, exchange 200-999, line 0000-9999."""
    return (
        "(201 + floor(random() * 789))::int::text || (200 + floor(random() * 800))::int::text"
        " || lpad(floor(random() * 10000)::int::text, 4, '0')"
    )


def _shown_sql(column: str) -> str:
    return (
        f"CASE WHEN {column} = '' THEN '' ELSE "
        f"'(' || substr({column}, 1, 3) || ') ' || substr({column}, 4, 3) || '-' || substr({column}, 7) END"
    )


PG_BULK_CHUNK = 1_000_000


def pg_bulk_customers(url: str, n: int) -> dict:
    """`app.seed --customers n` for PostgreSQL, generated by the server: INSERT ... SELECT generate_series.

    The rows are what app.seed's bulk path writes (same columns, same value shapes and shares: ids after the
    current maximum, C-numbers and user<id>@example.net addresses from the id, names from SYNTH_FIRST/LAST,
    mobile always, home 40 %, work 25 %, 5-digit postal codes, cities from SYNTH_CITIES), with the normalised
    columns as `refresh_search_columns` computes them (lower-case names, digits-only phones). The random
    draws come from PostgreSQL's random() after setseed(), not Python's generator, so the values differ from
    the Python path's, not their distribution. The non-unique indexes of `account` are dropped for the load
    and re-created from their own definitions (pg_get_indexdef) in the same transaction: one sort each instead
    of 10,000,000 random inserts into seven B-trees. Then VACUUM (ANALYZE) account, what autovacuum does
    after a bulk insert (it sets the visibility map the index-only scans rely on).
    """
    from app.seed import SYNTH_CITIES, SYNTH_FIRST, SYNTH_LAST
    from app.services.auth import hash_password

    timings: dict = {}
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        with engine.begin() as conn:
            start = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM account").scalar_one()
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
            conn.exec_driver_sql("SELECT setseed(0.5)")
            indexes = conn.exec_driver_sql(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = 'account'::regclass AND NOT i.indisprimary AND NOT i.indisunique "
                "ORDER BY c.relname"
            ).all()
            for name, _ in indexes:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
            tel = _tel_sql()
            sql = f"""
                INSERT INTO account (id, customer_number, role, status, first_name, last_name, email, phone,
                    phone_home, phone_work, password_hash, allow_assistance, segments, first_name_norm,
                    last_name_norm, phone_norm, phone_home_norm, phone_work_norm, postal_code_norm, city,
                    created_at)
                SELECT g, 'C' || {_padded("100000 + g", 7)}, 'shopper', 'active', f, l,
                    'user' || {_padded("g", 7)} || '@example.net', {_shown_sql("tel")}, {_shown_sql("home")},
                    {_shown_sql("work")}, %(hash)s, true, '', lower(f), lower(l), tel, home, work, postal, city,
                    now()
                FROM (
                    SELECT g,
                        (%(first)s::text[])[1 + floor(random() * %(nfirst)s)::int] AS f,
                        (%(last)s::text[])[1 + floor(random() * %(nlast)s)::int] AS l,
                        {tel} AS tel,
                        lpad((1000 + floor(random() * 99000))::int::text, 5, '0') AS postal,
                        CASE WHEN random() < 0.4 THEN {tel} ELSE '' END AS home,
                        CASE WHEN random() < 0.25 THEN {tel} ELSE '' END AS work,
                        (%(cities)s::text[])[1 + floor(random() * %(ncities)s)::int] AS city
                    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
                    OFFSET 0
                ) AS drawn
            """
            params = {
                "hash": hash_password("synthetic-pass-123"),
                "first": SYNTH_FIRST,
                "nfirst": len(SYNTH_FIRST),
                "last": SYNTH_LAST,
                "nlast": len(SYNTH_LAST),
                "cities": SYNTH_CITIES,
                "ncities": len(SYNTH_CITIES),
            }
            for lo in range(start, start + n, PG_BULK_CHUNK):
                hi = min(lo + PG_BULK_CHUNK, start + n) - 1
                conn.exec_driver_sql(sql, {**params, "lo": lo, "hi": hi})
                print(
                    f"      inserted {hi - start + 1:,} / {n:,} ({time.perf_counter() - started:.0f}s)",
                    flush=True,
                )
            timings["insert_s"] = round(time.perf_counter() - started, 1)
            for name, definition in indexes:
                t0 = time.perf_counter()
                conn.exec_driver_sql(definition)
                print(f"      {name}: {time.perf_counter() - t0:.1f}s", flush=True)
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('account', 'id'), (SELECT MAX(id) FROM account))"
            )
            timings["indexes_s"] = round(time.perf_counter() - started - timings["insert_s"], 1)
        t0 = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) account")
            sizes = conn.exec_driver_sql(
                "SELECT pg_relation_size('account'), pg_indexes_size('account'), "
                "pg_total_relation_size('account'), pg_database_size(current_database())"
            ).one()
        timings["vacuum_s"] = round(time.perf_counter() - t0, 1)
        timings["total_s"] = round(time.perf_counter() - started, 1)
        timings.update(
            zip(
                ("table_bytes", "indexes_bytes", "total_relation_bytes", "database_bytes"), sizes, strict=True
            )
        )
    finally:
        engine.dispose()
    print(
        f"    pg bulk --customers {n}: {timings['total_s']}s (insert {timings['insert_s']}s, indexes "
        f"{timings['indexes_s']}s, vacuum {timings['vacuum_s']}s); account {timings['total_relation_bytes'] / 2**30:.2f} "
        f"GiB with indexes, database {timings['database_bytes'] / 2**30:.2f} GiB",
        flush=True,
    )
    return timings


# ------------------------------------------------------------------------------------------- the mixes
@dataclass
class Sample:
    last_name_norm: str
    email: str
    phone: str  # mobile, as shown ("(415) 623-4567")
    customer_number: str
    postal_code_norm: str
    phone_home: str = ""
    phone_work: str = ""


def sample_shoppers(engine: Engine, rng: random.Random, want: int = 400) -> list[Sample]:
    """Random active shoppers (demo and synthetic) to draw realistic criteria from."""
    with engine.connect() as conn:
        lo, hi = conn.execute(
            text("SELECT MIN(id), MAX(id) FROM account WHERE role = 'shopper' AND status = 'active'")
        ).one()
        if lo is None:
            return []
        ids = sorted({rng.randint(lo, hi) for _ in range(want * 2)})
        rows = []
        for chunk in range(0, len(ids), 500):
            rows += conn.execute(
                text(
                    "SELECT last_name_norm, email, phone, customer_number, postal_code_norm, phone_home, "
                    "phone_work FROM account "
                    "WHERE role = 'shopper' AND status = 'active' AND id IN ("
                    + ", ".join(str(i) for i in ids[chunk : chunk + 500])
                    + ")"
                )
            ).all()
    rng.shuffle(rows)
    return [Sample(*row) for row in rows[:want]]


def order_numbers(engine: Engine, want: int = 200) -> list[str]:
    """Real order numbers (the demo data's; synthetic shoppers have no orders)."""
    with engine.connect() as conn:
        return list(conn.execute(text(f'SELECT number FROM "order" ORDER BY id LIMIT {int(want)}')).scalars())


def _case(rng: random.Random, value: str) -> str:
    """What a person types: lower, Capitalised or UPPER (matching is case-insensitive)."""
    return rng.choice([value.lower(), value.lower(), value.capitalize(), value.upper()])


def _pool(rng: random.Random, make: Callable[[], dict | None], fixed: list[dict]) -> list[dict]:
    seen, out = set(), []
    for criteria in fixed + [make() for _ in range(POOL * 4)]:
        key = json.dumps(criteria, sort_keys=True) if criteria else None
        if key and key not in seen:
            seen.add(key)
            out.append(criteria)
        if len(out) >= POOL:
            break
    return out


def _order_pool(rng: random.Random, orders: list[str], make: Callable[[], dict]) -> list[dict]:
    """Half real order numbers (cycling through the few there are, in any case), half unknown ones."""
    real = [{"order_number": _case(rng, orders[i % len(orders)])} for i in range(POOL // 2)] if orders else []
    unknown = [c for c in _pool(rng, make, []) if c["order_number"] not in orders]
    return real + unknown[: POOL - len(real)]


@dataclass
class Mix:
    name: str
    description: str
    pool: list[dict]


def build_mixes(samples: list[Sample], seed: int, orders: list[str] = ()) -> list[Mix]:
    from app.seed import SYNTH_LAST

    rng = random.Random(seed)
    with_phone = [s for s in samples if s.phone or s.phone_home or s.phone_work] or [
        Sample("", "", "(555) 010-1234", "", "")
    ]
    with_postal = [s for s in samples if s.postal_code_norm and s.last_name_norm] or [
        Sample("smith", "", "", "", "62704")
    ]
    common4 = sorted({name[:4].lower() for name in SYNTH_LAST if len(name) >= 4})

    def smi() -> dict:
        return {"last_name": _case(rng, rng.choice(["smi", "smi", "smit", "smith", "sm"]))}

    def last4() -> dict:
        return {"last_name": _case(rng, rng.choice(common4))}

    def email() -> dict | None:
        s = rng.choice(samples) if samples else None
        if not s or not s.email:
            return None
        local = s.email.split("@")[0]
        # Synthetic addresses are user<7 digits>@…: 8-11 characters narrow 10,000 down to 1 row per 1M.
        k = rng.randint(min(len(local), 8 if local.startswith("user") else 4), len(local))
        return {"email": s.email[:k]}

    def phone() -> dict:
        s = rng.choice(with_phone)
        # Any of the customer's phones (mobile, home or work: find matches all three), as typed:
        # "(415) 6", "(415) 62", "(415) 623-", "(415) 623-4", punctuation included.
        typed = rng.choice([p for p in (s.phone, s.phone_home, s.phone_work) if p])
        return {"phone": typed[: rng.choice([7, 8, 10, 11])]}

    def order() -> dict:
        # Well-formed numbers nobody has (they find nobody); _order_pool adds the real ones (the demo data
        # has one order: synthetic shoppers have none).
        if rng.random() < 0.5:  # the seed's style, W1000001, or a checkout's 20 hex digits
            return {"order_number": f"W{rng.randint(1_000_002, 9_999_999)}"}
        return {"order_number": "".join(rng.choice("0123456789abcdef") for _ in range(20))}

    def number() -> dict | None:
        s = rng.choice(samples) if samples else None
        if not s:
            return None
        return {"customer_number": rng.choice([s.customer_number, s.customer_number.lower()])}

    def postal_last() -> dict:
        s = rng.choice(with_postal)
        return {
            "postal_code": s.postal_code_norm,
            "last_name": _case(rng, s.last_name_norm[: rng.choice([3, 4])]),
        }

    return [
        Mix("last_smi", 'last name prefix "smi" and variants (smit, Smith, SM…)', _pool(rng, smi, [])),
        Mix("last_common4", "4-letter prefix of a common synthetic last name (john, garc…)", _pool(rng, last4, [])),
        Mix("email", "email prefix (user00123…, smith0…)", _pool(rng, email, [])),
        Mix("phone", 'prefix of any of the three phones, with punctuation ("(555) 01", "(415) 62"…)', _pool(rng, phone, [{"phone": "(555) 01"}])),
        Mix("customer_number", "exact customer number (any case)", _pool(rng, number, [])),
        Mix("order_number", "exact order number (any case); half of them unknown", _order_pool(rng, orders, order)),
        Mix("postal_last", "postal code + last name prefix", _pool(rng, postal_last, [])),
    ]  # fmt: skip


# ------------------------------------------------------------------------------------------- measuring
def percentiles(samples_ns: list[int]) -> dict:
    if not samples_ns:
        return {}
    ms = sorted(v / 1e6 for v in samples_ns)

    def rank(p: float) -> float:  # nearest-rank percentile
        return ms[max(0, math.ceil(p / 100 * len(ms)) - 1)]

    return {
        "n": len(ms),
        "min": ms[0],
        "p50": rank(50),
        "p95": rank(95),
        "p99": rank(99),
        "max": ms[-1],
        "mean": sum(ms) / len(ms),
    }


@contextmanager
def capture_sql(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    """Every (statement, parameters) the engine sends to the driver while active."""
    seen: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _is_search(statement: str) -> bool:
    s = " ".join(statement.split()).lower()
    return s.startswith("select") and "from account" in s and "order by" in s and "limit" in s


def csr_caller(engine: Engine):
    from app.services import auth
    from models import Account

    with Session(engine, expire_on_commit=False) as db:
        csr = db.exec(select(Account).where(Account.email == CSR_EMAIL)).one()
        token = auth._start_session(db, csr)
        db.commit()
        caller = auth.resolve_caller(db, token)
        db.commit()
    if not caller.signed_in:
        raise RuntimeError("could not sign the CSR in")
    return caller


def time_app(engine: Engine, caller, mix: Mix, sequence: list[int], warmup: int) -> tuple[list[int], dict]:
    from app.services import customers
    from app.services.db import session_scope

    times, rows, more = [], 0, 0
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for i, index in enumerate(sequence):
        criteria = mix.pool[index]
        t0 = time.perf_counter_ns()
        with session_scope() as db:
            result = customers.find(db, caller, criteria)
        elapsed = time.perf_counter_ns() - t0
        if i >= warmup:
            times.append(elapsed)
            rows += len(result.rows)
            more += bool(result.more)
    n = max(1, len(sequence) - warmup)
    # Share of the wall time this process was on a CPU: well below 1 means the machine was busy
    # (SQLite runs in-process; for PostgreSQL the server's own work is not counted here).
    share = (time.process_time() - cpu) / max(1e-9, time.perf_counter() - wall)
    return times, {"rows_mean": rows / n, "more_fraction": more / n, "cpu_share": round(share, 2)}


def time_raw(
    engine: Engine, statements: list[tuple[str, object]], sequence: list[int], warmup: int
) -> list[int]:
    """The captured search statement alone on a plain DBAPI cursor: execute + fetchall."""
    times = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        gc.collect()
        for i, index in enumerate(sequence):
            statement, params = statements[index]
            t0 = time.perf_counter_ns()
            cursor.execute(statement, params)
            cursor.fetchall()
            elapsed = time.perf_counter_ns() - t0
            raw.rollback()  # end the read transaction outside the timing (PostgreSQL would keep it open)
            if i >= warmup:
                times.append(elapsed)
        cursor.close()
    finally:
        raw.close()
    return times


# ------------------------------------------------------------------------------------------------ plans
_SQLITE_ACCESS = re.compile(
    r"^(SCAN|SEARCH) (\w+)(?: AS \w+)?(?: USING (?:(COVERING) )?INDEX (\w+)| USING (INTEGER PRIMARY KEY))?"
)
_PG_NODE = re.compile(
    r"(Seq Scan|Index Only Scan(?: Backward)?|Index Scan(?: Backward)?|Bitmap Heap Scan|Bitmap Index Scan)"
    r"(?: using (\w+))? on (\w+)"
)


def analyse_sqlite(details: list[str]) -> dict:
    accesses, flags = [], []
    # Subqueries SQLite runs as a co-routine or materialises (the phone search's page of matches): scanning
    # those few rows is not a table scan.
    subqueries = {
        line.split()[-1] for line in details if line.strip().startswith(("CO-ROUTINE", "MATERIALIZE"))
    }
    for line in details:
        m = _SQLITE_ACCESS.match(line.strip())
        if not m or m.group(2) in subqueries:
            continue
        op, table, _covering, index, pk = m.groups()
        if op == "SEARCH":
            kind = "pk" if pk else "seek"
        else:
            kind = "full-index-scan" if index else "table-scan"
            flags.append(
                f"SCAN {table} USING INDEX {index}: walks the whole index"
                if index
                else f"SCAN {table}: full scan"
            )
        cond = line[line.index("(") :] if op == "SEARCH" and "(" in line else ""
        accesses.append(
            {"table": table, "kind": kind, "index": index or ("PRIMARY KEY" if pk else None), "cond": cond}
        )
    sort = any("TEMP B-TREE" in line for line in details)
    return {"accesses": accesses, "sort": sort, "flags": flags}


def analyse_pg(lines: list[str]) -> dict:
    accesses, flags = [], []
    for i, line in enumerate(lines):
        m = _PG_NODE.search(line)
        if not m:
            continue
        node, index, table = m.groups()
        # The node's own detail lines come before the next "->".
        details = []
        for follow in lines[i + 1 :]:
            if "->" in follow:
                break
            details.append(follow.strip())
        has_cond = any(d.startswith(("Index Cond:", "Recheck Cond:")) for d in details)
        if node == "Seq Scan":
            kind = "table-scan"
            flags.append(f"Seq Scan on {table}")
        elif node == "Bitmap Index Scan":
            kind, index, table = "seek", table, "(index)"
        elif node == "Bitmap Heap Scan":
            continue
        elif has_cond:
            kind = "seek"
        else:
            kind = "full-index-scan"
            flags.append(f"{node} using {index} on {table} without Index Cond: walks the index in order")
        cond = " ".join(d for d in details if d.startswith(("Index Cond:", "Recheck Cond:")))
        accesses.append({"table": table, "kind": kind, "index": index, "cond": cond})
    sort = any(re.search(r"(^|->\s*)(Incremental )?Sort\b", line.strip()) for line in lines)
    return {"accesses": accesses, "sort": sort, "flags": flags}


def _pyformat_to_numbered(statement: str, params: dict) -> tuple[str, list]:
    order: list[str] = []

    def number(m: re.Match) -> str:
        if m.group(1) not in order:
            order.append(m.group(1))
        return f"${order.index(m.group(1)) + 1}"

    sql = re.sub(r"%\((\w+)\)s", number, statement).replace("%%", "%")
    return sql, [params[name] for name in order]


def explain(engine: Engine, statement: str, params) -> dict:
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
            lines = [row[3] for row in cursor.fetchall()]
            out = {"plan": lines, **analyse_sqlite(lines)}
        else:
            cursor.execute("EXPLAIN " + statement, params)
            lines = [row[0] for row in cursor.fetchall()]
            out = {"plan": lines, **analyse_pg(lines)}
            if out["flags"]:
                # A Seq Scan on a small table is the planner's right call; would an index be usable?
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + statement, params)
                forced = [row[0] for row in cursor.fetchall()]
                cursor.execute("SET LOCAL enable_seqscan = on")
                out["plan_without_seqscan"] = forced
                out["without_seqscan"] = analyse_pg(forced)
            generic = _explain_pg_generic(raw, cursor, statement, params)
            if generic:
                out["generic_plan"] = generic
                out["generic"] = analyse_pg(generic)
        raw.rollback()
        cursor.close()
    finally:
        raw.close()
    return out


def _explain_pg_generic(raw, cursor, statement: str, params) -> list[str] | None:
    """The plan PostgreSQL caches for the prepared statement (psycopg prepares a query after 5 runs on a
    connection, and the server may then switch to a parameter-independent generic plan)."""
    if not isinstance(params, dict):
        return None
    from psycopg import sql as pgsql

    numbered, values = _pyformat_to_numbered(statement, params)
    name = f"bench_generic_{os.getpid()}"
    try:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE {name} AS {numbered}")
        try:
            args = pgsql.SQL(", ").join(pgsql.Literal(v) for v in values)
            query = pgsql.SQL("EXPLAIN EXECUTE {}({})").format(pgsql.Identifier(name), args)
            cursor.execute(query.as_string(raw.driver_connection))
            return [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute(f"DEALLOCATE {name}")
    except Exception as e:  # noqa: BLE001 - informational only
        raw.rollback()
        return [f"(generic plan unavailable: {e})"]


CRITERION_COLUMNS = {
    "first_name": "first_name_norm",
    "last_name": "last_name_norm",
    "email": "email",
    "phone": "phone_norm",
    "customer_number": "customer_number",
    "postal_code": "postal_code_norm",
}


def unindexed_criteria(criteria: dict, explained: dict) -> list[str]:
    """Criteria whose column is not part of the index condition: checked row by row on whatever range the
    chosen index delivers, so the cost grows with the rows in that range, not with the result."""
    conds = " ".join(a.get("cond", "") for a in explained.get("accesses", []) if a["kind"] in ("seek", "pk"))
    seek = next((a for a in explained.get("accesses", []) if a["kind"] == "seek"), None)
    if seek is None:
        return []
    return [
        f"{key} ({CRITERION_COLUMNS[key]}) is not in the index condition of {seek['index']}: "
        "filtered row by row over the index range"
        for key in criteria
        if key in CRITERION_COLUMNS and not re.search(rf"\b{CRITERION_COLUMNS[key]}\b", conds)
    ]


def plan_summary(analysis: dict, table_rows: dict[str, int]) -> str:
    parts = []
    for a in analysis.get("accesses", []):
        if a["table"] not in ("account", "(index)"):
            continue
        if a["kind"] in ("seek", "pk"):
            parts.append(a["index"])
        elif a["kind"] == "full-index-scan":
            parts.append(f"FULL INDEX SCAN {a['index']}")
        else:
            parts.append(f"FULL SCAN account ({table_rows.get('account', '?')} rows)")
    if analysis.get("sort"):
        parts.append("+sort")
    return " ".join(parts) or "?"


# ------------------------------------------------------------------------------------------------- run
def bench_size(target: Target, engine: Engine, size: int, args, seed_seconds: float) -> dict:
    caller = csr_caller(engine)
    with engine.connect() as conn:
        counts = {
            t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
            for t in ("account", "cart", "order")
        }
        server = conn.exec_driver_sql(
            "SELECT sqlite_version()" if engine.dialect.name == "sqlite" else "SHOW server_version"
        ).scalar_one()
    samples = sample_shoppers(engine, random.Random(size))
    orders = order_numbers(engine)
    mixes = [
        m for m in build_mixes(samples, seed=size, orders=orders) if not args.mixes or m.name in args.mixes
    ]
    result = {
        "database": target.name,
        "server_version": server,
        "size": size,
        "table_rows": counts,
        "seed_seconds": round(seed_seconds, 2),
        "analyzed": target.name == "postgresql",
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "mixes": [],
    }
    for mix in mixes:
        entry: dict = {"name": mix.name, "description": mix.description, "examples": mix.pool[:4]}
        result["mixes"].append(entry)
        if not mix.pool:
            entry["error"] = "no criteria values (empty database?)"
            continue
        try:
            # Capture the statements the service sends for each distinct value (not timed).
            from app.services import customers
            from app.services.db import session_scope

            searches, others = [], {}
            for criteria in mix.pool:
                with capture_sql(engine) as seen, session_scope() as db:
                    customers.find(db, caller, criteria)
                found = [s for s in seen if _is_search(s[0])]
                if len(found) != 1:
                    raise RuntimeError(f"expected one search statement per find, saw {len(found)}")
                searches.append(found[0])
                for statement, params in seen:
                    if not _is_search(statement) and statement.lstrip().upper().startswith("SELECT"):
                        # One per statement shape: IN lists of different lengths are the same query.
                        shape = re.sub(
                            r"\b(IN|ANY) \((?:[^()]|\([^()]*\))*\)", r"\1 (...)", " ".join(statement.split())
                        )
                        others.setdefault(shape, (statement, params))
            order = random.Random(f"{mix.name}/{size}")
            sequence = [i % len(mix.pool) for i in range(args.warmup + args.iterations)]
            order.shuffle(sequence)
            app_times, shape = time_app(engine, caller, mix, sequence, args.warmup)
            raw_times = time_raw(engine, searches, sequence, args.warmup)
            entry.update(shape)
            entry["app_ms"] = percentiles(app_times)
            entry["raw_ms"] = percentiles(raw_times)
            entry["ratio_p50"] = entry["app_ms"]["p50"] / entry["raw_ms"]["p50"]
            entry["ratio_p95"] = entry["app_ms"]["p95"] / entry["raw_ms"]["p95"]
            entry["sql"] = " ".join(searches[0][0].split())
            entry["explain"] = explain(engine, *searches[0])
            entry["plan"] = plan_summary(entry["explain"], counts)
            if "generic" in entry["explain"]:
                entry["generic_plan"] = plan_summary(entry["explain"]["generic"], counts)
            entry["other_statements"] = [
                {"sql": key, "explain": explain(engine, *stmt)} for key, stmt in others.items()
            ]
            entry["flags"] = unindexed_criteria(mix.pool[0], entry["explain"]) + flag_notes(result, entry)
        except Exception as e:  # noqa: BLE001 - report and carry on with the next mix
            entry["error"] = f"{type(e).__name__}: {e}"
        print_row(result, entry)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def run_target(target: Target, sizes: list[int], args) -> list[dict]:
    from app.services import db as dbmod

    results = []
    print(f"\n== {target.name}: {_display(target.url)}", flush=True)
    seed_seconds = run_seed(target.url, "--reset")
    have = 0
    previous = dbmod._engine
    try:
        for size in sizes:
            started = time.perf_counter()
            bulk = None
            if size > have:
                if target.name == "postgresql" and args.pg_seed == "sql":
                    bulk = pg_bulk_customers(target.url, size - have)
                else:
                    run_seed(target.url, "--customers", str(size - have))
                have = size
            engine = dbmod.make_engine(target.url)
            try:
                if target.name == "postgresql":
                    # What autovacuum does shortly after a bulk load (it vacuums insert-only tables too since
                    # PostgreSQL 13): statistics for the planner, the visibility map for index-only scans.
                    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                        conn.exec_driver_sql("VACUUM (ANALYZE)")
                dbmod.use_engine(engine)
                seeding = seed_seconds + time.perf_counter() - started
                seed_seconds = 0.0
                print(f"  -- {target.name}, {size:,} synthetic customers", flush=True)
                print_header()
                results.append(bench_size(target, engine, size, args, seeding))
                if bulk:
                    results[-1]["pg_bulk_seed"] = bulk
            finally:
                dbmod.use_engine(previous)
                engine.dispose()
    finally:
        dbmod.use_engine(previous)
    return results


# ----------------------------------------------------------------------------------------------- output
COLUMNS = (
    ("mix", 16),
    ("rows", 5),
    ("app p50", 8),
    ("p95", 7),
    ("p99", 7),
    ("raw p50", 8),
    ("p95", 7),
    ("p99", 7),
    ("app/raw", 7),
    ("cpu", 4),
    ("plan (EXPLAIN)", 0),
)


def print_header() -> None:
    print("  " + " ".join(f"{name:<{w}}" if w else name for name, w in COLUMNS), flush=True)


def print_row(run: dict, entry: dict) -> None:
    if "error" in entry:
        print(f"  {entry['name']:<16} ERROR {entry['error']}", flush=True)
        return
    a, r = entry["app_ms"], entry["raw_ms"]
    cells = [
        f"{entry['name']:<16}",
        f"{entry['rows_mean']:>5.1f}",
        f"{a['p50']:>8.2f}",
        f"{a['p95']:>7.2f}",
        f"{a['p99']:>7.2f}",
        f"{r['p50']:>8.2f}",
        f"{r['p95']:>7.2f}",
        f"{r['p99']:>7.2f}",
        f"{entry['ratio_p50']:>6.1f}x",
        f"{entry['cpu_share']:>4.2f}",
        entry["plan"] + (f" | generic: {entry['generic_plan']}" if entry.get("generic_plan") else ""),
    ]
    print("  " + " ".join(cells), flush=True)
    for flag in entry.get("flags", []):
        print(f"  {'':<16} ! {flag}", flush=True)


def _flag_note(flag: str, explained: dict, table_rows: dict[str, int]) -> str:
    m = re.search(r"(?:Seq Scan on|SCAN) (\w+)", flag)
    rows = table_rows.get(m.group(1)) if m else None
    note = flag
    if rows is not None:
        note += f" ({rows:,} rows{': small table, a scan is the cheaper plan' if rows < 1000 else ''})"
    forced = explained.get("without_seqscan")
    if forced is not None and m:
        used = [a["index"] for a in forced["accesses"] if a["kind"] == "seek" and a["index"]]
        note += f"; with enable_seqscan=off: {', '.join(used) if used else 'still no index'}"
    return note


def flag_notes(run: dict, entry: dict) -> list[str]:
    """Every full scan EXPLAIN showed for this mix (search, its generic plan, the lock-status query)."""
    rows = run.get("table_rows", {})
    explained = entry["explain"]
    notes = [_flag_note(f, explained, rows) for f in explained["flags"]]
    notes += [
        _flag_note(f, {}, rows) + " [generic plan]" for f in explained.get("generic", {}).get("flags", [])
    ]
    for other in entry.get("other_statements", []):
        notes += [
            _flag_note(f, other["explain"], rows) + " [lock-status query]" for f in other["explain"]["flags"]
        ]
    return list(dict.fromkeys(notes))


def print_summary(runs: list[dict]) -> None:
    print(
        "\np95 of customers.find (ms) — targets: ≤ 2 ms at 1,000,000 customers on SQLite, ≤ 5 ms at 10,000,000 on"
        " PostgreSQL; informational"
    )
    names = list(dict.fromkeys(m["name"] for run in runs for m in run["mixes"]))
    print("  " + f"{'database':<11} {'size':>9} " + " ".join(f"{n:>15}" for n in names))
    for run in runs:
        by_name = {m["name"]: m for m in run["mixes"]}
        cells = []
        for n in names:
            m = by_name.get(n)
            cells.append(f"{m['app_ms']['p95']:>15.2f}" if m and "app_ms" in m else f"{'-':>15}")
        print("  " + f"{run['database']:<11} {run['size']:>9,} " + " ".join(cells))


def machine() -> dict:
    info = {
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "sqlite_library": sqlite3.sqlite_version,
    }
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
        info["cpu_model"] = model
        with open("/proc/meminfo") as f:
            kib = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
        info["memory_gib"] = round(kib / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    if hasattr(os, "sched_getaffinity"):
        info["usable_cpus"] = len(os.sched_getaffinity(0))
    return info


# ------------------------------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Find-customer benchmark on SQLite (always) and PostgreSQL "
        "(when BENCH_DATABASE_URL or TEST_DATABASE_URL is set).",
    )
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"comma-separated synthetic customer counts, seeded cumulatively (default {DEFAULT_SIZES})",
    )
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="which of sqlite,postgresql to run (PostgreSQL only when a URL is set; default both)",
    )
    parser.add_argument("--iterations", type=int, default=200, help="timed searches per mix (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed searches per mix first (default 20)")
    parser.add_argument("--mixes", default="", help="comma-separated subset of the mixes (default all)")
    parser.add_argument(
        "--pg-seed",
        choices=("sql", "app"),
        default="sql",
        help="PostgreSQL top-up: sql = INSERT ... SELECT generate_series on the server, indexes rebuilt "
        "(default; 10M in minutes), app = python -m app.seed --customers (executemany)",
    )
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="JSON results file")
    parser.add_argument(
        "--markdown",
        metavar="RESULTS_JSON",
        help="print the Markdown tables (as in bench/RESULTS.md) for an earlier results file, then exit",
    )
    args = parser.parse_args(argv)
    try:
        args.size_list = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes comma-separated integers, e.g. 0,100000")
    if any(s < 0 for s in args.size_list) or not args.size_list:
        parser.error("--sizes must be 0 or more")
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be ≥ 1 and --warmup ≥ 0")
    args.mixes = [m for m in args.mixes.split(",") if m]
    args.database_list = [d.strip() for d in args.databases.split(",") if d.strip()]
    return args


def markdown(report: dict) -> str:
    """One table per database and size, for bench/RESULTS.md."""
    m, settings = report["machine"], report["settings"]
    machine_line = (
        f"Machine: {m.get('cpu_count')} CPUs ({m.get('cpu_model', '?')}), {m.get('memory_gib', '?')} GiB, "
        f"Python {m['python']}, SQLite {m['sqlite_library']}, {m['platform']}"
    )
    header = (
        "| mix | rows | app p50 | app p95 | app p99 | raw p50 | raw p95 | raw p99 | app/raw (p50) "
        "| cpu share | plan (EXPLAIN) |"
    )
    out = [
        f"Command: `{report['command']}` — {report['date']} — {report['elapsed_seconds']}s",
        "",
        machine_line,
    ]
    for run in report["runs"]:
        load = run.get("load_average_before", ["?"])[0], run.get("load_average_after", ["?"])[0]
        title = (
            f"### {run['database']} {run['server_version']} — {run['size']:,} synthetic customers "
            f"({run['table_rows']['account']:,} accounts)"
        )
        note = (
            f"Load average (1 min) before/after: {load[0]} / {load[1]}. {settings['iterations']} timed "
            f"searches per mix after {settings['warmup']} warm-up; times in ms."
        )
        out += ["", title, "", note, "", header, "| --- |" + " ---: |" * 9 + " --- |"]
        for e in run["mixes"]:
            if "app_ms" not in e:
                out.append(f"| {e['name']} | error: {e.get('error', '?')} |||||||||")
                continue
            a, r = e["app_ms"], e["raw_ms"]
            plan = e["plan"] + (f" (generic: {e['generic_plan']})" if e.get("generic_plan") else "")
            out.append(
                f"| {e['name']} | {e['rows_mean']:.1f} | {a['p50']:.2f} | **{a['p95']:.2f}** | {a['p99']:.2f} "
                f"| {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | {e['ratio_p50']:.1f}x "
                f"| {e['cpu_share']:.2f} | {plan} |"
            )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text())), end="")
        return 0
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    report = {
        "benchmark": "find_customer",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", "bench", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "settings": {
            "sizes": args.size_list,
            "iterations": args.iterations,
            "warmup": args.warmup,
            "distinct_values_per_mix": POOL,
            "app": "session_scope() + customers.find(db, csr_caller, criteria) per search",
            "raw": "the captured search statement on a DBAPI cursor: execute + fetchall",
            "budget_p95_ms": BUDGET_P95_MS,
        },
        "runs": [],
        "errors": [],
    }  # fmt: skip
    print(
        f"find-customer benchmark — {report['machine']['cpu_count']} CPUs, Python {report['machine']['python']}"
    )
    targets: list[Callable[[], Target]] = []
    if "sqlite" in args.database_list:
        targets.append(sqlite_target)
    pg_url = postgres_base_url()
    if "postgresql" in args.database_list:
        if pg_url:
            targets.append(lambda: postgres_target(pg_url))
        else:
            print("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to include it")
    for make in targets:
        target = None
        try:
            target = make()
            report["runs"] += run_target(target, args.size_list, args)
        except Exception as e:  # noqa: BLE001 - report it and run the other databases
            name = target.name if target else "postgresql"
            print(f"!! {name}: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            report["errors"].append({"database": name, "error": f"{type(e).__name__}: {e}"})
        finally:
            if target:
                try:
                    target.cleanup()
                except Exception as e:  # noqa: BLE001 - best effort
                    print(f"!! cleanup of {target.name} failed: {e}", file=sys.stderr)
    report["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    print_summary(report["runs"])
    output = Path(args.output)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nwrote {output} ({report['elapsed_seconds']}s)")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
