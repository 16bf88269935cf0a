"""Sign-in, registration and sessions (SPEC §8: argon2, hashed expiring tokens, slow-down)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from passlib.hash import argon2
from sqlmodel import select

from app import config
from app.services import accounts, auth, throttle
from app.services.caller import ANONYMOUS
from app.services.db import utcnow
from app.services.errors import DomainError, FieldErrors, Forbidden
from app.services.tokens import hash_token
from models import Account, AuthSession, Throttle
from tests.conftest import caller_for, make_account

PASSWORD = "right-pass-123"
# Still argon2, but with tiny costs so the many verify calls below stay fast.
FAST_HASH = argon2.using(memory_cost=8, time_cost=1, parallelism=1).hash(PASSWORD)
WRONG = "Email or password is incorrect."


def commit(db):
    db.commit()
    db.expire_all()  # the fixture keeps objects after commit; conditional UPDATEs bypass them


@pytest.fixture
def jane(db):
    return make_account(db, "Jane", "Doe", email="jane@example.com", password_hash=FAST_HASH)


def fail(db, email, password):
    with pytest.raises(DomainError) as e:
        auth.sign_in(db, email, password)
    db.rollback()
    return e.value.message


def failures(db, email: str) -> int:
    """Failed sign-ins counted on an address in the current window (untrusted browsers)."""
    row = db.get(Throttle, throttle.key(auth._address_limit(), email))
    db.refresh(row) if row is not None else None
    return row.count if row is not None else 0


# -- hashing and tokens ----------------------------------------------------------------------


def test_password_hash_is_argon2_and_verifies():
    h = auth.hash_password("s3cret-pass")
    assert h.startswith("$argon2")
    assert auth.verify_password("s3cret-pass", h)
    assert not auth.verify_password("other-pass", h)


@pytest.mark.parametrize("bad_hash", ["", "not-a-hash", "$argon2id$garbage"])
def test_verify_password_with_a_broken_hash_is_false(bad_hash):
    assert auth.verify_password("whatever", bad_hash) is False


def test_a_new_account_stores_an_argon2_hash_never_the_password(db):
    account = accounts.create_account(
        db, first_name="Ann", last_name="Lee", email="Ann@Example.com", password="long-enough-1"
    )
    token = auth._start_session(db, account)
    commit(db)
    assert account.password_hash.startswith("$argon2")
    assert "long-enough-1" not in account.password_hash
    assert account.email == "ann@example.com"
    assert account.customer_number.startswith("C")
    caller = auth.resolve_caller(db, token)
    assert caller.account_id == account.id and caller.customer_id == account.id
    assert caller.role == "shopper" and caller.permissions == frozenset()


def test_sign_in_stores_only_the_token_hash(db, jane):
    token, account = auth.sign_in(db, "  JANE@example.com ", PASSWORD)
    commit(db)
    assert account.id == jane.id
    rows = db.exec(select(AuthSession).where(AuthSession.account_id == jane.id)).all()
    assert len(rows) == 1
    assert rows[0].token_hash == hash_token(token) != token
    assert len(rows[0].token_hash) == 64
    assert token not in rows[0].token_hash
    assert auth.as_utc(rows[0].expires_at) > utcnow() + timedelta(days=config.SESSION_DAYS - 1)
    assert auth.resolve_caller(db, token).account_id == jane.id


def test_tokens_are_random(db, jane):
    t1, _ = auth.sign_in(db, "jane@example.com", PASSWORD)
    t2, _ = auth.sign_in(db, "jane@example.com", PASSWORD)
    assert t1 != t2 and len(t1) >= 40


# -- sign-in failures ------------------------------------------------------------------------


def test_wrong_password_message_and_failure_counted(db, jane):
    assert fail(db, "jane@example.com", "nope-nope") == WRONG
    assert failures(db, "jane@example.com") == 1  # committed even though the unit of work failed


def test_unknown_email_gets_the_same_message(db, jane):
    assert fail(db, "nobody@example.com", PASSWORD) == WRONG


SIGN_IN_FIELD_CASES = [
    ("", "", {"email", "password"}),
    (None, None, {"email", "password"}),
    (123, ["x"], {"email", "password"}),
    ("a" * 250 + "@x.com", "pw", {"email"}),
    ("jane@example.com", "p" * 129, {"password"}),
]


def test_sign_in_field_errors(db, subtests):
    for email, password, fields in SIGN_IN_FIELD_CASES:
        with subtests.test(email=email, password=password):
            with pytest.raises(FieldErrors) as e:
                auth.sign_in(db, email, password)
            assert set(e.value.errors) == fields


def test_five_failures_slow_the_account_down(db, jane, monkeypatch):
    monkeypatch.setattr(config, "SIGNIN_SLOWDOWN_SECONDS", 600)
    for _ in range(config.SIGNIN_MAX_FAILURES - 1):
        assert fail(db, "jane@example.com", "wrong-pass") == WRONG
    fifth = fail(db, "jane@example.com", "wrong-pass")
    assert "Too many failed sign-ins" in fifth and "600 seconds" in fifth
    # Refused even with the right password while slowed down; nothing is opened.
    refused = fail(db, "jane@example.com", PASSWORD)
    assert refused.startswith("Too many failed sign-ins. Please wait")
    assert db.exec(select(AuthSession)).all() == []
    # Once the pause has passed, the right password works and the counters reset.
    row = db.get(Throttle, throttle.key(auth._address_limit(), "jane@example.com"))
    row.blocked_until = utcnow() - timedelta(seconds=1)
    db.add(row)
    commit(db)
    token, _ = auth.sign_in(db, "jane@example.com", PASSWORD)
    commit(db)
    assert failures(db, "jane@example.com") == 0
    assert auth.resolve_caller(db, token).account_id == jane.id


def test_parallel_failures_all_count(db, jane, engine):
    """Two sign-ins running at once must both count (each takes its attempt in the database)."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as other:
        assert fail(db, "jane@example.com", "wrong-pass") == WRONG
        with pytest.raises(DomainError):
            auth.sign_in(other, "jane@example.com", "wrong-pass")
        other.rollback()
    assert failures(db, "jane@example.com") == 2


