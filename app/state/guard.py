"""The one guard every handler uses: re-derive the caller on the server, then run a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import reflex as rx
from sqlmodel import Session

from app.services import auth, onbehalf
from app.services.auth import Caller
from app.services.db import session_scope
from app.state.session import SessionState

T = TypeVar("T")


async def current_caller(state: rx.State) -> tuple[Caller, SessionState]:
    session = await state.get_state(SessionState)
    return session._caller(), session


async def run(state: rx.State, action: Callable[[Session, Caller, str], T], *, activity: bool = True) -> T:
    """Run `action(db, caller, anon_key)` in one transaction; DomainErrors propagate to the caller."""
    session = await state.get_state(SessionState)
    with session_scope() as db:
        caller = auth.resolve_caller(db, session.token)
        result = action(db, caller, session.anon_key)
        if activity:
            onbehalf.touch(db, caller)
    return result


