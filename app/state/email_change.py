"""Confirming a new email address from the link mailed to it (app/services/email_change.py)."""

from __future__ import annotations

import reflex as rx

from app.services import email_change
from app.services.errors import DomainError
from app.state.guard import personal, query_param, run
from app.state.toast import event


@personal
class ConfirmEmailState(rx.State):
    loaded: bool = False
    confirmed: bool = False
    error: str = ""
    email: str = ""
    signed_in_here: bool = False

    @event
    async def load(self):
        """Opening the link is the confirmation; the service decides whether the link still works."""
        token = query_param(self, "token")
        try:
            result = await run(
                self, lambda db, caller, anon: email_change.confirm(db, caller, token), activity=False
            )
        except DomainError as e:
            self.confirmed, self.error, self.email, self.signed_in_here = False, e.message, "", False
        else:
            self.confirmed, self.error = True, ""
            self.email, self.signed_in_here = result["email"], result["signed_in_here"]
        self.loaded = True
