"""On-behalf sessions (docs/PRODUCT.md §On-behalf session) and the audit log (§Audit)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import text, update
from sqlmodel import select

from app import config
from app.services import accounts, audit, auth, carts, locks, onbehalf
from app.services.caller import ANONYMOUS, Caller
from app.services.db import as_utc, utcnow
from app.services.errors import Forbidden, NotFound
from models import AuditEvent, AuthSession, Cart, OnBehalfSession
from tests.conftest import caller_for, make_account, make_product, sku_of


def commit(db):
    db.commit()
    db.expire_all()  # the fixture keeps objects after commit; conditional UPDATEs bypass them


def start(db, token, customer_id) -> Caller:
    """Start an on-behalf session from the browser holding `token`; returns the re-resolved caller."""
    onbehalf.start(db, auth.resolve_caller(db, token), customer_id)
    commit(db)
    return auth.resolve_caller(db, token)


def actions(db) -> list[str]:
    return [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.fixture
def world(db):
    w = {
        "jane": make_account(db, "Jane", "Doe", segments="vip"),
        "john": make_account(db, "John", "Doe"),
        "csr": make_account(db, "Casey", "Rep", role="csr", email="csr@example.com"),
        "csr2": make_account(db, "Sam", "Agent", role="csr", email="csr2@example.com"),
        "sup": make_account(db, "Pat", "Lead", role="supervisor", email="supervisor@example.com"),
    }
    w["token"] = caller_for(db, w["csr"])[1]
    return w


# -- starting --------------------------------------------------------------------------------


def test_start_switches_the_caller_to_the_customer(db, world):
    caller = start(db, world["token"], world["jane"].id)
    assert caller.on_behalf and caller.account_id == world["csr"].id and caller.name == "Casey Rep"
    assert caller.customer_id == world["jane"].id and caller.customer_name == "Jane Doe"
    assert caller.customer_segments == frozenset({"vip"})
    assert caller.can("cart.lock")  # still the CSR's own permissions
    ev = db.exec(select(AuditEvent)).one()
    assert (ev.action, ev.csr_id, ev.customer_id) == ("session_started", world["csr"].id, world["jane"].id)
    assert world["jane"].customer_number in ev.details
    assert as_utc(ev.at) <= utcnow() and as_utc(ev.at).tzinfo is not None
    assert accounts.profile(db, caller).first_name == "Jane"


def test_shopper_cannot_start(db, world):
    shopper, _ = caller_for(db, world["john"])
    with pytest.raises(Forbidden):
        onbehalf.start(db, shopper, world["jane"].id)
    with pytest.raises(Forbidden):
        onbehalf.start(db, ANONYMOUS, world["jane"].id)


REFUSED_TARGETS = {
    "private": "has switched off assistance",
    "disabled": "disabled",
    "csr2": "cannot be accessed on behalf",
    "sup": "cannot be accessed on behalf",
    "csr": "cannot be accessed on behalf",  # not even themself
}


def test_start_refused_for(db, world, subtests):
    world["private"] = make_account(db, "Priv", "Ate", allow_assistance=False)
    world["disabled"] = make_account(db, "Dis", "Abled", status="disabled")
    caller = auth.resolve_caller(db, world["token"])
    for target, message in REFUSED_TARGETS.items():
        with subtests.test(target=target):
            with pytest.raises(Forbidden, match=message):
                onbehalf.start(db, caller, world[target].id)
            db.rollback()
            assert db.exec(select(OnBehalfSession)).all() == [] and actions(db) == []
            assert not auth.resolve_caller(db, world["token"]).on_behalf


def test_refusal_names_the_customer_who_switched_off_assistance(db, world):
    private = make_account(db, "John", "Private", allow_assistance=False)
    with pytest.raises(Forbidden) as e:
        onbehalf.start(db, auth.resolve_caller(db, world["token"]), private.id)
    assert e.value.message == "John Private has switched off assistance from customer service."


def test_unknown_or_malformed_customer_is_not_found(db, world, subtests):
    caller = auth.resolve_caller(db, world["token"])
    for customer_id in [10**6, None, "1", True, 1.0, [1]]:
        with subtests.test(customer_id=customer_id), pytest.raises(NotFound):
            onbehalf.start(db, caller, customer_id)


def test_second_session_ends_the_first(db, world):
    first = start(db, world["token"], world["jane"].id)
    second = start(db, world["token"], world["john"].id)
    assert second.customer_id == world["john"].id and second.on_behalf_id != first.on_behalf_id
    old = db.get(OnBehalfSession, first.on_behalf_id)
    assert old.ended_at is not None and old.end_reason == "switched_customer"
    ended = db.exec(select(AuditEvent).where(AuditEvent.action == "session_ended")).one()
    assert ended.customer_id == world["jane"].id and ended.details == "CSR accessed another customer"
    live = db.exec(select(OnBehalfSession).where(OnBehalfSession.ended_at.is_(None))).all()
    assert [ob.customer_id for ob in live] == [world["john"].id]


def test_second_session_from_another_browser_ends_the_first(db, world):
    start(db, world["token"], world["jane"].id)
    other_token = caller_for(db, world["csr"])[1]
    start(db, other_token, world["john"].id)
    first = auth.resolve_caller(db, world["token"])
    assert not first.on_behalf and first.customer_id is None  # the first browser is back to the CSR alone


def test_two_csrs_may_serve_the_same_customer(db, world):
    a = start(db, world["token"], world["jane"].id)
    b = start(db, caller_for(db, world["csr2"])[1], world["jane"].id)
    assert auth.resolve_caller(db, world["token"]).on_behalf_id == a.on_behalf_id
    assert b.customer_id == a.customer_id


# -- ending ----------------------------------------------------------------------------------


def test_end_releases_the_csrs_cart_lock(db, world):
    caller = start(db, world["token"], world["jane"].id)
    cart = locks.lock(db, caller)
    commit(db)
    onbehalf.end(db, caller, "signed_in_as_self")
    commit(db)
    cart = db.get(Cart, cart.id)
    assert cart.locked_by_id is None and cart.lock_expires_at is None
    ob = db.get(OnBehalfSession, caller.on_behalf_id)
    assert ob.end_reason == "signed_in_as_self"
    assert actions(db) == ["session_started", "cart_locked", "session_ended"]
    ended = db.exec(select(AuditEvent).where(AuditEvent.action == "session_ended")).one()
    assert ended.details == "CSR signed in as themself; cart lock released"
    after = auth.resolve_caller(db, world["token"])
    assert after.signed_in and not after.on_behalf and after.customer_id is None


def test_end_does_not_release_another_csrs_lock(db, world):
    mine = start(db, world["token"], world["jane"].id)
    other = start(db, caller_for(db, world["csr2"])[1], world["jane"].id)
    cart = locks.lock(db, other)
    commit(db)
    onbehalf.end(db, mine, "customer_service_tab")
    commit(db)
    assert db.get(Cart, cart.id).locked_by_id == world["csr2"].id


def test_end_without_a_session_is_a_no_op(db, world):
    onbehalf.end(db, auth.resolve_caller(db, world["token"]), "signed_in_as_self")
    onbehalf.end(db, ANONYMOUS, "signed_in_as_self")
    assert actions(db) == []


def test_sign_out_ends_the_session(db, world):
    caller = start(db, world["token"], world["jane"].id)
    auth.sign_out(db, world["token"])
    commit(db)
    assert db.get(OnBehalfSession, caller.on_behalf_id).end_reason == "csr_signed_out"
    assert auth.resolve_caller(db, world["token"]) == ANONYMOUS


def test_expired_auth_session_ends_the_on_behalf_session(db, world):
    caller = start(db, world["token"], world["jane"].id)
    db.exec(update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    commit(db)
    assert auth.resolve_caller(db, world["token"]) == ANONYMOUS
    commit(db)
    assert db.get(OnBehalfSession, caller.on_behalf_id).end_reason == "csr_session_expired"


def test_idle_session_ends_by_itself(db, world, monkeypatch):
    monkeypatch.setattr(config, "CSR_SESSION_IDLE_MINUTES", 5)
    caller = start(db, world["token"], world["jane"].id)
    cart = locks.lock(db, caller)
    commit(db)
    deadline = onbehalf.idle_deadline(db, caller)
    assert timedelta(minutes=4) < deadline - utcnow() <= timedelta(minutes=5)
    # Just inside the limit: still live.
    db.exec(update(OnBehalfSession).values(last_activity_at=utcnow() - timedelta(minutes=4)))
    commit(db)
    assert auth.resolve_caller(db, world["token"]).on_behalf
    # Past it: the next request finds the session ended and the lock released.
    db.exec(update(OnBehalfSession).values(last_activity_at=utcnow() - timedelta(minutes=5, seconds=1)))
    commit(db)
    after = auth.resolve_caller(db, world["token"])
    commit(db)
    assert not after.on_behalf and after.customer_id is None
    ob = db.get(OnBehalfSession, caller.on_behalf_id)
    assert ob.end_reason == "idle" and ob.ended_at is not None
    assert db.get(Cart, cart.id).locked_by_id is None
    assert (
        db.exec(select(AuditEvent).where(AuditEvent.action == "session_ended"))
        .one()
        .details.startswith("Idle timeout")
    )


def test_session_ends_when_the_customer_becomes_unreachable(db, world, subtests):
    changes = {"disabled": {"status": "disabled"}, "switchedoff": {"allow_assistance": False}}
    for label, change in changes.items():
        with subtests.test(label):
            customer = make_account(db, "Cora", label.title())
            caller = start(db, world["token"], customer.id)
            cart = locks.lock(db, caller)
            commit(db)
            for k, v in change.items():
                setattr(customer, k, v)
            db.add(customer)
            commit(db)
            after = auth.resolve_caller(db, world["token"])
            commit(db)
            assert after.signed_in and not after.on_behalf and after.customer_id is None
            assert db.get(OnBehalfSession, caller.on_behalf_id).end_reason == "access_revoked"
            assert db.get(Cart, cart.id).locked_by_id is None


def test_touch_restarts_the_idle_clock(db, world):
    caller = start(db, world["token"], world["jane"].id)
    db.exec(
        update(OnBehalfSession).values(
            last_activity_at=utcnow() - timedelta(minutes=config.CSR_SESSION_IDLE_MINUTES - 1)
        )
    )
    commit(db)
    onbehalf.touch(db, caller)
    commit(db)
    assert onbehalf.idle_deadline(db, caller) - utcnow() > timedelta(
        minutes=config.CSR_SESSION_IDLE_MINUTES - 1
    )
    onbehalf.touch(db, ANONYMOUS)  # harmless without a session
    assert onbehalf.idle_deadline(db, ANONYMOUS) is None


def test_recent_sessions(db, world):
    start(db, world["token"], world["jane"].id)
    start(db, world["token"], world["john"].id)
    start(db, caller_for(db, world["csr2"])[1], world["jane"].id)  # another CSR's session
    caller = auth.resolve_caller(db, world["token"])
    rows = onbehalf.recent_sessions(db, caller)
    assert [(r.customer, r.outcome) for r in rows] == [
        ("John Doe", "In progress"),
        ("Jane Doe", "CSR accessed another customer"),
    ]
    assert rows[0].ended == "" and rows[1].ended.endswith("UTC")
    assert rows[1].customer_number == world["jane"].customer_number
    assert len(onbehalf.recent_sessions(db, caller, limit=1)) == 1
    with pytest.raises(Forbidden):
        onbehalf.recent_sessions(db, caller_for(db, world["jane"])[0])


# -- audit rows ------------------------------------------------------------------------------


def test_on_behalf_actions_are_audited(db, world):
    tee = make_product(db, code="TEE", stock=10)
    caller = start(db, world["token"], world["jane"].id)
    locks.lock(db, caller)
    commit(db)
    carts.add(db, caller, None, sku_of(tee), 2)
    commit(db)
    view = carts.view(db, caller, None)
    line_id = view.lines[0].line_id
    carts.set_quantity(db, caller, None, line_id, 3, view.version)
    commit(db)
    carts.remove(db, caller, None, line_id, carts.view(db, caller, None).version)
    commit(db)
    changed = accounts.update_profile(db, caller, "Janet", "Doe", world["jane"].email, "555 123 4567")
    commit(db)
    assert changed == ["first name", "mobile phone"]
    address = {"full_name": "Janet Doe", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345"}
    accounts.add_address(db, caller, address)
    commit(db)
    locks.unlock(db, caller)
    onbehalf.end(db, caller, "signed_in_as_self")
    commit(db)
    events = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == [
        "session_started",
        "cart_locked",
        "cart_add",
        "cart_quantity",
        "cart_remove",
        "profile_changed",
        "address_added",
        "cart_unlocked",
        "session_ended",
    ]
    assert all(e.csr_id == world["csr"].id and e.customer_id == world["jane"].id for e in events)
    by_action = {e.action: e for e in events}
    assert by_action["cart_quantity"].details == "Product TEE: 2 → 3"
    assert by_action["cart_remove"].details == "Product TEE x3"
    assert (
        by_action["profile_changed"].details
        == "first name: Jane → Janet; mobile phone: (none) → 555 123 4567"
    )
    assert by_action["address_added"].details == "Janet Doe, 1 Main St, 12345 Springfield, US"
    assert by_action["cart_add"].cart_id == by_action["cart_locked"].cart_id is not None
    assert by_action["session_ended"].details == "CSR signed in as themself"  # already unlocked by hand


def test_customers_own_changes_are_not_audited(db, world):
    shopper, _ = caller_for(db, world["jane"])
    accounts.update_profile(db, shopper, "Janet", "Doe", world["jane"].email, "")
    carts.add(db, shopper, None, sku_of(make_product(db, code="TEE")), 1)
    commit(db)
    assert actions(db) == []


def test_only_the_customer_may_switch_assistance(db, world):
    caller = start(db, world["token"], world["jane"].id)
    with pytest.raises(Forbidden):
        accounts.set_assistance(db, caller, False)


# -- audit search, for_customer, CSV ---------------------------------------------------------


@pytest.fixture
def log(db, world):
    start(db, world["token"], world["jane"].id)
    start(db, world["token"], world["john"].id)
    sam = start(db, caller_for(db, world["csr2"])[1], world["jane"].id)
    locks.lock(db, sam)
    commit(db)
    return world


def test_audit_search_requires_audit_view(db, log):
    for account in (log["csr"], log["jane"]):
        with pytest.raises(Forbidden):
            audit.search(db, caller_for(db, account)[0])
    with pytest.raises(Forbidden):
        audit.search(db, ANONYMOUS)
    sup, _ = caller_for(db, log["sup"])
    rows = audit.search(db, sup)
    assert [r.action for r in rows] == [
        "cart_locked",
        "session_started",
        "session_started",
        "session_ended",
        "session_started",
    ]  # newest first
    top = rows[0]
    assert top.csr == "Sam Agent" and top.customer == "Jane Doe"
    assert top.customer_number == log["jane"].customer_number and top.cart and top.at.endswith("UTC")


def test_audit_search_filters(db, log):
    sup, _ = caller_for(db, log["sup"])
    by_csr = audit.search(db, sup, csr_email=" CSR2@example.com ")
    assert {r.csr for r in by_csr} == {"Sam Agent"} and len(by_csr) == 2
    by_customer = audit.search(db, sup, customer_number=log["john"].customer_number.lower())
    assert [r.action for r in by_customer] == ["session_started"]
    both = audit.search(db, sup, csr_email="csr@example.com", customer_number=log["jane"].customer_number)
    assert [r.action for r in both] == ["session_ended", "session_started"]
    assert audit.search(db, sup, csr_email="nobody@example.com") == []
    now = utcnow()
    assert len(audit.search(db, sup, since=now - timedelta(minutes=5))) == 5
    assert audit.search(db, sup, since=now + timedelta(minutes=5)) == []
    assert audit.search(db, sup, until=now - timedelta(minutes=5)) == []
    assert len(audit.search(db, sup, since=now - timedelta(minutes=5), until=now + timedelta(minutes=5))) == 5


def test_for_customer_shows_rows_to_that_customer_only(db, log):
    jane, _ = caller_for(db, log["jane"])
    john, _ = caller_for(db, log["john"])
    jane_rows = audit.for_customer(db, jane)
    assert len(jane_rows) == 4 and {r.customer for r in jane_rows} == {"Jane Doe"}
    assert [r.action for r in audit.for_customer(db, john)] == ["session_started"]
    # Nobody else sees a customer's history through this view.
    sam = auth.resolve_caller(db, caller_for(db, log["csr2"])[1])
    assert audit.for_customer(db, sam) == []
    on_behalf = start(db, log["token"], log["jane"].id)
    assert audit.for_customer(db, on_behalf) == []
    assert audit.for_customer(db, ANONYMOUS) == []


def test_to_csv_escapes_formula_cells(db):
    rows = [
        audit.AuditRow(
            id=99,
            at="2030-01-01 10:00:00 UTC",
            csr="=cmd|' /C calc'!A0",
            customer="+Jane",
            customer_number="-1",
            action="@SUM(A1)",
            cart="",
            order="",
            details="Product TEE x2",
        ),
        audit.AuditRow(
            id=100,
            at="2030-01-01 10:00:01 UTC",
            csr="Casey Rep",
            customer="Jane Doe",
            customer_number="C0100001",
            action="cart_add",
            cart="7",
            order="W1000001",
            details='a=b, "quoted"\nnext line',
        ),
    ]
    text = audit.to_csv(rows)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == audit.CSV_FIELDS
    assert parsed[1] == [
        "2030-01-01 10:00:00 UTC",
        "'=cmd|' /C calc'!A0",
        "'+Jane",
        "'-1",
        "'@SUM(A1)",
        "",
        "",
        "Product TEE x2",
    ]
    assert parsed[2] == [
        "2030-01-01 10:00:01 UTC",
        "Casey Rep",
        "Jane Doe",
        "C0100001",
        "cart_add",
        "7",
        "W1000001",
        'a=b, "quoted"\nnext line',
    ]
    assert audit.to_csv([]) == ",".join(audit.CSV_FIELDS) + "\r\n"
    for dangerous in ("\t=1+1", "\r=1+1"):
        only_details = audit.AuditRow(
            id=0,
            at="",
            csr="",
            customer="",
            customer_number="",
            action="",
            cart="",
            order="",
            details=dangerous,
        )
        cell = list(csv.reader(io.StringIO(audit.to_csv([only_details]))))[1][-1]
        assert cell == "'" + dangerous


def test_audit_csv_of_real_rows(db, log):
    sup, _ = caller_for(db, log["sup"])
    parsed = list(csv.DictReader(io.StringIO(audit.to_csv(audit.search(db, sup)))))
    assert len(parsed) == 5 and parsed[0]["action"] == "cart_locked"
    assert parsed[1]["cart"] == "" and parsed[1]["order"] == ""  # empty cells stay empty


def test_times_are_shown_in_utc_whatever_the_database_time_zone(db, log):
    sup, _ = caller_for(db, log["sup"])
    before = utcnow()
    if db.get_bind().dialect.name == "postgresql":
        # A server or connection set to local time hands back timestamps in that zone.
        db.exec(text("SET LOCAL TIME ZONE 'Asia/Kolkata'"))
    rows = audit.search(db, sup)
    recent = onbehalf.recent_sessions(db, auth.resolve_caller(db, log["token"]))
    db.rollback()
    stamps = [r.at for r in rows] + [r.started for r in recent]
    allowed = {(before + timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M") for m in (-2, -1, 0)}
    assert all(stamp[:16] in allowed for stamp in stamps), (stamps, allowed)


def test_audit_details_are_capped(db, world):
    audit.record_for(db, world["csr"].id, world["jane"].id, "note", details="x" * 5000)
    commit(db)
    assert len(db.exec(select(AuditEvent)).one().details) == 1000


def test_record_is_a_no_op_for_a_shopper(db, world):
    shopper, _ = caller_for(db, world["jane"])
    audit.record(db, shopper, "cart_add")
    audit.record(db, ANONYMOUS, "cart_add")
    commit(db)
    assert actions(db) == []
