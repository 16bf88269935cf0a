"""Cart codes: an anonymous cart's code, and a CSR holding the lock binding it into a customer's cart."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from app import config
from app.services import auth, cart_binding, cart_codes, carts, changes, locks, onbehalf
from app.services.caller import ANONYMOUS, Caller
from app.services.db import session_scope, utcnow
from app.services.errors import DomainError, Forbidden
from models import AuditEvent, Cart, CartLine, Throttle
from tests.conftest import caller_for, make_account, make_product, sku_of

KEY = "anon-browser-key-1"


def commit(db):
    db.commit()
    db.expire_all()


def on_behalf(db, csr, customer) -> Caller:
    caller, token = caller_for(db, csr)
    onbehalf.start(db, caller, customer.id)
    commit(db)
    return auth.resolve_caller(db, token)


def lines_of(db, cart_id) -> dict[int, int]:
    return {
        line.variant_id: line.quantity
        for line in db.exec(select(CartLine).where(CartLine.cart_id == cart_id))
    }


def race(fn, n: int) -> list:
    """fn(db, i) in n threads on their own connections, released together; each result or DomainError."""
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        try:
            with session_scope() as db:
                return fn(db, i)
        except DomainError as e:
            return e

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def anon_cart(db, key: str = KEY) -> Cart:
    db.expire_all()
    return db.exec(select(Cart).where(Cart.anon_key_hash.is_not(None)).order_by(Cart.id.desc())).first()


@pytest.fixture
def w(db):
    tee = make_product(db, code="TEE", price=2000, stock=10)
    cap = make_product(db, code="CAP", price=1500, stock=3)
    jane = make_account(db, "Jane", "Smith")
    casey = make_account(db, "Casey", "Rep", role="csr")
    return {"tee": tee, "cap": cap, "jane": jane, "casey": casey, "csr": on_behalf(db, casey, jane)}


def shopper_code(db, w, key: str = KEY) -> str:
    """An anonymous shopper adds a tee and two caps and reads the code from their cart page."""
    carts.add(db, ANONYMOUS, key, sku_of(w["tee"]), 1)
    carts.add(db, ANONYMOUS, key, sku_of(w["cap"]), 2)
    code = carts.view(db, ANONYMOUS, key).code
    commit(db)
    return code


def locked(db, w) -> Caller:
    locks.lock(db, w["csr"])
    commit(db)
    return w["csr"]


# -- the code -------------------------------------------------------------------------------------


def test_codes_use_the_alphabet_without_look_alikes():
    assert not set("0O1IL") & set(cart_codes.ALPHABET)
    assert len(set(cart_codes.ALPHABET)) == 31
    codes = {cart_codes.generate() for _ in range(500)}
    assert len(codes) == 500
    assert all(re.fullmatch(f"[{cart_codes.ALPHABET}]{{8}}", c) for c in codes)
    assert cart_codes.display("K7QM4XPA") == "K7QM-4XPA"


@pytest.mark.parametrize(
    "typed", ["K7QM-4XPA", "k7qm4xpa", " K7QM 4XPA ", "k7qm - 4xpa", "K7-QM-4X-PA", "K7QM\t4XPA\n"]
)
def test_a_code_is_accepted_with_or_without_the_dash_in_any_case(typed):
    assert cart_codes.normalize(typed) == "K7QM4XPA"


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "K7QM-4XP", "K7QM-4XPAA", "K0QM-4XPA", "KOQM-4XPA", "K1QM-4XPA", "KIQM-4XPA", "KLQM-4XPA"]
    + ["K7QM_4XPA", "ķ7QM-4XPA", "K7QM-4XPA" + " " * 40, None, 12345678, ["K7QM4XPA"]],
)
def test_what_cannot_be_a_code(typed):
    assert cart_codes.normalize(typed) is None


def test_only_an_anonymous_cart_with_lines_shows_a_code_and_it_stays(db, w):
    assert carts.view(db, ANONYMOUS, KEY).code == ""  # no cart yet
    carts.add(db, ANONYMOUS, KEY, sku_of(w["tee"]), 1)
    first = carts.view(db, ANONYMOUS, KEY).code
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", first)
    commit(db)
    assert carts.view(db, ANONYMOUS, KEY).code == first  # the same on every view
    assert anon_cart(db).code == first.replace("-", "")
    line = carts.view(db, ANONYMOUS, KEY).lines[0].line_id
    carts.remove(db, ANONYMOUS, KEY, line, None)
    assert carts.view(db, ANONYMOUS, KEY).code == ""  # an empty cart shows none
    # A registered customer's cart never has one.
    jane = Caller(account_id=w["jane"].id, customer_id=w["jane"].id)
    carts.add(db, jane, None, sku_of(w["tee"]), 1)
    assert carts.view(db, jane, None).code == ""
    assert db.exec(select(Cart).where(Cart.account_id == w["jane"].id)).one().code is None


def test_a_code_another_cart_holds_is_never_issued_twice(db, w, monkeypatch):
    code = shopper_code(db, w)
    draws = iter([code.replace("-", ""), "ABCDEFGH"])
    monkeypatch.setattr(cart_codes, "generate", lambda: next(draws))
    carts.add(db, ANONYMOUS, "another-browser", sku_of(w["tee"]), 1)
    assert carts.view(db, ANONYMOUS, "another-browser").code == "ABCD-EFGH"


# -- binding ----------------------------------------------------------------------------------------


def test_binding_moves_the_lines_into_the_locked_customer_cart(db, w):
    code = shopper_code(db, w)
    csr = locked(db, w)
    jane_cart = carts.account_cart(db, w["jane"].id, create=False)
    carts.add(db, csr, None, sku_of(w["cap"]), 2)  # the customer's cart has 2 caps already
    commit(db)
    before = carts.view(db, csr, None).version
    anon = anon_cart(db)

    bound = cart_binding.bind(db, csr, code.lower().replace("-", " "))
    marks = changes.take(db)
    commit(db)

    assert bound == cart_binding.Bound(2, "Jane Smith")
    assert lines_of(db, jane_cart.id) == {w["tee"].id: 1, w["cap"].id: 3}  # caps capped at the stock of 3
    view = carts.view(db, csr, None)
    assert view.version > before
    moved = anon_cart(db)
    assert (moved.id, moved.status, moved.code) == (anon.id, "moved", None)
    assert set(marks.carts) == {jane_cart.id, anon.id} and marks.carts[anon.id].event == "moved"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "cart_bound")).one()
    assert (event.csr_id, event.customer_id, event.cart_id) == (w["casey"].id, w["jane"].id, jane_cart.id)
    assert "2 lines" in event.details
    # The shopper's browser: an empty cart that says where it went, no code, until they start a new one.
    shopper = carts.view(db, ANONYMOUS, KEY)
    assert (shopper.lines, shopper.code, shopper.moved) == ([], "", True)
    owner, published = carts.published_view(db, anon.id)
    assert owner is None and published.moved and published.lines == [] and published.id == anon.id
    carts.add(db, ANONYMOUS, KEY, sku_of(w["tee"]), 1)
    assert carts.view(db, ANONYMOUS, KEY).moved is False


def test_a_bound_code_is_used_up(db, w):
    code = shopper_code(db, w)
    csr = locked(db, w)
    cart_binding.bind(db, csr, code)
    commit(db)
    with pytest.raises(DomainError) as refused:
        cart_binding.bind(db, csr, code)
    assert refused.value.field == "cart_code" and refused.value.message == cart_binding.NOT_VALID


def test_binding_needs_the_lock_held_and_spends_no_guess_without_it(db, w):
    code = shopper_code(db, w)
    csr = w["csr"]
    with pytest.raises(Forbidden, match="Lock the cart"):
        cart_binding.bind(db, csr, code)
    # Another CSR holds the lock.
    sam = on_behalf(db, make_account(db, "Sam", "Agent", role="csr"), w["jane"])
    locks.lock(db, sam)
    commit(db)
    with pytest.raises(Forbidden):
        cart_binding.bind(db, csr, "ZZZZ-ZZZZ")
    assert anon_cart(db).status == "active"
    assert db.exec(select(Throttle)).all() == []  # no guess was counted
    # A lock that ran out is no lock.
    db.exec(update(Cart).where(Cart.account_id == w["jane"].id).values(lock_expires_at=utcnow()))
    commit(db)
    with pytest.raises(Forbidden):
        cart_binding.bind(db, sam, code)


def test_only_staff_on_behalf_bind(db, w):
    code = shopper_code(db, w)
    jane, _ = caller_for(db, w["jane"])
    casey, _ = caller_for(db, w["casey"])  # signed in, not on behalf
    for caller in (ANONYMOUS, jane, casey):
        with pytest.raises(Forbidden):
            cart_binding.bind(db, caller, code)
    assert anon_cart(db).status == "active"


def test_refusals_that_are_not_guesses(db, w):
    csr = locked(db, w)
    for typed, message in [
        ("", "Enter the cart code"),
        ("K0QM-4XPA", "8 letters and digits"),
        (None, "Enter"),
    ]:
        with pytest.raises(DomainError, match=message) as refused:
            cart_binding.bind(db, csr, typed)
        assert refused.value.field == "cart_code"
    assert db.exec(select(Throttle)).all() == []


def test_an_expired_anonymous_cart_has_no_valid_code(db, w):
    code = shopper_code(db, w)
    csr = locked(db, w)
    old = utcnow() - timedelta(days=config.ANON_CART_DAYS, seconds=1)
    db.exec(update(Cart).where(Cart.id == anon_cart(db).id).values(updated_at=old))
    commit(db)
    assert carts.view(db, ANONYMOUS, KEY).code == ""
    with pytest.raises(DomainError, match="not valid"):
        cart_binding.bind(db, csr, code)
    assert anon_cart(db).status == "active"


def test_a_code_dies_when_the_shopper_signs_in(db, w):
    code = shopper_code(db, w)
    other = make_account(db, "Olive", "Other")
    assert carts.merge_anonymous(db, KEY, other.id) == 2
    commit(db)
    assert anon_cart(db).code is None
    with pytest.raises(DomainError, match="not valid"):
        cart_binding.bind(db, locked(db, w), code)


def test_wrong_codes_pause_the_csr_and_count_although_the_work_fails(db, w, monkeypatch):
    monkeypatch.setattr(config, "CART_CODE_MAX_GUESSES", 3)
    code = shopper_code(db, w)
    csr = locked(db, w)
    for _ in range(3):
        with pytest.raises(DomainError, match="not valid"):
            cart_binding.bind(db, csr, "ZZZZ-ZZZZ")
        db.rollback()  # the unit of work fails; the guess was committed
    with pytest.raises(DomainError, match="Too many cart codes") as refused:
        cart_binding.bind(db, csr, code)  # even the right code, while paused
    assert refused.value.field == "cart_code"
    db.rollback()
    # Another CSR is not slowed.
    sam = on_behalf(db, make_account(db, "Sam", "Agent", role="csr"), w["jane"])
    locks.take_over(db, sam)
    commit(db)
    assert cart_binding.bind(db, sam, code).lines == 2


def test_a_right_code_is_given_back(db, w, monkeypatch):
    monkeypatch.setattr(config, "CART_CODE_MAX_GUESSES", 2)
    csr = locked(db, w)
    with pytest.raises(DomainError):
        cart_binding.bind(db, csr, "ZZZZ-ZZZZ")
    db.rollback()
    code = shopper_code(db, w)
    cart_binding.bind(db, csr, code)
    commit(db)
    code = shopper_code(db, w, "second-browser")
    assert cart_binding.bind(db, csr, code).lines == 2  # still 1 of 2 used: the right codes did not count


def test_two_csrs_binding_one_code_at_once_exactly_one_wins(db, w):
    code = shopper_code(db, w)
    customers = [w["jane"], make_account(db, "Kim", "Smith")]
    tokens = []
    for i, customer in enumerate(customers):
        csr = make_account(db, f"Rep{i}", "Racer", role="csr")
        caller, token = caller_for(db, csr)
        onbehalf.start(db, caller, customer.id)
        commit(db)
        locks.lock(db, auth.resolve_caller(db, token))
        commit(db)
        tokens.append(token)

    results = race(lambda s, i: cart_binding.bind(s, auth.resolve_caller(s, tokens[i]), code), n=2)
    winners = [r for r in results if isinstance(r, cart_binding.Bound)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].field == "cart_code"
    db.expire_all()
    assert anon_cart(db).status == "moved"
    filled = [c for c in customers if lines_of(db, carts.account_cart(db, c.id, create=False).id)]
    assert len(filled) == 1
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "cart_bound")).all()) == 1
