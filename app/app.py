"""Creates the app and registers the pages; nothing else."""

import reflex as rx

import app.pages
from app.endpoints import api
from app.state.guard import OwnerAtPageLoad, sweep_forever
from app.state.toast import backend_exception_handler
from components.shell import PAGES

app = rx.App(
    api_transformer=api,  # the session cookie's HTTP endpoints
    backend_exception_handler=backend_exception_handler,
    stylesheets=["/styles.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)

app.register_lifespan_task(sweep_forever)
app.add_middleware(OwnerAtPageLoad())  # a tab's stored state goes only to the browser of its person

for spec in PAGES:
    app.add_page(spec.component, route=spec.route, title=spec.title, on_load=spec.on_load)
