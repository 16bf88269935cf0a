"""Customer 360 `/customer-service/customer/[number]`: one customer as customer service sees them, and notes.

Access account and View cart are Customer Service's own handlers (CustomerServiceState.access / view_cart),
so the 360 page starts a session exactly as the results table does, consent refusals included.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import reflex as rx

from app.services import customer360
from app.services.customer360 import Customer360, NoteRow
from app.services.errors import DomainError, FieldErrors, NotFound
from app.services.permissions import CUSTOMER_ACCESS
from app.services.validation import form_values
from app.state import toast
from app.state.guard import last_path_segment, personal, run
from app.state.session import SessionState
from app.state.toast import event

PATH = "/customer-service/customer/"


@personal
class Customer360State(rx.State):
    loaded: bool = False
    allowed: bool = False
    found: bool = False
    view: Customer360 = Customer360()
    note_errors: dict[str, str] = {}

    def _clear(self) -> None:
        self.view, self.found, self.note_errors = Customer360(), False, {}

    @event
    async def load(self):
        number = last_path_segment(self)
        self._clear()
        caller = await run(self, lambda db, caller, anon: caller, activity=False)
        self.allowed = caller.can(CUSTOMER_ACCESS)
        if not caller.signed_in:
            self.loaded = True
            return rx.redirect("/login?next=" + quote(PATH + number, safe="/"))
        if not self.allowed:
            self.loaded = True
            return rx.redirect("/")
        if caller.on_behalf:
            # Customer Service's pages end an on-behalf session, as the tab's dialog promised; then this
            # deep link opens as the CSR themself.
            # Its toast is shown in this event (app/state/toast.py `event`); its redirect is not ours.
            await (await self.get_state(SessionState)).end_session_from_tab()
            return rx.redirect(PATH + quote(number, safe=""))
        try:
            self.view = await run(
                self, lambda db, caller, anon: customer360.view(db, caller, number), activity=False
            )
            self.found = True
        except NotFound:
            self.found = False
        self.loaded = True

    @event
    async def add_note(self, form: dict):
        body = form_values(form).get("body", "")
        number = self.view.profile.customer_number  # the customer this page shows, as loaded on the server
        self.note_errors = {}
        try:
            notes: list[NoteRow] = await run(
                self, lambda db, caller, anon: customer360.add_note(db, caller, number, body)
            )
        except FieldErrors as e:
            self.note_errors = e.errors
            return
        except DomainError as e:
            return toast.error(e.message)
        self.view = replace(self.view, notes=notes)
        # The note box is components/ui.field's, whose element id is "f-" + its test id.
        return [rx.set_value("f-customer-note-input", ""), toast.success("Note added.")]
