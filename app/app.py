"""Creates the app and registers the pages; nothing else."""

import reflex as rx

import app.pages
from app.endpoints import api
from app.headers import SecurityHeaders
from app.metrics import ConnectedClients
from app.state.fetching import fetch_in_one_go
from app.state.guard import OwnerAtPageLoad, sweep_forever
from app.state.toast import backend_exception_handler
from components.shell import PAGES
from components.toast import toast_wrap

app = rx.App(
    # the store's HTTP endpoints; websockets counted; security headers on everything the backend serves
    api_transformer=[api, ConnectedClients, SecurityHeaders],
    backend_exception_handler=backend_exception_handler,
    stylesheets=["/styles.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
    extra_app_wraps={(3, "Toast"): toast_wrap},  # the toast region outlives page changes
)

fetch_in_one_go()  # the states every event asks for come with its first fetch (Redis: one round trip)
app.register_lifespan_task(sweep_forever)
app.add_middleware(OwnerAtPageLoad())  # a tab's stored state goes only to the browser of its person

for spec in PAGES:
    app.add_page(spec.component, route=spec.route, title=spec.title, on_load=spec.on_load)
