"""Registering online, confirmed by mail (SPEC §13, security issue 16 item 4): the Register form answers the
same for every address; a new address gets a pending account and a one-time link that takes the password
chosen when registering; an address with an account gets told, and nothing is created."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from app import config
from app.services import (
    accounts,
    auth,
    carts,
    customers,
    identity,
    onbehalf,
    passwords,
    registration,
    throttle,
)
from app.services.caller import ANONYMOUS
from app.services.db import session_scope, utcnow
from app.services.errors import DomainError, FieldErrors
from app.services.tokens import hash_token
from models import Account, AuthSession, Cart, CartLine, PasswordToken, Throttle
from storefront_qa.mail import CONFIRM_ACCOUNT_LINK, Outbox
from tests.conftest import caller_for, make_account, make_product, sku_of

CHOSEN = "chosen-pass-123"
WRONG = "Email or password is incorrect."
HERE, ELSEWHERE = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setattr(config, "PUBLIC_URL", "https://shop.example")
    return Outbox(tmp_path / "outbox")


@pytest.fixture
def jane(db):
    return make_account(db, "Jane", "Doe", "jane@example.com")


def commit(db):
    db.commit()
    db.expire_all()


def register(db, email="ann@example.com", password=CHOSEN, first="Ann", last="Lee", source=HERE) -> str:
    answer = registration.register(db, first, last, email, password, source=source)
    commit(db)
    return answer


def link_token(outbox: Outbox, to: str) -> str:
    found = CONFIRM_ACCOUNT_LINK.search(outbox.latest(to, timeout=0).get_content())
    assert found, f"no confirmation link in the mail to {to}"
    return parse_qs(urlsplit(found.group(0)).query)["token"][0]


def refused(fn, *args) -> str:
    with pytest.raises(DomainError) as e:
        fn(*args)
    return e.value.message


def sign_in_answer(db, email, password) -> str:
    try:
        auth.sign_in(db, email, password)
    except DomainError as e:
        db.rollback()
        return e.message
    db.rollback()
    return "signed in"


# -- the form -----------------------------------------------------------------------------------------

REGISTER_FIELD_CASES = [
    ("", "", "", "", {"first_name", "last_name", "email", "password"}),
    ("   ", "\t", " ", "", {"first_name", "last_name", "email", "password"}),
    (None, 7, ["a"], {"p": 1}, {"first_name", "last_name", "email", "password"}),
    ("A" * 61, "Lee", "a@example.com", "long-enough-1", {"first_name"}),
    ("Ann", "L" * 61, "a@example.com", "long-enough-1", {"last_name"}),
    ("Ann", "Lee", "not-an-email", "long-enough-1", {"email"}),
    ("Ann", "Lee", "a@b", "long-enough-1", {"email"}),
    ("Ann", "Lee", "a b@example.com", "long-enough-1", {"email"}),
    ("Ann", "Lee", "a" * 250 + "@example.com", "long-enough-1", {"email"}),
    ("Ann", "Lee", "a@example.com", "short", {"password"}),
    ("Ann", "Lee", "a@example.com", "p" * 129, {"password"}),
]


def test_field_errors_come_first_and_count_nothing(db, outbox, subtests):
    for first, last, email, password, expected in REGISTER_FIELD_CASES:
        with subtests.test(first=first, last=last, email=email, password=password):
            with pytest.raises(FieldErrors) as e:
                registration.register(db, first, last, email, password, source=HERE)
            assert set(e.value.errors) == expected
            db.rollback()
    assert db.exec(select(Account)).all() == [] and db.exec(select(Throttle)).all() == []
    assert outbox.messages() == []


def test_error_messages(db):
    with pytest.raises(FieldErrors) as e:
        registration.register(db, "", "L" * 61, "bad", "short")
    errors = e.value.errors
    assert errors["first_name"] == "First name is required."
    assert errors["last_name"] == "Last name must be at most 60 characters."
    assert "valid email" in errors["email"]
    assert errors["password"] == "Password must be at least 8 characters."


def test_limits_are_accepted_exactly(db, outbox):
    register(db, "edge@example.com", password="p" * 8, first="A" * 60, last="B" * 60)
    account = db.exec(select(Account)).one()
    assert account.first_name == "A" * 60 and account.first_name_norm == "a" * 60


# -- a new address ------------------------------------------------------------------------------------


def test_a_new_address_gets_a_pending_account_nobody_can_sign_in_to_and_a_link(db, outbox):
    assert register(db, " Ann@Example.COM ") == "ann@example.com"
    account = db.exec(select(Account)).one()
    assert (account.status, account.role, account.email) == ("pending", "shopper", "ann@example.com")
    assert account.customer_number.startswith("C")
    # Its password hash is of a secret nobody knows; the chosen password travels (hashed) with the link.
    assert account.password_hash == registration.PENDING_HASH
    assert not auth.verify_password(CHOSEN, account.password_hash)
    row = db.exec(select(PasswordToken)).one()
    assert (row.account_id, row.purpose, row.used_at) == (account.id, "register", None)
    assert row.password_hash.startswith("$argon2") and CHOSEN not in row.password_hash
    assert auth.verify_password(CHOSEN, row.password_hash)
    lifetime = row.expires_at.replace(tzinfo=None) - row.created_at.replace(tzinfo=None)
    assert timedelta(hours=config.REGISTER_CONFIRM_HOURS) - timedelta(minutes=1) < lifetime
    assert lifetime <= timedelta(hours=config.REGISTER_CONFIRM_HOURS)

    (msg,) = outbox.messages("ann@example.com")
    assert msg["Subject"] == "Finish creating your Harbor & Pine account"
    token = link_token(outbox, "ann@example.com")
    assert f"https://shop.example/confirm-account?token={token}" in msg.get_content()
    assert row.token_hash == hash_token(token)
    assert "Ann" not in msg.get_content()  # the registrant's words never reach someone else's mailbox
    # Pending: the chosen password signs nobody in, and answers like any wrong password.
    assert sign_in_answer(db, "ann@example.com", CHOSEN) == WRONG
    assert db.exec(select(AuthSession)).all() == []


def test_the_link_takes_the_chosen_password_activates_and_signs_in(db, outbox):
    register(db)
    token = link_token(outbox, "ann@example.com")
    assert registration.check_link(db, token) == {"email": "ann@example.com"}
    session, account = registration.confirm(db, token, CHOSEN)
    commit(db)
    account = db.get(Account, account.id)
    assert account.status == "active" and auth.verify_password(CHOSEN, account.password_hash)
    caller = auth.resolve_caller(db, session)
    assert caller.account_id == account.id == caller.customer_id and caller.name == "Ann Lee"
    row = db.exec(select(PasswordToken)).one()
    assert row.used_at is not None and row.password_hash == ""  # no copy of the hash stays behind
    assert sign_in_answer(db, "ann@example.com", CHOSEN) == "signed in"


def test_the_link_works_once(db, outbox):
    register(db)
    token = link_token(outbox, "ann@example.com")
    registration.confirm(db, token, CHOSEN)
    commit(db)
    assert refused(registration.confirm, db, token, CHOSEN) == registration.LINK_USED
    assert refused(registration.check_link, db, token) == registration.LINK_USED


@pytest.mark.parametrize("password", ["", None, 7, "wrong-pass-123", "p" * 129])
def test_a_wrong_or_missing_password_leaves_the_account_pending_and_the_link_usable(db, outbox, password):
    register(db)
    token = link_token(outbox, "ann@example.com")
    with pytest.raises(FieldErrors) as e:
        registration.confirm(db, token, password)
    db.rollback()
    assert set(e.value.errors) == {"password"}
    assert db.exec(select(Account.status)).one() == "pending"
    registration.confirm(db, token, CHOSEN)


def test_wrong_passwords_on_a_link_are_slowed_like_sign_ins(db, outbox):
    register(db)
    token = link_token(outbox, "ann@example.com")
    answers = []
    for _ in range(config.SIGNIN_MAX_FAILURES + 1):
        with pytest.raises(FieldErrors) as e:
            registration.confirm(db, token, "wrong-pass-123")
        db.rollback()
        answers.append(e.value.errors["password"])
    assert answers[: config.SIGNIN_MAX_FAILURES - 1] == [registration.WRONG_PASSWORD] * 4
    assert answers[-2].startswith("Too many wrong passwords") and answers[-1].startswith("Too many wrong")
    with pytest.raises(FieldErrors):  # paused: even the right password waits
        registration.confirm(db, token, CHOSEN)
    db.rollback()
    assert db.exec(select(Account.status)).one() == "pending"


def test_tokens_of_other_purposes_never_confirm_and_register_links_never_set_a_password(db, jane, outbox):
    passwords.request_reset(db, jane.email)
    commit(db)
    reset = parse_qs(urlsplit(outbox.set_password_link(jane.email, timeout=0)).query)["token"][0]
    assert refused(registration.check_link, db, reset) == passwords.LINK_UNKNOWN
    register(db)
    token = link_token(outbox, "ann@example.com")
    assert refused(passwords.check_link, db, token) == passwords.LINK_UNKNOWN
    assert refused(passwords.set_password, db, token, "other-pass-123", "other-pass-123") == (
        passwords.LINK_UNKNOWN
    )


@pytest.mark.parametrize("token", ["", "nope", None, 7, "x" * 201])
def test_unknown_or_malformed_links(db, token):
    assert refused(registration.check_link, db, token) == passwords.LINK_UNKNOWN
    assert refused(registration.confirm, db, token, CHOSEN) == passwords.LINK_UNKNOWN


def test_an_expired_link_is_refused(db, outbox):
    register(db)
    token = link_token(outbox, "ann@example.com")
    row = db.exec(select(PasswordToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    commit(db)
    assert refused(registration.confirm, db, token, CHOSEN) == registration.LINK_EXPIRED
    assert db.exec(select(Account.status)).one() == "pending"


def test_a_pending_account_disabled_meanwhile_is_not_finished(db, outbox):
    register(db)
    token = link_token(outbox, "ann@example.com")
    account = db.exec(select(Account)).one()
    account.status = "disabled"
    db.add(account)
    commit(db)
    assert refused(registration.confirm, db, token, CHOSEN) == passwords.LINK_CLOSED


def test_two_clicks_racing_on_one_link_exactly_one_wins(db, outbox):
    register(db)
    token = link_token(outbox, "ann@example.com")
    n = config.SIGNIN_MAX_FAILURES  # every racer gets an attempt
    barrier = threading.Barrier(n)

    def use(_):
        barrier.wait()
        try:
            with session_scope() as s:
                registration.confirm(s, token, CHOSEN)
            return "won"
        except DomainError as e:
            return e.message

    with ThreadPoolExecutor(n) as pool:
        results = list(pool.map(use, range(n)))
    assert sorted(results) == [registration.LINK_USED] * (n - 1) + ["won"]
    db.expire_all()
    assert len(db.exec(select(AuthSession)).all()) == 1
    assert db.exec(select(Account.status)).one() == "active"


def test_confirming_merges_the_browsers_anonymous_cart_and_signs_out_whoever_was_there(db, jane, outbox):
    product = make_product(db)
    previous, jane_token = caller_for(db, jane)
    carts.add(db, ANONYMOUS, "the-browser", sku_of(product), 2)
    commit(db)
    register(db)
    token, first = identity.confirm_registration(
        db, previous, "the-browser", link_token(outbox, "ann@example.com"), CHOSEN
    )
    commit(db)
    assert first == "Ann"
    assert not auth.resolve_caller(db, jane_token).signed_in  # one browser, one person
    ann = auth.resolve_caller(db, token)
    cart = db.exec(select(Cart).where(Cart.account_id == ann.account_id, Cart.status == "active")).one()
    assert [line.quantity for line in db.exec(select(CartLine).where(CartLine.cart_id == cart.id))] == [2]


# -- registering again, and an address with an account -------------------------------------------------


def test_registering_a_pending_address_again_sends_a_newer_link_that_replaces_the_older(db, outbox):
    register(db, password=CHOSEN)
    first_link = link_token(outbox, "ann@example.com")
    register(db, first="Anne", last="Lea", password="second-pass-456")
    newer = link_token(outbox, "ann@example.com")
    assert first_link != newer and outbox.count("ann@example.com") == 2
    account = db.exec(select(Account)).one()  # still one account
    assert (account.first_name, account.last_name, account.first_name_norm) == ("Anne", "Lea", "anne")
    assert refused(registration.confirm, db, first_link, CHOSEN) == registration.LINK_REPLACED
    with pytest.raises(FieldErrors):  # the newest link takes the newest registration's password only
        registration.confirm(db, newer, CHOSEN)
    db.rollback()
    registration.confirm(db, newer, "second-pass-456")
    commit(db)
    assert sign_in_answer(db, "ann@example.com", "second-pass-456") == "signed in"
    assert refused(registration.check_link, db, first_link) == registration.LINK_DONE


def test_an_address_with_an_account_is_told_and_nothing_changes(db, jane, outbox):
    before = (jane.password_hash, jane.first_name, jane.last_name, jane.status)
    assert register(db, "JANE@example.com", first="Mallory", last="Evil") == "jane@example.com"
    assert len(db.exec(select(Account)).all()) == 1
    assert db.exec(select(PasswordToken)).all() == []
    jane = db.get(Account, jane.id)
    assert (jane.password_hash, jane.first_name, jane.last_name, jane.status) == before
    (msg,) = outbox.messages("jane@example.com")
    body = msg.get_content()
    assert msg["Subject"] == "Someone tried to register with your Harbor & Pine email address"
    assert "Hello Jane" in body and "Mallory" not in body
    assert "https://shop.example/login" in body and "https://shop.example/forgot-password" in body
    assert CONFIRM_ACCOUNT_LINK.search(body) is None
    assert sign_in_answer(db, "jane@example.com", CHOSEN) == WRONG  # the stranger's password is nothing
    assert sign_in_answer(db, "jane@example.com", "shop-pass-123") == "signed in"


def test_staff_and_disabled_addresses_are_told_too_and_never_changed(db, outbox):
    make_account(db, "Casey", "Rep", "csr@example.com", role="csr")
    make_account(db, "Dana", "Smith", "dana@example.com", status="disabled")
    for email in ("csr@example.com", "dana@example.com"):
        register(db, email)
        assert outbox.count(email) == 1
    assert sorted(db.exec(select(Account.status)).all()) == ["active", "disabled"]


def test_every_branch_hashes_the_password_once_and_sends_one_mail(db, jane, outbox, monkeypatch):
    """The time an answer takes is the hash's: an address with an account costs what one without does."""
    hashed = []
    real = registration.hash_password
    monkeypatch.setattr(registration, "hash_password", lambda pw: hashed.append(pw) or real(pw))
    for email in ("jane@example.com", "new@example.com", "new@example.com"):  # account, none, pending
        hashed.clear()
        before = len(outbox.messages())
        register(db, email)
        assert (len(hashed), len(outbox.messages()) - before) == (1, 1), email


