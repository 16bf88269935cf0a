"""The session credential's way into an HttpOnly cookie (app/services/session_cookie.py). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.services import auth, session_cookie
from app.services.errors import DomainError
from models import SessionHandoff
from tests.conftest import make_account


def test_a_code_becomes_the_session_cookie_once(db):
    jane = make_account(db, "Jane", "Doe")
    discarded = auth._start_session(db, jane)
    code = session_cookie.handoff(db, discarded)
    db.commit()
    done = session_cookie.redeem(db, code)
    db.commit()
    token, left = done.token, done.left
    assert token != discarded and timedelta(days=13) < left <= timedelta(days=14)
    assert auth.resolve_caller(db, token).account_id == jane.id
    assert not auth.resolve_caller(db, discarded).signed_in  # the token the sign-in saw never works
    with pytest.raises(DomainError, match="expired"):
        session_cookie.redeem(db, code)  # used once
    db.rollback()
    assert auth.resolve_caller(db, token).account_id == jane.id


def test_a_code_expires_and_nonsense_is_refused(db):
    jane = make_account(db, "Jane", "Doe")
    code = session_cookie.handoff(db, auth._start_session(db, jane))
    db.exec(update(SessionHandoff).values(expires_at=auth.utcnow() - timedelta(seconds=1)))
    db.commit()
    for bad in (code, "", None, 42, "x" * 500, "not-a-code"):
        with pytest.raises(DomainError):
            session_cookie.redeem(db, bad)
        db.rollback()


def test_a_code_for_a_session_that_ended_meanwhile_gives_nothing(db):
    jane = make_account(db, "Jane", "Doe")
    token = auth._start_session(db, jane)
    code = session_cookie.handoff(db, token)
    auth.sign_out(db, token)
    db.commit()
    with pytest.raises(DomainError):
        session_cookie.redeem(db, code)


@pytest.mark.parametrize(
    "header, expected",
    [
        ("sid=abc", "abc"),
        ("anon=1; sid=abc-DEF_9; device=x", "abc-DEF_9"),
        ("", ""),
        (None, ""),
        ("other=1", ""),
        ('bad"cookie=[; sid=abc', "abc"),
    ],
)
def test_the_credential_is_read_from_the_cookie_header(header, expected):
    assert session_cookie.credential(header) == expected


def test_the_endpoint_sets_both_cookies_httponly_and_the_account_trusts_the_browser(db):
    """No script can read the session token or the device cookie; a browser the store already gave a
    device cookie keeps it (one value for the accounts that share the browser)."""
    from starlette.testclient import TestClient

    from app.endpoints import api
    from app.services import devices
    from app.services.db import utcnow

    jane = make_account(db, "Jane", "Doe")
    code = session_cookie.handoff(db, auth._start_session(db, jane))
    db.commit()
    client = TestClient(api, follow_redirects=False)
    response = client.get("/auth/session", params={"code": code, "next": "/cart"})
    assert response.status_code == 303 and response.headers["location"] == "/cart"
    set_cookies = response.headers.get_list("set-cookie")
    for name in ("sid", "device"):
        (line,) = [c for c in set_cookies if c.startswith(f"{name}=")]
        assert "httponly" in line.lower() and "samesite=lax" in line.lower()
    device = response.cookies["device"]
    assert devices.trusted(db, jane.email, device, utcnow()) is not None

    again = session_cookie.handoff(db, auth._start_session(db, jane))
    db.commit()
    client.cookies.set("device", device)
    response = client.get("/auth/session", params={"code": again})
    assert response.cookies["device"] == device  # kept, not replaced
