"""A customer's email is theirs (docs/SECURITY.md §Price adjustments and email changes).

The attack: a CSR on behalf changed the customer's email to an address the CSR reads, sent a set-password link
(or used Forgot password), set a password and signed in as the customer, off the record. Now customer service
cannot change an email at all; a customer's own change waits for the link mailed to the new address, the old
address is told, and confirming ends the other sessions and every outstanding link.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from app import config
from app.services import accounts, auth, email_change, passwords
from app.services.caller import ANONYMOUS
from app.services.db import update_where, utcnow
from app.services.errors import FieldErrors
from models import Account, AuditEvent, AuthSession, PasswordToken
from storefront_qa.mail import Outbox
from tests.conftest import caller_for, make_account
from tests.unit.test_orders_payments import commit, on_behalf

CONFIRM = re.compile(r"https://shop\.example/confirm-email\?token=[A-Za-z0-9_%\-]+")
NEW = "jane.new@example.com"


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setattr(config, "PUBLIC_URL", "https://shop.example")
    return Outbox(tmp_path / "outbox")


@pytest.fixture
def jane(db):
    return make_account(db, "Jane", "Doe", "jane@example.com", phone="555 000 1111")


@pytest.fixture
def signed_in(db, jane):
    """Jane signed in twice: this browser (the caller) and her phone (a token)."""
    here, _ = caller_for(db, jane)
    _, phone = caller_for(db, jane)
    return here, phone


def confirm_token(outbox: Outbox, to: str) -> str:
    found = CONFIRM.search(outbox.latest(to, timeout=0).get_content())
    assert found, f"no confirmation link in the mail to {to}"
    return parse_qs(urlsplit(found.group(0)).query)["token"][0]


def reset_token(outbox: Outbox, to: str) -> str:
    return parse_qs(urlsplit(outbox.set_password_link(to, timeout=0)).query)["token"][0]


def email_of(db, account) -> str:
    db.expire_all()
    return db.get(Account, account.id).email


def change(db, caller, email=NEW, first="Jane", phone="555 000 1111") -> list[str]:
    answer = accounts.update_profile(db, caller, first, "Doe", email, phone)
    commit(db)
    return answer


# -- customer service cannot ----------------------------------------------------------------------------


def test_a_csr_on_behalf_cannot_change_the_email(db, jane, outbox):
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), jane)
    with pytest.raises(FieldErrors) as e:
        accounts.update_profile(db, csr, "Janet", "Doe", "attacker@example.com", "555 000 1111")
    assert list(e.value.errors) == ["email"]
    assert "Customer service cannot change" in e.value.errors["email"]
    db.rollback()
    assert email_of(db, jane) == "jane@example.com"
    assert db.get(Account, jane.id).first_name == "Jane"  # nothing of the refused form was saved
    # Nothing about an email change is mailed (only that customer service opened the account).
    assert [m["Subject"] for m in outbox.messages()] == ["Customer service opened your Harbor & Pine account"]
    assert db.exec(select(PasswordToken)).all() == []


def test_the_takeover_chain_is_broken(db, jane, outbox):
    """Refused email change, then the set-password link and Forgot password both go to the customer."""
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), jane)
    with pytest.raises(FieldErrors):
        accounts.update_profile(db, csr, "Jane", "Doe", "attacker@example.com", "")
    db.rollback()
    assert passwords.send_link_for_customer(db, csr) == "jane@example.com"
    commit(db)
    passwords.request_reset(db, "attacker@example.com")
    commit(db)
    assert {m["To"] for m in outbox.messages()} == {"jane@example.com"}


def test_on_behalf_profile_changes_audit_old_and_new_values(db, jane):
    csr = on_behalf(db, make_account(db, "Casey", "Rep", role="csr"), jane)
    assert change(db, csr, email="JANE@example.com ", first="Janet", phone="") == [
        "first name",
        "mobile phone",
    ]
    detail = db.exec(select(AuditEvent.details).where(AuditEvent.action == "profile_changed")).one()
    assert detail == "first name: Jane → Janet; mobile phone: 555 000 1111 → (none)"


# -- the customer's own change ---------------------------------------------------------------------------


def test_a_change_waits_for_the_new_address_and_the_old_one_is_told(db, jane, signed_in, outbox):
    here, _ = signed_in
    assert change(db, here, first="Janet") == ["first name", accounts.EMAIL_PENDING]
    assert email_of(db, jane) == "jane@example.com"  # not yet
    assert db.get(Account, jane.id).first_name == "Janet"  # the rest is saved at once
    assert accounts.profile(db, here).pending_email == NEW
    assert confirm_token(outbox, NEW)
    told = outbox.latest("jane@example.com", timeout=0).get_content()
    assert NEW in told and "Forgot password" in told and "/confirm-email" not in told
    assert db.exec(select(AuditEvent)).all() == []  # a customer's own change: no CSR to audit


def test_confirming_changes_the_email_ends_other_sessions_and_kills_old_links(db, jane, signed_in, outbox):
    here, phone = signed_in
    passwords.request_reset(db, "jane@example.com")  # a link mailed before the change
    commit(db)
    old_link = reset_token(outbox, "jane@example.com")
    change(db, here)
    token = confirm_token(outbox, NEW)

    result = email_change.confirm(db, here, token)
    commit(db)
    assert result == {"email": NEW, "first_name": "Jane", "signed_in_here": True}
    assert email_of(db, jane) == NEW
    assert auth.resolve_caller(db, phone).account_id is None  # her phone was signed out
    assert accounts.profile(db, here).email == NEW  # this browser stays signed in
    assert accounts.profile(db, here).pending_email == ""
    with pytest.raises(passwords.InvalidLink):
        passwords.check_link(db, old_link)
    assert "is now jane.new@example.com" in outbox.latest("jane@example.com", timeout=0).get_content()
    with pytest.raises(passwords.InvalidLink, match="already been used"):
        email_change.confirm(db, here, token)
    db.rollback()
    # Sign-in and Forgot password follow the new address; the old one gets nothing more.
    before = outbox.count("jane@example.com")
    passwords.request_reset(db, "jane@example.com")
    passwords.request_reset(db, NEW)
    commit(db)
    assert outbox.count("jane@example.com") == before
    assert reset_token(outbox, NEW)


def test_a_link_opened_in_another_browser_signs_every_session_out(db, jane, signed_in, outbox):
    here, phone = signed_in
    change(db, here)
    result = email_change.confirm(db, ANONYMOUS, confirm_token(outbox, NEW))
    commit(db)
    assert result["signed_in_here"] is False
    assert auth.resolve_caller(db, phone).account_id is None
    assert db.exec(select(AuthSession).where(AuthSession.account_id == jane.id)).all() == []
    assert email_of(db, jane) == NEW


def test_links_do_not_cross_purposes(db, jane, signed_in, outbox):
    here, _ = signed_in
    change(db, here)
    token = confirm_token(outbox, NEW)
    with pytest.raises(passwords.InvalidLink, match="not valid"):
        passwords.check_link(db, token)
    with pytest.raises(passwords.InvalidLink, match="not valid"):
        passwords.set_password(db, token, "brand-new-pass-1", "brand-new-pass-1")
    db.rollback()
    passwords.request_reset(db, "jane@example.com")
    commit(db)
    with pytest.raises(passwords.InvalidLink, match="not valid"):
        email_change.confirm(db, here, reset_token(outbox, "jane@example.com"))
    db.rollback()
    assert email_of(db, jane) == "jane@example.com"


def test_a_newer_change_replaces_the_older_link(db, jane, signed_in, outbox):
    here, _ = signed_in
    change(db, here)
    first = confirm_token(outbox, NEW)
    change(db, here, email="jane.other@example.com")
    with pytest.raises(passwords.InvalidLink, match="newer"):
        email_change.confirm(db, here, first)
    db.rollback()
    email_change.confirm(db, here, confirm_token(outbox, "jane.other@example.com"))
    commit(db)
    assert email_of(db, jane) == "jane.other@example.com"


def test_resetting_the_password_cancels_a_pending_change(db, jane, signed_in, outbox):
    here, _ = signed_in
    change(db, here)
    token = confirm_token(outbox, NEW)
    passwords.request_reset(db, "jane@example.com")
    commit(db)
    passwords.set_password(
        db, reset_token(outbox, "jane@example.com"), "brand-new-pass-1", "brand-new-pass-1"
    )
    commit(db)
    with pytest.raises(passwords.InvalidLink, match="expired"):
        email_change.confirm(db, here, token)
    db.rollback()
    assert email_of(db, jane) == "jane@example.com"


def test_an_expired_link_does_nothing(db, jane, signed_in, outbox):
    here, _ = signed_in
    change(db, here)
    db.exec(update_where(PasswordToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    commit(db)
    with pytest.raises(passwords.InvalidLink, match="expired"):
        email_change.confirm(db, here, confirm_token(outbox, NEW))
    db.rollback()
    assert email_of(db, jane) == "jane@example.com"


def test_an_address_taken_since_cannot_be_confirmed(db, jane, signed_in, outbox):
    here, _ = signed_in
    change(db, here)
    token = confirm_token(outbox, NEW)
    make_account(db, "Other", "Person", NEW)
    with pytest.raises(passwords.InvalidLink, match="Another account"):
        email_change.confirm(db, here, token)
    db.rollback()
    assert email_of(db, jane) == "jane@example.com"


def test_a_taken_address_gets_the_same_answer_and_its_owner_is_told(db, jane, signed_in, outbox):
    here, _ = signed_in
    make_account(db, "Other", "Person", NEW)
    free = "free@example.com"
    taken_answer = change(db, here, email=NEW)
    assert email_change.pending(db, jane.id) == NEW  # My Account shows it waiting, as for any address
    assert taken_answer == change(db, here, email=free) == [accounts.EMAIL_PENDING]  # the form answers alike
    db.commit()
    assert outbox.count(NEW) == 1 and outbox.count(free) == 1  # one mail each, and only the free one a link
    told = outbox.latest(NEW, timeout=0).get_content()
    assert "/confirm-email?" not in told and "already" in told
    assert "/confirm-email?" in outbox.latest(free, timeout=0).get_content()
    assert outbox.count("jane@example.com") == 2  # the current address is told of both
    assert email_of(db, jane) == "jane@example.com"


def test_email_links_have_their_own_hourly_quota(db, jane, signed_in, outbox, monkeypatch):
    here, _ = signed_in
    monkeypatch.setattr(config, "PASSWORD_LINKS_PER_HOUR", 2)
    change(db, here, email="a1@example.com")
    change(db, here, email="a2@example.com")
    with pytest.raises(FieldErrors) as e:
        change(db, here, email="a3@example.com")
    assert e.value.errors["email"] == email_change.TOO_MANY
    db.rollback()
    assert outbox.count("a3@example.com") == 0
    passwords.request_reset(db, "jane@example.com")  # the password links are not used up
    commit(db)
    assert reset_token(outbox, "jane@example.com")
