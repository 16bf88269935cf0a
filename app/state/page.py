"""Which page has finished loading: the `app-ready` QA hook's `data-path`."""

from __future__ import annotations

import reflex as rx

from app.state.toast import event


class PageState(rx.State):
    # Reflex's is_hydrated stays true from the previous page until the next page's on-load events start,
    # so after a client-side navigation "ready" alone can describe the page being left. The last on-load
    # event of every page records its path; the page is ready when that path is the one in the address bar.
    loaded_path: str = ""

    @event
    def loaded(self):
        self.loaded_path = self.router.url.path
