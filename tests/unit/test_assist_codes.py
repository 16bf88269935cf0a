"""Verification codes (ASSISTANCE_VERIFY=code, docs/SECURITY.md "Verification codes"): issued for My Account or
mailed, used once within 10 minutes, replaced by a newer one, wrong codes slowed like failed sign-ins and audited
without the code, only an HMAC stored. SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from sqlmodel import select

from app import config
from app.services import assistcodes, auth, onbehalf
from app.services.db import utcnow
from app.services.errors import DomainError, Forbidden
from models import AssistCode, AuditEvent, OnBehalfSession
from storefront_qa.mail import Outbox
from tests.conftest import caller_for, make_account


@pytest.fixture(autouse=True)
def verify_on(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "ASSISTANCE_VERIFY", "code")
    monkeypatch.setattr(config, "ASSIST_CODE_SECRET", None)
    monkeypatch.setattr(config, "ASSIST_CODE_KEY_FILE", tmp_path / "assist-code.key")
    monkeypatch.setattr(assistcodes, "_key", None)


@pytest.fixture
def people(db):
    customer = make_account(db, "Cora", "Smith", "cora@example.com")
    csr = make_account(db, "Casey", "Rep", "csr@example.com", role="csr")
    csr2 = make_account(db, "Sam", "Agent", "csr2@example.com", role="csr")
    return customer, csr, csr2


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    return Outbox(tmp_path / "outbox")


def _page_code(db, customer) -> assistcodes.Issued:
    caller, _ = caller_for(db, customer)
    issued = assistcodes.for_page(db, caller)
    db.commit()
    assert isinstance(issued, assistcodes.Issued)
    return issued


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_page_code_opens_the_account_once(db, people):
    customer, csr, _ = people
    issued = _page_code(db, customer)
    assert len(issued.code) == 6 and issued.code.isdigit()
    caller, _ = caller_for(db, csr)
    with pytest.raises(DomainError) as refused:
        onbehalf.start(db, caller, customer.id)  # no code
    assert refused.value.field == "code"
    db.rollback()
    ob = onbehalf.start(db, caller, customer.id, issued.code)
    db.commit()
    assert ob.customer_id == customer.id
    started = db.exec(select(AuditEvent).where(AuditEvent.action == "session_started")).one()
    assert "with the customer's code (from My Account)" in started.details
    assert issued.code not in started.details
    # Used: a second access needs a new code.
    caller, _ = caller_for(db, csr)
    with pytest.raises(DomainError, match="expired or was used"):
        onbehalf.start(db, caller, customer.id, issued.code)
    db.rollback()


def test_only_an_hmac_is_stored(db, people):
    customer, _, _ = people
    issued = _page_code(db, customer)
    row = db.get(AssistCode, issued.id)
    assert issued.code not in row.code_hash
    plain = {hashlib.sha256(s.encode()).hexdigest() for s in (issued.code, f"{issued.code}{customer.id}")}
    plain |= {hashlib.sha256(f"{customer.id}{issued.code}".encode()).hexdigest()}
    assert row.code_hash not in plain
    assert row.code_hash == assistcodes.code_hash(customer.id, issued.code)
    # The key: a random one kept in a file readable by the store only, the same for every worker.
    key_file = config.ASSIST_CODE_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600 and len(key_file.read_text().strip()) == 64
    assistcodes._key = None
    assert assistcodes.code_hash(customer.id, issued.code) == row.code_hash
    # Bound to the account: the same digits make another hash for another account.
    assert assistcodes.code_hash(customer.id + 1, issued.code) != row.code_hash


def test_a_code_expires_after_10_minutes(db, people):
    customer, csr, _ = people
    issued = _page_code(db, customer)
    assert timedelta(minutes=9, seconds=59) < issued.expires_at - utcnow() <= timedelta(minutes=10)
    db.get(AssistCode, issued.id).expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    caller, _ = caller_for(db, csr)
    with pytest.raises(DomainError, match="expired or was used"):
        onbehalf.start(db, caller, customer.id, issued.code)
    db.rollback()
    assert assistcodes.status(db, customer.id, issued.id) == assistcodes.EXPIRED


def test_a_newer_code_replaces_the_unused_one_of_its_channel(db, people):
    customer, csr, _ = people
    first = _page_code(db, customer)
    second = _page_code(db, customer)
    assert assistcodes.status(db, customer.id, first.id) == assistcodes.REPLACED
    mailed = assistcodes.issue(db, customer.id, assistcodes.MAIL)  # the page's code keeps working
    db.commit()
    assert assistcodes.status(db, customer.id, second.id) == assistcodes.LIVE
    caller, _ = caller_for(db, csr)
    if first.code not in (second.code, mailed.code):
        with pytest.raises(DomainError):
            onbehalf.start(db, caller, customer.id, first.code)
        db.rollback()
    onbehalf.start(db, caller, customer.id, mailed.code)
    db.commit()
    assert (
        "(mailed)" in db.exec(select(AuditEvent).where(AuditEvent.action == "session_started")).one().details
    )


def test_the_page_gets_a_new_code_only_when_needed(db, people):
    customer, csr, _ = people
    caller, _ = caller_for(db, customer)
    shown = assistcodes.for_page(db, caller)
    db.commit()
    assert assistcodes.for_page(db, caller, shown.id) == assistcodes.LIVE
    onbehalf.start(db, caller_for(db, csr)[0], customer.id, shown.code)
    db.commit()
    fresh = assistcodes.for_page(db, caller, shown.id)
    assert isinstance(fresh, assistcodes.Issued) and fresh.id != shown.id
    db.commit()
    other_tab = assistcodes.for_page(db, caller)
    db.commit()
    assert assistcodes.for_page(db, caller, fresh.id) == assistcodes.REPLACED
    assert assistcodes.for_page(db, caller, other_tab.id) == assistcodes.LIVE


def test_no_code_on_behalf_for_staff_or_without_consent(db, people, monkeypatch):
    customer, csr, _ = people
    issued = _page_code(db, customer)
    ob_caller, token = caller_for(db, csr)
    onbehalf.start(db, ob_caller, customer.id, issued.code)
    db.commit()
    on_behalf = auth.resolve_caller(db, token)
    assert on_behalf.on_behalf and assistcodes.for_page(db, on_behalf) is None
    assert assistcodes.for_page(db, caller_for(db, csr)[0]) is None  # a CSR's own My Account
    monkeypatch.setattr(config, "ASSISTANCE_CONSENT", "opt-in")  # never switched on: no use for a code
    assert assistcodes.for_page(db, caller_for(db, customer)[0]) is None
    monkeypatch.setattr(config, "ASSISTANCE_CONSENT", "opt-out")
    monkeypatch.setattr(config, "ASSISTANCE_VERIFY", "off")
    assert assistcodes.for_page(db, caller_for(db, customer)[0]) is None


def test_consent_refuses_before_the_code(db, people, monkeypatch):
    customer, csr, _ = people
    issued = _page_code(db, customer)
    monkeypatch.setattr(config, "ASSISTANCE_CONSENT", "opt-in")
    caller, _ = caller_for(db, csr)
    with pytest.raises(Forbidden, match="opt-in"):
        onbehalf.code_needed(db, caller, customer.id)
    with pytest.raises(Forbidden, match="opt-in"):
        onbehalf.start(db, caller, customer.id, issued.code)
    db.rollback()
    assert assistcodes.status(db, customer.id, issued.id) == assistcodes.LIVE  # not spent


def test_wrong_codes_are_slowed_per_csr_and_per_customer_and_audited(db, people, caplog):
    customer, csr, csr2 = people
    other = make_account(db, "Otto", "Smith", "otto@example.com")
    issued = _page_code(db, customer)
    caller, _ = caller_for(db, csr)
    caplog.set_level(logging.DEBUG)
    messages = []
    for _ in range(config.SIGNIN_MAX_FAILURES):
        with pytest.raises(DomainError) as e:
            onbehalf.start(db, caller, customer.id, _wrong(issued.code))
        db.rollback()
        messages.append(e.value.message)
    assert (
        messages[-1]
        == f"Too many wrong codes. Code checks are paused for {config.SIGNIN_SLOWDOWN_SECONDS} seconds."
    )
    assert all("expired or was used" in m for m in messages[:-1])
    # Paused: the right code too, for this CSR (any customer) and for this customer (any CSR).
    with pytest.raises(DomainError, match="Too many wrong codes. Please wait"):
        onbehalf.start(db, caller, customer.id, issued.code)
    db.rollback()
    other_code = _page_code(db, other)
    with pytest.raises(DomainError, match="Too many wrong codes"):
        onbehalf.start(db, caller_for(db, csr)[0], other.id, other_code.code)
    db.rollback()
    with pytest.raises(DomainError, match="Too many wrong codes"):
        onbehalf.start(db, caller_for(db, csr2)[0], customer.id, issued.code)
    db.rollback()
    # Another CSR with another customer is not slowed.
    onbehalf.start(db, caller_for(db, csr2)[0], other.id, other_code.code)
    db.commit()
    wrong = db.exec(select(AuditEvent).where(AuditEvent.action == "access_code_wrong")).all()
    assert len(wrong) == config.SIGNIN_MAX_FAILURES
    assert all(issued.code not in w.details and _wrong(issued.code) not in w.details for w in wrong)
    assert issued.code not in caplog.text and _wrong(issued.code) not in caplog.text
    assert db.exec(select(OnBehalfSession).where(OnBehalfSession.customer_id == customer.id)).all() == []


def test_a_right_code_gives_its_attempt_back(db, people):
    customer, csr, _ = people
    for _ in range(config.SIGNIN_MAX_FAILURES + 2):  # more right codes than the limit: never slowed
        issued = _page_code(db, customer)
        onbehalf.start(db, caller_for(db, csr)[0], customer.id, issued.code)
        db.commit()


def test_malformed_codes_are_wrong_codes(db, people):
    customer, csr, _ = people
    _page_code(db, customer)
    caller, _ = caller_for(db, csr)
    for forged in ("１２３４５６", "12345", "1234567", "abcdef", 123456, None):
        with pytest.raises(DomainError) as e:
            onbehalf.start(db, caller, customer.id, forged)
        db.rollback()
        assert e.value.field == "code"


def test_customer_service_mails_a_code_naming_the_csr(db, people, outbox, caplog):
    customer, csr, _ = people
    caller, _ = caller_for(db, csr)
    assert onbehalf.mail_code(db, caller, customer.id) == customer.email
    db.commit()
    body = outbox.latest(customer.email, timeout=0).get_content()
    assert "Casey from our customer service team" in body and "Rep" not in body
    code = next(w for w in body.split() if w.isdigit() and len(w) == 6)
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "access_code_mailed")).one()
    assert code not in audit.details
    onbehalf.start(db, caller, customer.id, code)
    db.commit()
    # A refused account gets no mail; a mailbox gets at most ASSIST_CODE_MAILS_PER_HOUR.
    for _ in range(config.ASSIST_CODE_MAILS_PER_HOUR - 1):
        onbehalf.mail_code(db, caller_for(db, csr)[0], customer.id)
        db.commit()
    with pytest.raises(Forbidden, match="codes in the last hour"):
        onbehalf.mail_code(db, caller_for(db, csr)[0], customer.id)
    db.rollback()
    assert outbox.count(customer.email) == config.ASSIST_CODE_MAILS_PER_HOUR + 1  # + the access notice


def test_without_an_outbox_the_log_never_shows_the_code(db, people, monkeypatch, caplog):
    customer, csr, _ = people
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", None)
    caplog.set_level(logging.WARNING, logger="store.mail")
    caller, _ = caller_for(db, csr)
    onbehalf.mail_code(db, caller, customer.id)
    db.commit()
    assert "verification code" in caplog.text and "[withheld from the log]" in caplog.text
    assert not any(w.isdigit() and len(w) == 6 for w in caplog.text.split())


def test_a_shopper_cannot_ask_for_codes_and_off_asks_for_none(db, people, monkeypatch):
    customer, csr, _ = people
    shopper, _ = caller_for(db, make_account(db, "Eve", "Il", "eve@example.com"))
    with pytest.raises(Forbidden):
        onbehalf.mail_code(db, shopper, customer.id)
    db.rollback()
    monkeypatch.setattr(config, "ASSISTANCE_VERIFY", "off")
    caller, _ = caller_for(db, csr)
    assert onbehalf.code_needed(db, caller, customer.id) is None
    monkeypatch.setattr(config, "ASSISTANCE_VERIFY", "code")
    assert onbehalf.code_needed(db, caller, customer.id) == (customer.id, "Cora Smith")
    monkeypatch.setattr(config, "ASSISTANCE_VERIFY", "off")
    onbehalf.start(db, caller, customer.id)
    db.commit()


def test_prune_forgets_codes_a_day_after_they_ended(db, people):
    customer, _, _ = people
    issued = _page_code(db, customer)
    assert assistcodes.prune(db) == 0
    assert assistcodes.prune(db, utcnow() + timedelta(days=1, minutes=11)) == 1
    db.commit()
    assert db.get(AssistCode, issued.id) is None
