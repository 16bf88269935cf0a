"""How many SQL statements one add-to-cart's unit of work runs (app/state/guard.py `_transaction`): each is a
round trip to PostgreSQL and most of an add's CPU on SQLite (bench/RESULTS.md, "unit of work"). A change
that adds one to the hot path should be a decision, not an accident."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import Session

from app.services import auth, carts
from app.state.guard import _transaction
from tests.conftest import make_account, make_product, sku_of


@pytest.fixture
def counted(sqlite_engine):
    seen: list[str] = []
    event.listen(sqlite_engine, "before_cursor_execute", lambda c, cur, sql, *a: seen.append(sql))
    return seen


def add(token: str, anon: str, sku: str):
    return _transaction(token, anon, lambda db, caller, a: carts.add(db, caller, a, sku, 1), True)


def second_anonymous_add(sqlite_engine, seen: list[str]) -> None:
    """An anonymous shopper adds a product twice; `seen` keeps only what the second add ran."""
    with Session(sqlite_engine, expire_on_commit=False) as db:
        sku = sku_of(make_product(db, stock=50))
        db.commit()
    add("", "browser-key", sku)
    seen.clear()
    add("", "browser-key", sku)


def test_an_anonymous_add_to_an_existing_line(sqlite_engine, counted):
    second_anonymous_add(sqlite_engine, counted)
    # variant+product+cart+line in one, claim (UPDATE), line (UPDATE); published: cart, lines, promotions
    assert len(counted) == 6, counted


def test_a_signed_in_customers_add_to_an_existing_line(sqlite_engine, counted):
    with Session(sqlite_engine, expire_on_commit=False) as db:
        sku = sku_of(make_product(db, stock=50))
        token = auth._start_session(db, make_account(db))
        db.commit()
    add(token, "", sku)
    counted.clear()
    _, added, publications = add(token, "", sku)
    # session+account, then as above; the published cart is read with its owner's segments (their prices)
    assert len(counted) == 7, counted
    assert added.quantity == 2 and publications.carts[0].view.count == 2


@pytest.fixture
def orm_statements():
    """The statements that went through the ORM's execution path (entities, or ORM attributes in a clause)."""
    seen: list[str] = []

    def note(state):
        if state.is_orm_statement:
            seen.append(str(state.statement).split("\n")[0])

    event.listen(Session, "do_orm_execute", note)
    yield seen
    event.remove(Session, "do_orm_execute", note)


def test_no_statement_of_an_add_goes_through_the_orm(sqlite_engine, orm_statements):
    """The add's target, the claim, the line's quantity, the published cart, its priced lines and the
    promotions are plain SQL: the ORM's path builds a compile state per execution (for an UPDATE it computes
    its cache key again each time), and an entity in a SELECT builds an object of every row. An ORM attribute
    (`Cart.id` for `Cart.__table__.c.id`) in one of them puts it back on that path."""
    second_anonymous_add(sqlite_engine, orm_statements)
    assert orm_statements == []