def test_slowdown_ends_after_the_configured_seconds(db, jane, monkeypatch):
    monkeypatch.setattr(config, "SIGNIN_SLOWDOWN_SECONDS", 0)
    for _ in range(config.SIGNIN_MAX_FAILURES):
        fail(db, "jane@example.com", "wrong-pass")
    token, _ = auth.sign_in(db, "jane@example.com", PASSWORD)
    assert token


def test_success_resets_the_failure_count(db, jane):
    for _ in range(config.SIGNIN_MAX_FAILURES - 1):
        fail(db, "jane@example.com", "wrong-pass")
    auth.sign_in(db, "jane@example.com", PASSWORD)
    commit(db)
    assert failures(db, "jane@example.com") == 0
    assert fail(db, "jane@example.com", "wrong-pass") == WRONG  # a fresh count, not the 5th failure


def test_disabled_account_cannot_sign_in(db):
    make_account(db, "Dee", "Abled", email="dee@example.com", password_hash=FAST_HASH, status="disabled")
    assert "disabled" in fail(db, "dee@example.com", PASSWORD)
    assert fail(db, "dee@example.com", "wrong-pass") == WRONG  # no hint for a wrong password


def test_disabled_account_session_resolves_to_anonymous(db, jane):
    caller, token = caller_for(db, jane)
    assert caller.signed_in
    jane.status = "disabled"
    db.add(jane)
    commit(db)
    assert auth.resolve_caller(db, token) == ANONYMOUS


# -- sessions --------------------------------------------------------------------------------


def test_expired_session_is_anonymous_and_removed(db, jane):
    _, token = caller_for(db, jane)
    row = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    commit(db)
    assert auth.resolve_caller(db, token) == ANONYMOUS
    commit(db)
    assert db.exec(select(AuthSession)).all() == []


def test_missing_or_unknown_token_is_anonymous(db, jane, subtests):
    for token in [None, "", "unknown-token", 42, "x" * 500]:
        with subtests.test(token=token):
            caller = auth.resolve_caller(db, token)
            assert caller == ANONYMOUS
            assert not caller.signed_in and caller.customer_id is None


def test_sign_out_ends_the_session(db, jane):
    _, token = caller_for(db, jane)
    auth.sign_out(db, token)
    commit(db)
    assert auth.resolve_caller(db, token) == ANONYMOUS
    auth.sign_out(db, token)  # twice is harmless
    auth.sign_out(db, None)


def test_staff_caller_has_permissions_but_no_customer(db):
    csr = make_account(db, "Casey", "Rep", role="csr")
    sup = make_account(db, "Pat", "Lead", role="supervisor")
    c, _ = caller_for(db, csr)
    s, _ = caller_for(db, sup)
    assert c.can("customer.search") and c.can("cart.takeover") and not c.can("audit.view")
    assert s.can("audit.view") and s.can("lock.release_any")
    assert c.customer_id is None and not c.on_behalf
    with pytest.raises(Forbidden, match="Access a customer"):
        c.require_customer()


def test_anonymous_caller_refusals():
    with pytest.raises(Forbidden, match="sign in"):
        ANONYMOUS.require("customer.search")
    with pytest.raises(Forbidden, match="sign in"):
        ANONYMOUS.require_customer()


def test_shopper_lacks_staff_permissions(db, jane):
    caller, _ = caller_for(db, jane)
    with pytest.raises(Forbidden, match="permission"):
        caller.require("customer.search")
    assert caller.customer_segments == frozenset()


def test_segments_are_normalized(db):
    vip = make_account(db, "Vera", "Ip", segments=" VIP , gold,")
    caller, _ = caller_for(db, vip)
    assert caller.customer_segments == frozenset({"vip", "gold"})


# -- accounts created directly (customer service, the seed; registering online is tests/unit/test_registration.py)


def test_a_taken_email_is_refused_whatever_its_case(db, jane):
    with pytest.raises(FieldErrors) as e:
        accounts.create_account(
            db, first_name="Jane", last_name="Again", email="JANE@Example.COM", password="long-enough-1"
        )
    assert e.value.errors["email"] == accounts.TAKEN
    db.rollback()
    assert len(db.exec(select(Account)).all()) == 1
