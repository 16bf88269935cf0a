"""Customer 360 `/customer-service/customer/[number]`: one customer as customer service sees them, and notes.

The page follows the customer while it is open (`watch`): another CSR taking the cart's lock, the customer
adding to it, an order or a session starting show within WATCH_SECONDS, without a reload.

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
from app.state.guard import last_path_segment, on_page, personal, run
from app.state.live import keep_reading, read_again
from app.state.session import SessionState
from app.state.toast import event

PATH = "/customer-service/customer/"
# How often an open 360 page reads its customer again. Not shared live like the cart (app/state/live.py: one
# shared state per tab, and a CSR's tab is linked to their own cart): one read of a few small queries per
# open page every few seconds.
WATCH_SECONDS = 3.0


@personal
class Customer360State(rx.State):
    loaded: bool = False
    allowed: bool = False
    found: bool = False
    view: Customer360 = Customer360()
    note_errors: dict[str, str] = {}
    _watch: int = 0  # which page load of this tab the running `watch` follows; a new load ends the old one

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
            self.view = await self._read(number)
            self.found = True
        except NotFound:
            self.found = False
        self.loaded = True
        self._watch += 1
        return Customer360State.watch if self.found else None

    async def _refresh(self, generation: int, number: str) -> bool:
        """One tick of `watch`: read the customer this tab shows again and show what changed; False once the tab
        no longer shows them (another page, another customer, a later load) or may not see them any more."""

        def shows() -> bool:
            return self._watch == generation and self.found and on_page(self, PATH, number)

        def show(fresh: Customer360) -> bool:
            if fresh != self.view:
                self.view = fresh
            return True

        return await read_again(shows, lambda: self._read(number), show)

    async def _read(self, number: str) -> Customer360:
        return await run(self, lambda db, caller, anon: customer360.view(db, caller, number), activity=False)

    @rx.event(background=True)
    async def watch(self):
        """While this tab shows the customer it loaded, read them again every WATCH_SECONDS."""
        async with self:
            generation, number = self._watch, last_path_segment(self)  # as the link says it
        await keep_reading(self, WATCH_SECONDS, lambda: self._refresh(generation, number))

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
