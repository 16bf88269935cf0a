"""How many SQL statements a page load's units of work run for a new anonymous visitor, and which go through the
ORM's path (app/services/catalog.py: built once, plain rows). Every page view runs them: a change that adds one
should be a decision, not an accident (bench/RESULTS.md, "Page loads")."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import Session

from app.services import carts, catalog
from app.state.guard import _transaction
from tests.conftest import make_product


@pytest.fixture
def statements(sqlite_engine):
    """(every statement, those that went through the ORM's path) of what runs after the fixture."""
    seen: list[str] = []
    orm: list[str] = []
    event.listen(sqlite_engine, "before_cursor_execute", lambda c, cur, sql, *a: seen.append(sql))

    def note(state):
        if state.is_orm_statement:
            orm.append(str(state.statement).split("\n")[0])

    event.listen(Session, "do_orm_execute", note)
    with Session(sqlite_engine, expire_on_commit=False) as db:
        for code, category in (("TEE-1", "tops"), ("TEE-2", "tops"), ("MUG-1", "home")):
            make_product(db, code=code, category=category, options=[("S", ""), ("M", "")])
        db.commit()
    seen.clear()
    orm.clear()
    yield seen, orm
    event.remove(Session, "do_orm_execute", note)


def page_load(page_action):
    """As app/state/page.py runs a page load: the mini-cart's unit of work, then the page's own."""
    anon = "new-visitor-key"
    cart = _transaction("", anon, lambda db, caller, a: carts.view(db, caller, a), True)[1]
    return cart, _transaction("", anon, page_action, False)[1]


def test_a_product_page_load(statements):
    seen, orm = statements
    cart, page = page_load(lambda db, caller, a: catalog.product_page(db, caller, "TEE-1"))
    assert cart.count == 0 and page.code == "TEE-1" and page.option1_values == ["S", "M"]
    assert page.category == "Tops" and page.category_slug == "tops"
    # mini-cart: the browser's cart (none), its last cart's status; page: the product with its category,
    # promotions, variants
    assert len(seen) == 5, seen
    # only the browser's cart is read as an object (a unit of work that changes it uses the same read)
    assert len(orm) == 1 and orm[0].startswith("SELECT cart.id"), orm


def test_a_catalog_page_load(statements):
    seen, orm = statements
    cart, (categories, page) = page_load(
        lambda db, caller, a: (catalog.categories(db), catalog.search(db, caller, catalog.CatalogQuery()))
    )
    assert cart.count == 0 and [c.slug for c in categories] == ["home", "tops"] and page.total == 3
    assert [card.code for card in page.items] == ["TEE-1", "TEE-2", "MUG-1"]
    # mini-cart as above; page: categories, the count, the page of cards, promotions
    assert len(seen) == 6, seen
    assert len(orm) == 1, orm
