"""Sign-in sessions an attacker would like to keep: staff sessions are short, and a customer can end every
sign-in of theirs at once (a lost phone, a shared computer)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app import config
from app.services import auth, onbehalf
from app.services.db import as_utc, utcnow
from app.services.errors import Forbidden
from models import AuthSession
from tests.conftest import caller_for, make_account


def test_a_staff_session_lasts_a_working_day_a_shoppers_two_weeks(db):
    csr = make_account(db, "Casey", "Rep", role="csr")
    jane = make_account(db, "Jane", "Doe")
    _, csr_token = caller_for(db, csr)
    _, jane_token = caller_for(db, jane)
    by_account = {s.account_id: as_utc(s.expires_at) for s in db.exec(select(AuthSession)).all()}
    assert by_account[csr.id] <= utcnow() + timedelta(hours=config.STAFF_SESSION_HOURS)
    assert by_account[jane.id] > utcnow() + timedelta(days=config.SESSION_DAYS - 1)
    assert csr_token and jane_token


def test_sign_out_everywhere_ends_every_sign_in_of_the_account_and_no_other(db):
    jane = make_account(db, "Jane", "Doe")
    john = make_account(db, "John", "Doe")
    phone, phone_token = caller_for(db, jane)
    _, laptop_token = caller_for(db, jane)
    _, johns_token = caller_for(db, john)
    assert auth.sign_out_everywhere(db, phone) == 2
    db.commit()
    assert not auth.resolve_caller(db, phone_token).signed_in
    assert not auth.resolve_caller(db, laptop_token).signed_in
    assert auth.resolve_caller(db, johns_token).account_id == john.id


def test_a_csr_on_behalf_cannot_sign_the_customer_out_everywhere(db):
    jane = make_account(db, "Jane", "Doe")
    csr = make_account(db, "Casey", "Rep", role="csr")
    _, jane_token = caller_for(db, jane)
    csr_caller, csr_token = caller_for(db, csr)
    onbehalf.start(db, csr_caller, jane.id)
    db.commit()
    with pytest.raises(Forbidden):
        auth.sign_out_everywhere(db, auth.resolve_caller(db, csr_token))
    db.rollback()
    assert auth.resolve_caller(db, jane_token).account_id == jane.id
