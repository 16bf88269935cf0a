"""Reflex configuration: every environment-dependent value comes from app.config."""

import reflex as rx

from app import config

config = rx.Config(
    app_name="app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=config.PORT,
    backend_port=config.BACKEND_PORT,
    redis_url=config.REDIS_URL,
    plugins=[],
)
