"""Counters that slow an attacker down, kept in the database and decided by it (docs/SECURITY.md).

A `Limit` allows `attempts` within `window`. An attempt is taken *before* the work it guards (checking a
password, looking a coupon up), by one conditional UPDATE, so parallel attempts cannot all slip past the
last one; an attempt that went well is given back. A failure that used the window's last attempt pauses the
subject for `pause`; a limit without a pause simply refuses until its window ends.

Subjects (an email address, a client address, a customer) are stored only as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_
from sqlmodel import Session, select

from app.services.db import as_utc, insert_on_conflict, update_where, utcnow
from models import Throttle

# Rows whose window ended this long ago (and that are not paused) tell nothing any more.
STALE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    scope: str
    attempts: int
    window: timedelta
    pause: timedelta | None = None  # None: refused until the window ends


def key(limit: Limit, subject: str) -> str:
    return f"{limit.scope}:{hashlib.sha256(subject.encode()).hexdigest()}"


def source_of(address: object) -> str:
    """The subject of per-source limits for a client address: the IPv4 address, or the IPv6 /64 (one
    machine easily holds a whole /64); anything else as given."""
    text = address.strip()[:100] if isinstance(address, str) else ""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _free(now: datetime):
    return or_(Throttle.blocked_until.is_(None), Throttle.blocked_until <= now)


def take(db: Session, limit: Limit, subject: str, now: datetime | None = None) -> int:
    """Count one attempt. Returns 0 when it may go ahead, else the seconds to wait."""
    now = now or utcnow()
    k = key(limit, subject)
    insert_on_conflict(db, Throttle, {"key": k, "window_start": now, "count": 0}, ["key"])
    ended = Throttle.window_start <= now - limit.window
    taken = db.exec(
        update_where(Throttle)
        .where(Throttle.key == k, _free(now), or_(ended, Throttle.count < limit.attempts))
        .values(
            count=case((ended, 1), else_=Throttle.count + 1),
            window_start=case((ended, now), else_=Throttle.window_start),
            blocked_until=None,
        )
    ).rowcount
    if taken == 1:
        return 0
    blocked_until, window_start = db.exec(
        select(Throttle.blocked_until, Throttle.window_start).where(Throttle.key == k)
    ).one()
    if blocked_until is not None and as_utc(blocked_until) > now:
        until = as_utc(blocked_until)
    elif limit.pause is not None:  # the last attempts are still being checked; their failure starts the pause
        until = now + limit.pause
    else:
        until = as_utc(window_start) + limit.window
    return max(1, math.ceil((until - now).total_seconds()))


def failed(db: Session, limit: Limit, subject: str, now: datetime | None = None) -> bool:
    """The attempt failed. True when it was the window's last: the subject is paused from now on."""
    if limit.pause is None:
        return False
    now = now or utcnow()
    paused = db.exec(
        update_where(Throttle)
        .where(Throttle.key == key(limit, subject), _free(now), Throttle.count >= limit.attempts)
        .values(blocked_until=now + limit.pause, count=0, window_start=now)
    ).rowcount
    return paused == 1


def give_back(db: Session, limit: Limit, subject: str) -> None:
    """The attempt went well: it does not count."""
    db.exec(
        update_where(Throttle)
        .where(Throttle.key == key(limit, subject), Throttle.count > 0)
        .values(count=Throttle.count - 1)
    )


def clear(db: Session, limit: Limit, subject: str) -> None:
    """Start afresh: the owner proved who they are."""
    db.exec(
        delete(Throttle)
        .where(Throttle.key == key(limit, subject))
        .execution_options(synchronize_session=False)
    )


def prune(db: Session, now: datetime | None = None) -> int:
    """Forget counters that no longer limit anything; returns how many went."""
    now = now or utcnow()
    return db.exec(
        delete(Throttle)
        .where(Throttle.window_start < now - STALE_AFTER, _free(now))
        .execution_options(synchronize_session=False)
    ).rowcount
