"""A price adjustment is granted for a quantity and never grows
(docs/SECURITY.md §Price adjustments and email changes).

The attack: a CSR takes $150 off one jacket as goodwill and unlocks; the customer sets that line's quantity
to 40 and checks out. The discount must stay at most $150, however the quantity changes afterwards: set on the
cart page, added again from the product page, merged in from an anonymous cart at sign-in.
"""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlmodel import select

from app import config
from app.services import carts, locks, orders
from app.services.caller import ANONYMOUS
from models import AuditEvent, CartLine, Order, OrderLine, Promotion
from tests.conftest import caller_for, make_account, make_product, sku_of
from tests.unit.test_orders_payments import commit, on_behalf, place

JACKET = 19999  # $199.99
GOODWILL = 15000  # $150.00 off one jacket


@pytest.fixture
def granted(db):
    """Jane's cart holds one jacket with $150 off, granted by a supervisor who then unlocked the cart."""
    jane = make_account(db, "Jane", "Doe", "jane@example.com")
    jacket = make_product(db, code="JKT", price=JACKET, stock=60, category="outerwear")
    commit(db)
    customer, _ = caller_for(db, jane)
    carts.add(db, customer, None, sku_of(jacket), 1)
    commit(db)
    # More than a CSR's ADJUST_LIMIT_PERCENT of the price: a supervisor grants it.
    csr = on_behalf(db, make_account(db, "Pat", "Lead", role="supervisor"), jane)
    locks.lock(db, csr)
    commit(db)
    view = carts.view(db, csr, None)
    carts.adjust_price(db, csr, view.lines[0].line_id, GOODWILL, "Goodwill", view.version)
    commit(db)
    locks.unlock(db, csr)
    commit(db)
    return jane, customer, csr, jacket


def line_of(db, caller) -> dict:
    return carts.view(db, caller, None).lines[0]


def set_qty(db, caller, qty: int) -> None:
    view = carts.view(db, caller, None)
    carts.set_quantity(db, caller, None, view.lines[0].line_id, qty, view.version)
    commit(db)


def test_the_grant_is_stored_as_a_total_for_its_quantity(db, granted):
    _, customer, _, _ = granted
    row = db.exec(select(CartLine)).one()
    assert (row.adjustment_cents, row.adjustment_quantity) == (GOODWILL, 1)
    line = line_of(db, customer)
    assert (line.adjustment_cents, line.line_cents) == (GOODWILL, JACKET - GOODWILL)
    detail = db.exec(select(AuditEvent.details).where(AuditEvent.action == "price_adjust")).one()
    assert (
        detail
        == "Product JKT: −$150.00 per item on 1 item, at most −$150.00 whatever the quantity (Goodwill)"
    )


def test_forty_jackets_get_150_off_not_6000(db, granted):
    """The reported attack, through the cart page's quantity."""
    _, customer, _, _ = granted
    set_qty(db, customer, 40)
    view = carts.view(db, customer, None)
    assert view.adjustment_cents == GOODWILL  # was 40 × $150 = $6,000
    assert view.subtotal_cents == 40 * JACKET - GOODWILL  # was $1,999.60
    line = view.lines[0]
    assert (line.adjustment_cents, line.line_cents) == (GOODWILL, 40 * JACKET - GOODWILL)
    assert line.adjustment_label == "−$150.00 each on 1 of 40 items"


def test_adding_to_the_adjusted_line_adds_items_at_full_price(db, granted):
    _, customer, _, jacket = granted
    carts.add(db, customer, None, sku_of(jacket), 39)
    commit(db)
    line = line_of(db, customer)
    assert line.quantity == 40
    assert (line.adjustment_cents, line.line_cents) == (GOODWILL, 40 * JACKET - GOODWILL)


def test_merging_an_anonymous_cart_into_the_adjusted_line_does_not_grow_it(db, granted):
    jane, customer, _, jacket = granted
    carts.add(db, ANONYMOUS, "anon-browser", sku_of(jacket), 39)
    commit(db)
    assert carts.merge_anonymous(db, "anon-browser", jane.id) == 1
    commit(db)
    line = line_of(db, customer)
    assert line.quantity == 40
    assert (line.adjustment_cents, line.line_cents) == (GOODWILL, 40 * JACKET - GOODWILL)


def test_the_order_charges_full_price_for_the_extra_jackets(db, granted):
    _, customer, _, _ = granted
    set_qty(db, customer, 40)
    number = place(db, customer)
    commit(db)
    order = db.exec(select(Order)).one()
    order_line = db.exec(select(OrderLine)).one()
    assert order.total_cents == 40 * JACKET - GOODWILL + order.shipping_cents  # was $79.60 for 40 jackets
    assert order.discount_cents == GOODWILL
    assert (order_line.unit_price_cents, order_line.adjustment_cents) == (JACKET, GOODWILL)
    assert order_line.line_total_cents == 40 * JACKET - GOODWILL
    detail = orders.order_detail(db, customer, number)
    assert detail.adjustment == "$150.00" and detail.has_adjustment
    assert detail.subtotal == "$7,999.60" and not detail.has_discount
    assert detail.lines[0].adjustment == "$150.00"


