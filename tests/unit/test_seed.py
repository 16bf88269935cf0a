"""The demo data contract (SPEC §9): `python -m app.seed` on a throwaway SQLite database."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from app import config, seed
from app.services import db as dbmod
from app.services import promotions
from app.services.accounts import create_account, customer_number_for
from app.services.auth import verify_password
from app.services.caller import segments_of
from models import (
    Account,
    Address,
    Category,
    Order,
    OrderLine,
    Product,
    Promotion,
    Store,
    StoreStock,
    Variant,
)


def _use_fresh_db(path):
    previous = dbmod._engine
    engine = dbmod.make_engine(f"sqlite:///{path}")
    dbmod.init_schema(engine)
    dbmod.use_engine(engine)
    return engine, previous


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One seeded database shared by the read-only checks."""
    engine, previous = _use_fresh_db(tmp_path_factory.mktemp("seed") / "seed.db")
    seed.run(quiet=True)
    yield engine
    dbmod.use_engine(previous)
    engine.dispose()


@pytest.fixture
def fresh(tmp_path):
    """An empty database of its own, for tests that change things."""
    engine, previous = _use_fresh_db(tmp_path / "fresh.db")
    yield engine
    dbmod.use_engine(previous)
    engine.dispose()


@pytest.fixture
def db(seeded):
    with Session(seeded) as session:
        yield session


def _account(db: Session, email: str) -> Account:
    return db.exec(select(Account).where(Account.email == email)).one()


def _count(db: Session, model, *where) -> int:
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def _snapshot(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: [tuple(r) for r in conn.execute(table.select().order_by(*table.primary_key.columns))]
            for table in SQLModel.metadata.sorted_tables
        }


# ------------------------------------------------------------------------------------------- accounts
def test_staff_accounts_and_roles(db):
    expected = {
        "csr@example.com": ("Casey", "Rep", "csr", "csr-pass-123"),
        "csr2@example.com": ("Sam", "Agent", "csr", "csr-pass-123"),
        "supervisor@example.com": ("Pat", "Lead", "supervisor", "super-pass-123"),
    }
    staff = db.exec(select(Account).where(Account.role != "shopper")).all()
    assert {a.email for a in staff} == set(expected)
    for a in staff:
        first, last, role, password = expected[a.email]
        assert (a.first_name, a.last_name, a.role, a.status) == (first, last, role, "active")
        assert verify_password(password, a.password_hash)


def test_account_counts(db):
    assert _count(db, Account) == 3 + 2 + 30 + 1
    assert _count(db, Account, Account.role == "shopper", Account.status == "active") == 32
    numbers = db.exec(select(Account.id, Account.customer_number)).all()
    assert all(number == customer_number_for(account_id) for account_id, number in numbers)


def test_jane_is_vip_with_addresses_and_an_order(db):
    jane = _account(db, "jane@example.com")
    assert (jane.first_name, jane.last_name, jane.role) == ("Jane", "Doe", "shopper")
    assert segments_of(jane) == frozenset({"vip"})
    assert jane.phone == "(555) 010-1234" and jane.phone_norm == "5550101234"
    assert jane.allow_assistance is True
    assert verify_password("shop-pass-123", jane.password_hash)
    assert (jane.postal_code_norm, jane.city) == ("62701", "Springfield")

    addresses = db.exec(select(Address).where(Address.account_id == jane.id).order_by(Address.id)).all()
    assert len(addresses) == 2
    default = [a for a in addresses if a.is_default_shipping]
    assert len(default) == 1 and default[0].is_default_billing
    assert (default[0].line1, default[0].city, default[0].postal_code) == (
        "12 Market Street",
        "Springfield",
        "62701",
    )

    jane_orders = db.exec(select(Order).where(Order.account_id == jane.id)).all()
    assert len(jane_orders) == 1
    order = jane_orders[0]
    assert order.placed_by_id is None
    assert (order.payment_brand, order.payment_last4) == ("Visa", "4242")
    assert order.ship_line1 == "12 Market Street"
    lines = db.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert lines and order.total_cents == sum(line.line_total_cents for line in lines) + order.shipping_cents
    assert _count(db, Order) == 1