# -- limits --------------------------------------------------------------------------------------------


def test_one_source_mails_one_address_a_few_times_an_hour_then_silence(db, jane, outbox):
    for email in ("jane@example.com", "ann@example.com"):
        for _ in range(config.PASSWORD_LINKS_PER_HOUR + 2):
            assert register(db, email) == email  # the usual answer every time
        assert outbox.count(email) == config.PASSWORD_LINKS_PER_HOUR
    # Another source is not held back by the first one's requests (the owner, say).
    register(db, "ann@example.com", source=ELSEWHERE)
    assert outbox.count("ann@example.com") == config.PASSWORD_LINKS_PER_HOUR + 1


def test_a_source_registering_too_often_is_told_to_wait_whatever_the_address(db, jane, outbox, monkeypatch):
    monkeypatch.setattr(config, "REGISTER_PER_SOURCE_PER_HOUR", 3)
    for i in range(3):
        register(db, f"user{i}@example.com")
    answers = []
    for email in ("jane@example.com", "nobody@example.com"):
        answers.append(refused(registration.register, db, "A", "B", email, CHOSEN, HERE))
        db.rollback()
    assert answers[0] == answers[1]
    assert answers[0].startswith("Too many registrations from your network. Please try again in")
    assert outbox.count("jane@example.com") == 0 and outbox.count("nobody@example.com") == 0
    register(db, "nobody@example.com", source=ELSEWHERE)
    assert outbox.count("nobody@example.com") == 1


