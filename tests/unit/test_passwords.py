"""Set-password links (docs/PRODUCT.md §Sessions and sign-in): welcome links from customer service, Forgot
password, and the one-time use."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from app import config
from app.services import auth, customers, mail, onbehalf, passwords, throttle
from app.services.db import session_scope, utcnow
from app.services.errors import DomainError, FieldErrors, Forbidden
from app.services.tokens import hash_token
from models import Account, AuditEvent, AuthSession, OnBehalfSession, PasswordToken, Throttle
from storefront_qa.mail import Outbox
from tests.conftest import caller_for, make_account

NEW = "brand-new-pass-1"


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    folder = tmp_path / "outbox"
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(folder))
    monkeypatch.setattr(config, "PUBLIC_URL", "https://shop.example")
    return Outbox(folder)


def commit(db):
    db.commit()
    db.expire_all()


def token_in(outbox: Outbox, to: str) -> str:
    return parse_qs(urlsplit(outbox.set_password_link(to, timeout=0)).query)["token"][0]


def forgot(db, outbox: Outbox, email: str) -> str:
    passwords.request_reset(db, email)
    commit(db)
    return token_in(outbox, email)


@pytest.fixture
def jane(db):
    return make_account(db, "Jane", "Doe", "jane@example.com")


@pytest.fixture
def csr_signed_in(db):
    return caller_for(db, make_account(db, "Casey", "Rep", "csr@example.com", role="csr"))


@pytest.fixture
def csr(csr_signed_in):
    return csr_signed_in[0]


def again(db, token):
    """The caller as the next request sees them (e.g. on behalf since)."""
    return auth.resolve_caller(db, token)


NEW_CUSTOMER = {
    "first_name": "Nia",
    "last_name": "Newcomer",
    "email": "nia@example.com",
    "phone": "(555) 777-1234",
    "line1": "9 Harbor Way",
    "city": "Portland",
    "postal_code": "97201",
}


# -- issuing ------------------------------------------------------------------------------------------


def test_forgot_password_mails_a_link_whose_token_is_stored_only_hashed(db, jane, outbox):
    token = forgot(db, outbox, " Jane@Example.com ")
    (msg,) = outbox.messages("jane@example.com")
    assert msg["Subject"] == "Reset your Harbor & Pine password"
    assert msg["From"] == config.MAIL_FROM
    assert f"https://shop.example/set-password?token={token}" in msg.get_content()
    row = db.exec(select(PasswordToken)).one()
    assert (row.account_id, row.purpose, row.created_by_id, row.used_at) == (jane.id, "reset", None, None)
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert (
        timedelta(minutes=59)
        < row.expires_at.replace(tzinfo=None) - row.created_at.replace(tzinfo=None)
        <= timedelta(minutes=60)
    )


def test_no_account_enumeration_unknown_and_disabled_addresses_get_the_same_answer(db, outbox):
    make_account(db, "Dana", "Smith", "dana@example.com", status="disabled")
    assert passwords.request_reset(db, "nobody@example.com") is None
    assert passwords.request_reset(db, "dana@example.com") is None
    commit(db)
    assert outbox.messages() == [] and db.exec(select(PasswordToken)).all() == []


@pytest.mark.parametrize("email", ["", "   ", "not-an-email", None, 42, "a@b." + "c" * 260])
def test_forgot_password_checks_the_email_field(db, outbox, email):
    with pytest.raises(FieldErrors) as e:
        passwords.request_reset(db, email)
    assert list(e.value.errors) == ["email"]


def test_staff_may_reset_too(db, outbox):
    make_account(db, "Casey", "Rep", "rep@example.com", role="csr")
    token = forgot(db, outbox, "rep@example.com")
    _, account = passwords.set_password(db, token, NEW, NEW)
    assert account.role == "csr"


def test_a_new_link_replaces_the_older_unused_one(db, jane, outbox):
    first = forgot(db, outbox, jane.email)
    second = forgot(db, outbox, jane.email)
    assert first != second
    with pytest.raises(passwords.InvalidLink) as e:
        passwords.check_link(db, first)
    assert e.value.message == passwords.LINK_REPLACED
    assert passwords.check_link(db, second)["email"] == jane.email


def test_at_most_links_per_hour_then_silence(db, jane, outbox):
    for _ in range(config.PASSWORD_LINKS_PER_HOUR + 2):
        passwords.request_reset(db, jane.email)
        commit(db)
    assert outbox.count(jane.email) == config.PASSWORD_LINKS_PER_HOUR
    # An hour later the account gets links again.
    for row in db.exec(select(Throttle)).all():
        row.window_start = utcnow() - timedelta(minutes=61)
        db.add(row)
    commit(db)
    passwords.request_reset(db, jane.email)
    commit(db)
    assert outbox.count(jane.email) == config.PASSWORD_LINKS_PER_HOUR + 1


def test_parallel_requests_cannot_pass_the_hourly_limit(db, jane, outbox):
    n = 10
    barrier = threading.Barrier(n)

    def request(_):
        barrier.wait()
        with session_scope() as s:
            passwords.request_reset(s, jane.email)

    with ThreadPoolExecutor(n) as pool:
        list(pool.map(request, range(n)))
    db.expire_all()
    assert len(db.exec(select(PasswordToken)).all()) == config.PASSWORD_LINKS_PER_HOUR
    assert outbox.count(jane.email) == config.PASSWORD_LINKS_PER_HOUR


# -- using a link -------------------------------------------------------------------------------------


def test_set_password_once_signs_in_and_the_old_password_stops_working(db, jane, outbox):
    token = forgot(db, outbox, jane.email)
    assert passwords.check_link(db, token) == {"email": jane.email, "first_name": "Jane", "purpose": "reset"}
    session_token, account = passwords.set_password(db, token, NEW, NEW)
    commit(db)
    assert account.id == jane.id and auth.resolve_caller(db, session_token).account_id == jane.id
    with pytest.raises(DomainError):
        auth.sign_in(db, jane.email, "shop-pass-123")
    auth.sign_in(db, jane.email, NEW)
    for attempt in (
        lambda: passwords.check_link(db, token),
        lambda: passwords.set_password(db, token, NEW, NEW),
    ):
        with pytest.raises(passwords.InvalidLink) as e:
            attempt()
        assert e.value.message == passwords.LINK_USED


@pytest.mark.parametrize(
    "password, confirm, field",
    [
        ("", "", "password"),
        ("short", "short", "password"),
        ("x" * 129, "x" * 129, "password"),
        (None, None, "password"),
        (NEW, "something-else", "confirm"),
        (NEW, None, "confirm"),
    ],
)
def test_field_errors_leave_the_link_usable(db, jane, outbox, password, confirm, field):
    token = forgot(db, outbox, jane.email)
    with pytest.raises(FieldErrors) as e:
        passwords.set_password(db, token, password, confirm)
    assert list(e.value.errors) == [field]
    commit(db)
    assert db.exec(select(PasswordToken)).one().used_at is None
    passwords.set_password(db, token, NEW, NEW)


@pytest.mark.parametrize("token", [None, "", 5, "x" * 201, "not-a-token", ["list"]])
def test_unknown_or_malformed_tokens(db, token):
    with pytest.raises(passwords.InvalidLink) as e:
        passwords.check_link(db, token)
    assert e.value.message == passwords.LINK_UNKNOWN
    with pytest.raises(passwords.InvalidLink):
        passwords.set_password(db, token, NEW, NEW)


def test_an_expired_link_is_refused(db, jane, outbox):
    token = forgot(db, outbox, jane.email)
    row = db.exec(select(PasswordToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    commit(db)
    for attempt in (
        lambda: passwords.check_link(db, token),
        lambda: passwords.set_password(db, token, NEW, NEW),
    ):
        with pytest.raises(passwords.InvalidLink) as e:
            attempt()
        assert e.value.message == passwords.LINK_EXPIRED


def test_a_link_of_an_account_disabled_since_is_refused(db, jane, outbox):
    token = forgot(db, outbox, jane.email)
    jane.status = "disabled"
    db.add(jane)
    commit(db)
    with pytest.raises(passwords.InvalidLink) as e:
        passwords.set_password(db, token, NEW, NEW)
    assert e.value.message == passwords.LINK_CLOSED


def test_setting_a_password_ends_every_other_session_and_link(db, jane, outbox):
    _, other_browser = caller_for(db, jane)
    for _ in range(config.SIGNIN_MAX_FAILURES):  # someone paused sign-in to her address
        with pytest.raises(DomainError):
            auth.sign_in(db, jane.email, "wrong-password")
        db.rollback()
    token = forgot(db, outbox, jane.email)
    row = db.exec(select(PasswordToken)).one()
    # An unused welcome link of the same account stops working too.
    db.add(
        PasswordToken(token_hash="w" * 64, account_id=jane.id, purpose="welcome", expires_at=row.expires_at)
    )
    commit(db)
    new_session, _ = passwords.set_password(db, token, NEW, NEW)
    commit(db)
    assert not auth.resolve_caller(db, other_browser).signed_in
    assert [s.token_hash for s in db.exec(select(AuthSession)).all()] == [hash_token(new_session)]
    welcome = db.exec(select(PasswordToken).where(PasswordToken.purpose == "welcome")).one()
    assert welcome.used_at is None and welcome.expires_at.replace(tzinfo=None) <= utcnow().replace(
        tzinfo=None
    )
    assert db.get(Throttle, throttle.key(auth._address_limit(), jane.email)) is None  # not paused any more


def test_a_staff_reset_ends_their_on_behalf_session(db, jane, outbox):
    caller, _ = caller_for(db, make_account(db, "Sam", "Agent", "sam@example.com", role="csr"))
    onbehalf.start(db, caller, jane.id)
    commit(db)
    token = forgot(db, outbox, "sam@example.com")
    passwords.set_password(db, token, NEW, NEW)
    commit(db)
    ob = db.exec(select(OnBehalfSession)).one()
    assert ob.end_reason == "password_reset" and ob.ended_at is not None


def test_two_clicks_racing_on_one_link_exactly_one_wins(db, jane, outbox):
    token = forgot(db, outbox, jane.email)
    n = 8
    barrier = threading.Barrier(n)

    def use(i):
        barrier.wait()
        try:
            with session_scope() as s:
                passwords.set_password(s, token, f"racer-password-{i}", f"racer-password-{i}")
            return i
        except DomainError as e:
            return e

    with ThreadPoolExecutor(n) as pool:
        results = list(pool.map(use, range(n)))
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1
    assert all(r.message == passwords.LINK_USED for r in results if not isinstance(r, int))
    db.expire_all()
    auth.sign_in(db, jane.email, f"racer-password-{winners[0]}")
    assert len(db.exec(select(AuthSession)).all()) == 2  # the winner's, and the sign-in just now


# -- customer service ---------------------------------------------------------------------------------


def test_a_customer_created_by_a_csr_gets_a_welcome_link_after_commit(db, csr, outbox):
    account = customers.create_customer(db, csr, NEW_CUSTOMER)
    assert outbox.messages() == []  # not before the transaction commits
    commit(db)
    (msg,) = outbox.messages("nia@example.com")
    assert "choose your password" in msg["Subject"]
    row = db.exec(select(PasswordToken)).one()
    assert (row.purpose, row.created_by_id, row.account_id) == ("welcome", csr.account_id, account.id)
    assert timedelta(days=6) < row.expires_at - row.created_at <= timedelta(days=7)
    audited = db.exec(select(AuditEvent).where(AuditEvent.action == "password_link_sent")).one()
    assert (audited.csr_id, audited.customer_id) == (csr.account_id, account.id)
    assert "nia@example.com" in audited.details
    # The CSR knows no password of the customer; the customer signs in after choosing one.
    with pytest.raises(DomainError):
        auth.sign_in(db, "nia@example.com", "")
    token = token_in(outbox, "nia@example.com")
    assert passwords.check_link(db, token)["purpose"] == "welcome"
    passwords.set_password(db, token, NEW, NEW)
    commit(db)
    auth.sign_in(db, "nia@example.com", NEW)


def test_no_mail_when_the_transaction_rolls_back(engine, outbox, db, jane):
    with pytest.raises(RuntimeError), session_scope() as s:
        passwords.request_reset(s, jane.email)
        raise RuntimeError("something after it failed")
    assert outbox.messages() == [] and db.exec(select(PasswordToken)).all() == []
    with session_scope() as s:
        passwords.request_reset(s, jane.email)
    assert outbox.count(jane.email) == 1


def test_csr_on_behalf_sends_a_fresh_link_never_seeing_it(db, csr_signed_in, outbox):
    csr, csr_token = csr_signed_in
    account = customers.create_customer(db, csr, NEW_CUSTOMER)
    onbehalf.start(db, csr, account.id, just_created=True)  # as Create customer does: the welcome mail only
    commit(db)
    caller = again(db, csr_token)
    first = token_in(outbox, account.email)
    assert passwords.send_link_for_customer(db, caller) == account.email
    commit(db)
    second = token_in(outbox, account.email)
    # Never used a link: the fresh one is a welcome link, and it replaces the first.
    assert passwords.check_link(db, second)["purpose"] == "welcome"
    with pytest.raises(passwords.InvalidLink):
        passwords.check_link(db, first)
    passwords.set_password(db, second, NEW, NEW)
    commit(db)
    passwords.send_link_for_customer(db, again(db, csr_token))
    commit(db)
    assert passwords.check_link(db, token_in(outbox, account.email))["purpose"] == "reset"
    assert "Customer service sent you this link" in outbox.latest(account.email).get_content()
    sent = db.exec(select(AuditEvent).where(AuditEvent.action == "password_link_sent")).all()
    assert [e.details.split(" sent")[0] for e in sent] == [
        "Welcome link (set a password)",
        "Welcome link (set a password)",
        "Password reset link",
    ]


def test_only_a_csr_on_behalf_may_send_a_link(db, csr, jane, outbox):
    with pytest.raises(Forbidden):
        passwords.send_link_for_customer(db, csr)  # not on behalf of anyone
    shopper, _ = caller_for(db, jane)
    with pytest.raises(Forbidden):
        passwords.send_link_for_customer(db, shopper)
    with pytest.raises(Forbidden):
        passwords.send_welcome(db, shopper, jane)
    assert outbox.messages() == []


def test_a_csr_is_told_when_the_hourly_limit_is_reached(db, csr_signed_in, jane, outbox):
    csr, csr_token = csr_signed_in
    onbehalf.start(db, csr, jane.id)
    commit(db)
    caller = again(db, csr_token)
    for _ in range(config.PASSWORD_LINKS_PER_HOUR):
        passwords.send_link_for_customer(db, caller)
        commit(db)
    with pytest.raises(DomainError) as e:
        passwords.send_link_for_customer(db, caller)
    assert "last hour" in e.value.message


# -- mail ---------------------------------------------------------------------------------------------


def test_mail_goes_to_the_outbox_folder_as_eml_files(outbox):
    path = mail.send("someone@example.com", "Hello", "Line one\nLine two\n")
    assert path.parent == outbox.folder and path.suffix == ".eml"
    (msg,) = outbox.messages("someone@example.com")
    assert msg["Subject"] == "Hello" and msg.get_content() == "Line one\nLine two\n"
    assert not list(outbox.folder.glob("*.tmp"))


def test_without_an_outbox_the_mail_is_logged(monkeypatch, caplog, tmp_path):
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", None)
    with caplog.at_level(logging.WARNING, logger="store.mail"):
        assert mail.send("someone@example.com", "Hello", "the body") is None
    assert "someone@example.com" in caplog.text and "the body" in caplog.text


def test_a_failing_outbox_does_not_undo_the_commit(db, jane, outbox, monkeypatch, caplog):
    outbox.folder.parent.mkdir(exist_ok=True)
    outbox.folder.write_text("a file where the folder should be")
    with caplog.at_level(logging.ERROR, logger="store.mail"):
        passwords.request_reset(db, jane.email)
        commit(db)
    assert db.exec(select(PasswordToken)).one().account_id == jane.id
    assert "could not deliver" in caplog.text


def test_accounts_table_is_untouched_by_a_refused_link(db, jane):
    before = db.exec(select(Account.password_hash).where(Account.id == jane.id)).one()
    with pytest.raises(passwords.InvalidLink):
        passwords.set_password(db, "nope", NEW, NEW)
    assert db.exec(select(Account.password_hash).where(Account.id == jane.id)).one() == before
