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


def query_param(state: rx.State, name: str, default: str = "") -> str:
    value = state.router.url.query_parameters.get(name, default)
    return value if isinstance(value, str) else default


def last_path_segment(state: rx.State) -> str:
    """The dynamic part of routes like /product/[code] and /order/[number]."""
    from urllib.parse import unquote

    return unquote(state.router.url.path.rstrip("/").rsplit("/", 1)[-1])