def test_real_and_unknown_addresses_leave_the_same_counters(db, jane, outbox):
    def counters():
        return sorted((row.key.split(":")[0], row.count) for row in db.exec(select(Throttle)).all())

    register(db, "jane@example.com")
    assert counters() == [("register-mails", 1), ("register-source", 1)]
    register(db, "nobody@example.com")
    assert counters() == [("register-mails", 1), ("register-mails", 1), ("register-source", 2)]
    assert db.get(Throttle, throttle.key(registration._mails_per_address(), f"jane@example.com {HERE}"))


# -- a pending account everywhere else ------------------------------------------------------------------


def test_a_pending_account_is_refused_everywhere(db, outbox):
    register(db)
    pending = db.exec(select(Account)).one()
    # No session of a pending account resolves (one made behind the services' back, say).
    _, token = caller_for(db, pending)
    assert not auth.resolve_caller(db, token).signed_in
    # Forgot password sends it nothing (it has no password to reset), with the usual answer.
    assert passwords.request_reset(db, "ann@example.com", HERE) is None
    commit(db)
    assert outbox.count("ann@example.com") == 1  # the registration's mail only
    # Customer service does not find it, and cannot access it by id.
    csr, _ = caller_for(db, make_account(db, "Casey", "Rep", "csr@example.com", role="csr"))
    for criteria in ({"email": "ann"}, {"last_name": "Lee"}, {"customer_number": pending.customer_number}):
        assert customers.find(db, csr, criteria).rows == []
    assert "not finished registering" in onbehalf.access_refusal(db, csr, pending)
    # A CSR creating an account for the address is told why it cannot (staff only see this).
    with pytest.raises(FieldErrors) as e:
        customers.create_customer(
            db,
            csr,
            {
                "first_name": "Ann",
                "last_name": "Lee",
                "email": "ann@example.com",
                "phone": "555 123 4567",
                "line1": "1 Way",
                "city": "Springfield",
                "postal_code": "62701",
            },
        )
    assert e.value.errors["email"] == accounts.TAKEN_PENDING
    db.rollback()
    # Once finished, it is a customer like any other.
    registration.confirm(db, link_token(outbox, "ann@example.com"), CHOSEN)
    commit(db)
    assert [r.email for r in customers.find(db, csr, {"email": "ann"}).rows] == ["ann@example.com"]


def test_pending_accounts_nobody_can_finish_are_pruned_and_the_address_is_free_again(db, jane, outbox):
    register(db, "old@example.com")
    register(db, "fresh@example.com")
    old_id = db.exec(select(Account.id).where(Account.email == "old@example.com")).one()
    later = utcnow() + timedelta(hours=config.REGISTER_CONFIRM_HOURS, minutes=1)
    assert registration.prune_pending(db, utcnow()) == 0  # every link still works
    # "fresh" registered again just now: its newest link still works at `later`.
    fresh = db.exec(select(Account).where(Account.email == "fresh@example.com")).one()
    for token in db.exec(select(PasswordToken).where(PasswordToken.account_id == fresh.id)).all():
        token.expires_at = later + timedelta(hours=1)
    commit(db)
    assert registration.prune_pending(db, later) == 1
    commit(db)
    assert db.get(Account, old_id) is None
    assert db.exec(select(PasswordToken).where(PasswordToken.account_id == old_id)).all() == []
    assert db.get(Account, fresh.id) is not None and db.get(Account, jane.id) is not None  # active: never
    register(db, "old@example.com")  # the address starts over
    assert db.exec(select(Account).where(Account.email == "old@example.com")).one().status == accounts.PENDING