def test_john_switched_off_assistance(db):
    john = _account(db, "john@example.com")
    assert (john.first_name, john.last_name, john.status) == ("John", "Doe", "active")
    assert john.allow_assistance is False
    assert _count(db, Address, Address.account_id == john.id) == 1
    assert john.postal_code_norm and john.city


def test_thirty_findable_smiths_and_one_disabled(db):
    smiths = db.exec(select(Account).where(Account.last_name_norm == "smith").order_by(Account.id)).all()
    assert len(smiths) == 31
    active = [a for a in smiths if a.status == "active"]
    assert len(active) == 30
    assert {a.email for a in active} == {f"smith{i:02d}@example.com" for i in range(1, 31)}
    assert len({a.first_name for a in active}) == 30  # varied first names
    assert len({a.city for a in active}) > 5
    for a in active:
        assert a.role == "shopper"
        assert a.phone_norm and a.postal_code_norm and a.city
        assert a.postal_code_norm == re.sub(r"[^0-9a-z]", "", a.postal_code_norm)
        assert _count(db, Address, Address.account_id == a.id, Address.is_default_shipping) == 1
    disabled = [a for a in smiths if a.status != "active"]
    assert [(a.first_name, a.email, a.status) for a in disabled] == [
        ("Dana", "dana.disabled@example.com", "disabled")
    ]


# -------------------------------------------------------------------------------------------- catalog
def test_catalog_size_and_shape(db):
    products = db.exec(select(Product)).all()
    categories = db.exec(select(Category)).all()
    assert len(products) >= 40
    assert len(categories) >= 4
    assert all(_count(db, Product, Product.category_id == c.id) > 0 for c in categories)
    with_options = 0
    for p in products:
        assert re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)*", p.code) and len(p.code) <= 40
        assert p.name_norm == p.name.lower()
        assert p.image == f"/products/{p.code}.svg"
        assert (config.ROOT / "assets" / "products" / f"{p.code}.svg").is_file()
        assert p.description.count(".") >= 2
        assert 1000 <= p.price_cents <= 20000
        variants = db.exec(select(Variant).where(Variant.product_id == p.id)).all()
        if p.option_names:
            with_options += 1
            assert p.option_names in ("Size", "Colour|Size")
            assert len(variants) > 1
            assert all(v.option1 and bool(v.option2) == ("|" in p.option_names) for v in variants)
        else:
            assert [(v.option1, v.option2) for v in variants] == [("", "")]
    assert with_options >= len(products) // 4


def test_stock_fixtures(db):
    zero = db.exec(select(Variant).where(Variant.stock <= 0)).all()
    assert len(zero) == 1
    lamp = db.exec(select(Product).where(Product.code == "LAMP-ARC")).one()
    lamp_variants = db.exec(select(Variant).where(Variant.product_id == lamp.id)).all()
    assert [v.stock for v in lamp_variants] == [3]


def test_promotions_vip_everyone_and_jane(db):
    jane, john = _account(db, "jane@example.com"), _account(db, "john@example.com")
    rain = db.exec(select(Product).where(Product.code == "JKT-RAIN")).one()
    tote = db.exec(select(Product).where(Product.code == "BAG-TOTE")).one()
    assert rain.price_cents == 12900

    jane_promos = promotions.applicable(db, jane.id, segments_of(jane))
    john_promos = promotions.applicable(db, john.id, segments_of(john))
    anonymous = promotions.applicable(db, None, frozenset())
    assert promotions.price_of(rain, jane_promos).cents == 10320
    assert promotions.price_of(rain, john_promos).cents == 12900
    assert promotions.price_of(rain, anonymous).cents == 12900
    assert promotions.price_of(tote, anonymous).cents == tote.price_cents - 500

    targets = {p.name: p.target for p in db.exec(select(Promotion))}
    assert targets["VIP: 20% off Outerwear"] == "segment"
    assert list(targets.values()).count("customer") == 1