def test_fewer_items_get_less_and_the_grant_comes_back_only_up_to_its_quantity(db, granted):
    """Granted $5 off each of 3: one item gets $5, three get $15 again, five still get $15."""
    _, customer, csr, _ = granted
    set_qty(db, customer, 3)
    locks.lock(db, csr)
    commit(db)
    view = carts.view(db, csr, None)
    carts.adjust_price(db, csr, view.lines[0].line_id, 500, "Scuffed", view.version)
    commit(db)
    locks.unlock(db, csr)
    commit(db)
    assert line_of(db, customer).adjustment_cents == 1500
    for qty, off in [(1, 500), (3, 1500), (5, 1500), (2, 1000)]:
        set_qty(db, customer, qty)
        line = line_of(db, customer)
        assert (line.adjustment_cents, line.line_cents) == (off, qty * JACKET - off), qty


def test_removing_the_adjustment_clears_the_grant(db, granted):
    _, customer, csr, _ = granted
    locks.lock(db, csr)
    commit(db)
    view = carts.view(db, csr, None)
    carts.adjust_price(db, csr, view.lines[0].line_id, 0, "", view.version)
    commit(db)
    row = db.exec(select(CartLine)).one()
    assert (row.adjustment_cents, row.adjustment_quantity) == (0, 0)
    assert line_of(db, customer).line_cents == JACKET


def test_a_promotion_started_since_never_takes_a_line_below_zero(db, granted):
    _, customer, _, jacket = granted
    db.add(Promotion(name="Half off", target="everyone", kind="percent", value=50, product_id=jacket.id))
    commit(db)
    set_qty(db, customer, 2)
    line = line_of(db, customer)
    half = line.promo_cents
    assert half < GOODWILL
    assert (line.adjustment_cents, line.line_cents) == (half, half)  # one item free, one at promo


@pytest.mark.parametrize(
    "qty, granted_total, granted_qty, promo, expected",
    [
        (1, 15000, 1, 19999, (15000, 15000, 1)),
        (40, 15000, 1, 19999, (15000, 15000, 1)),
        (2, 1500, 3, 2000, (1000, 500, 2)),
        (2, 3000, 2, 1000, (2000, 1000, 2)),  # never below zero
        (5, 0, 0, 2000, (0, 0, 0)),
        (5, 700, 0, 2000, (0, 0, 0)),  # a grant without a quantity grants nothing
    ],
)
def test_granted_discount(qty, granted_total, granted_qty, promo, expected):
    line = CartLine(
        cart_id=1, variant_id=1, quantity=qty, adjustment_cents=granted_total, adjustment_quantity=granted_qty
    )
    assert carts.granted_discount(line, promo) == expected


def test_migration_0006_turns_per_unit_adjustments_into_grants(tmp_path):
    """Carts and orders adjusted before 0006: the grant is for the line's quantity then, order lines keep
    their totals."""
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = Config(str(config.ROOT / "alembic.ini"))

    def migrate(revision: str, *, down: bool = False) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)

    migrate("0005")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cartline (cart_id, variant_id, quantity, added_at, adjustment_cents, "
                "adjustment_reason) VALUES (1, 1, 3, '2026-01-01', 500, 'x'), (1, 2, 4, '2026-01-01', 0, '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO orderline (order_id, variant_id, product_code, name, options, quantity, "
                "unit_price_cents, line_total_cents, adjustment_cents, adjustment_reason, fulfilment) "
                "VALUES (1, 1, 'T', 'Tee', '', 3, 1500, 4500, 500, 'x', 'ship')"
            )
        )
    migrate("0006")
    with engine.connect() as conn:
        assert conn.execute(
            text("SELECT adjustment_cents, adjustment_quantity FROM cartline ORDER BY variant_id")
        ).all() == [(1500, 3), (0, 0)]
        assert conn.execute(
            text("SELECT unit_price_cents, adjustment_cents, line_total_cents FROM orderline")
        ).one() == (2000, 1500, 4500)
    migrate("0005", down=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT adjustment_cents FROM cartline ORDER BY variant_id")).all() == [
            (500,),
            (0,),
        ]
        assert conn.execute(
            text("SELECT unit_price_cents, adjustment_cents, line_total_cents FROM orderline")
        ).one() == (1500, 500, 4500)
    engine.dispose()
