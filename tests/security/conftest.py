"""The attacker's tools: a browser tab driven without a browser (tests/state's client), seen from a chosen
client address, and helpers to read what the page shows."""

from __future__ import annotations

import pytest
from reflex.istate.data import ReflexURL, RouterData, SessionData

from app import config
from storefront_qa.mail import Outbox
from tests.state.conftest import _unlinked_live_cart, client  # noqa: F401  (fixtures: tabs, as in tests/state)


def from_address(tab, address: str, cls=None, path: str = "/") -> None:
    """Make a tab's events arrive from `address`, as Reflex reports the socket's client address."""
    from app.state.session import SessionState

    state = tab.state(cls or SessionState)
    state.router = RouterData(
        session=SessionData(client_ip=address),
        url=ReflexURL(f"http://localhost:3000{path}"),
        headers=tab.root.rx_router_headers,  # the tab's session cookie, as its websocket carries it
    )


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    return Outbox(tmp_path / "outbox")
