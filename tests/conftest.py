"""Shared fixtures: a database per test on SQLite and (when configured) PostgreSQL, and factories."""

from __future__ import annotations

import os
import uuid
from importlib.metadata import entry_points

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from app.services import auth
from app.services import db as dbmod
from app.services.accounts import create_account
from app.services.caller import Caller
from models import Account, Category, Product, Variant

# The QA kit's fixtures for tests/e2e (base_url, browser, new_context, page, store). Where the project is
# pip-installed, pytest has already loaded the plugin from its pytest11 entry point; registering it twice fails.
pytest_plugins = (
    []
    if any(ep.value == "storefront_qa.plugin" for ep in entry_points(group="pytest11"))
    else ["storefront_qa.plugin"]
)

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
PG_SKIP = "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
_PASSWORD_HASH = auth.hash_password("shop-pass-123")


def _pg_engine(schema: str):
    from sqlalchemy import create_engine

    url = dbmod.normalize_url(PG_URL)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    return create_engine(
        url, connect_args={"options": f"-csearch_path={schema}"}, pool_size=60, max_overflow=10
    )


def pytest_collection_modifyitems(items):
    """Fast layers first: unit, then state, then the browser tests."""
    order = {"unit": 0, "state": 1, "e2e": 2}
    items.sort(key=lambda item: next((v for k, v in order.items() if f"tests/{k}/" in str(item.fspath)), 1))


@pytest.fixture(scope="session")
def pg_engine():
    if not PG_URL:
        if REQUIRE_SERVICES:
            pytest.fail(PG_SKIP + " — required in CI")
        pytest.skip(PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    engine = _pg_engine(schema)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()
    from sqlalchemy import create_engine

    admin = create_engine(dbmod.normalize_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    """A fresh, empty database for one test, on each backend; services use it too."""
    if request.param == "sqlite":
        eng = dbmod.make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        SQLModel.metadata.create_all(eng)
    else:
        eng = request.getfixturevalue("pg_engine")
        names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with eng.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    previous = dbmod._engine
    dbmod.use_engine(eng)
    yield eng
    dbmod.use_engine(previous)
    if request.param == "sqlite":
        eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """SQLite only: for tests that do not need to run on both backends."""
    eng = dbmod.make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    SQLModel.metadata.create_all(eng)
    previous = dbmod._engine
    dbmod.use_engine(eng)
    yield eng
    dbmod.use_engine(previous)
    eng.dispose()


@pytest.fixture
def db(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


# -- factories -------------------------------------------------------------------------------


def make_account(db: Session, first="Jane", last="Doe", email=None, role="shopper", **kw) -> Account:
    account = create_account(
        db,
        first_name=first,
        last_name=last,
        email=email or f"{first}.{last}.{uuid.uuid4().hex[:6]}@example.com".lower(),
        password=None,
        password_hash=_PASSWORD_HASH,
        role=role,
        phone=kw.pop("phone", ""),
        segments=kw.pop("segments", ""),
        allow_assistance=kw.pop("allow_assistance", True),
    )
    for k, v in kw.items():
        setattr(account, k, v)
    db.add(account)
    db.commit()
    return account


def caller_for(db: Session, account: Account) -> Caller:
    """Sign the account in (a real session row) and resolve its Caller as handlers do."""
    token = auth._start_session(db, account)
    db.commit()
    return auth.resolve_caller(db, token), token


def make_product(db: Session, code="TEE-1", price=2000, stock=10, category="tops", options=None) -> Product:
    cat = db.exec(__import__("sqlmodel").select(Category).where(Category.slug == category)).first()
    if cat is None:
        cat = Category(slug=category, name=category.title())
        db.add(cat)
        db.flush()
    product = Product(
        code=code,
        name=f"Product {code}",
        name_norm=f"product {code}".lower(),
        category_id=cat.id,
        price_cents=price,
        description="A fine thing.",
    )
    db.add(product)
    db.flush()
    for opt1, opt2 in options or [("", "")]:
        db.add(
            Variant(
                product_id=product.id,
                sku=f"{code}-{opt1}-{opt2}".strip("-"),
                option1=opt1,
                option2=opt2,
                stock=stock,
            )
        )
    db.commit()
    return product


def sku_of(product: Product, opt1: str = "", opt2: str = "") -> str:
    return f"{product.code}-{opt1}-{opt2}".strip("-")
