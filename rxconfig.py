"""Reflex configuration: every environment-dependent value comes from app.config."""

import reflex as rx

from app import config as settings
from app.serving import metrics_folder, private_files, respawn_failed_workers

respawn_failed_workers()
private_files()
metrics_folder()

config = rx.Config(
    app_name="app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=settings.PORT,
    backend_port=settings.BACKEND_PORT,
    redis_url=settings.REDIS_URL,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium", has_background=True)
        ),
        rx.plugins.SitemapPlugin(),
    ],
)