def test_three_stores_with_a_shelf_row_for_every_variant(db):
    stores = {s.code: s for s in db.exec(select(Store))}
    assert {c: (s.name, s.active) for c, s in stores.items()} == {
        "DTN": ("Downtown", True),
        "RVS": ("Riverside", True),
        "APT": ("Airport Mall", True),
    }
    variants = _count(db, Variant)
    for store in stores.values():
        shelf = db.exec(select(StoreStock.quantity).where(StoreStock.store_id == store.id)).all()
        assert len(shelf) == variants
        assert 0 < shelf.count(0) < variants // 4  # most variants are there, some are not
    mug = db.exec(select(Variant.id).where(Variant.sku == "MUG-STONE")).one()
    on_shelves = {
        code: db.exec(
            select(StoreStock.quantity).where(
                StoreStock.store_id == stores[code].id, StoreStock.variant_id == mug
            )
        ).one()
        for code in stores
    }
    assert on_shelves == {"DTN": 4, "RVS": 0, "APT": 1}  # documented in the README for QA


# ------------------------------------------------------------------------------------------ behaviour
def test_seeding_twice_changes_nothing(seeded):
    before = _snapshot(seeded)
    seed.run(quiet=True)
    assert _snapshot(seeded) == before


def test_if_empty_skips_a_seeded_database(seeded, capsys):
    before = _snapshot(seeded)
    assert seed.main(["--if-empty"]) == 0
    assert "database already seeded" in capsys.readouterr().out
    assert _snapshot(seeded) == before


def test_if_empty_seeds_an_empty_database(fresh, capsys):
    assert seed.main(["--if-empty"]) == 0
    assert "already seeded" not in capsys.readouterr().out
    with Session(fresh) as session:
        assert _count(session, Account) == 36


def test_reset_starts_over(fresh):
    seed.run(quiet=True)
    with Session(fresh) as session:
        session.add(Category(slug="extra", name="Extra"))
        session.commit()
    seed.main(["--reset"])
    with Session(fresh) as session:
        assert session.exec(select(Category).where(Category.slug == "extra")).first() is None
        assert _count(session, Account) == 36
        assert _count(session, Order) == 1
        assert _count(session, Store) == 3


def test_customers_option_adds_synthetic_shoppers(fresh):
    seed.run(quiet=True)
    assert seed.main(["--customers", "1000"]) == 0
    with Session(fresh) as session:
        assert _count(session, Account) == 36 + 1000
        synthetic = session.exec(select(Account).where(Account.email.like("%@example.net"))).all()
        assert len(synthetic) == 1000
        assert not [a for a in synthetic if a.last_name_norm in ("smith", "doe")]
        for a in synthetic:
            assert a.role == "shopper" and a.status == "active"
            assert a.customer_number == customer_number_for(a.id)
            assert a.first_name_norm == a.first_name.lower() and a.last_name_norm == a.last_name.lower()
            assert a.phone_norm == re.sub(r"\D", "", a.phone) and len(a.phone_norm) == 10
            assert a.postal_code_norm.isalnum() and a.city
            assert a.created_at is not None
        # ids were assigned explicitly; ordinary inserts still get fresh ones
        account = create_account(
            session, first_name="New", last_name="Person", email="new@example.com", password="long-enough-1"
        )
        assert account.id == 36 + 1000 + 1
        session.rollback()
    # the demo data is unaffected and a plain re-seed still changes nothing
    seed.run(quiet=True)
    with Session(fresh) as session:
        assert _count(session, Account, Account.last_name_norm == "smith", Account.status == "active") == 30
        assert _count(session, Account) == 1036
