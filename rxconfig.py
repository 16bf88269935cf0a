"""Reflex configuration: every environment-dependent value comes from app.config."""

import reflex as rx

from app import config as settings
from app.serving import (
    admit_events_in_turn,
    is_app_host,
    listen_to_awaited_locks_only,
    metrics_folder,
    private_files,
    purge_states_now_and_then,
    respawn_failed_workers,
    serve_existing_build,
    write_states_in_one_go,
)

respawn_failed_workers()
serve_existing_build()
private_files()
purge_states_now_and_then()
write_states_in_one_go()
admit_events_in_turn()
listen_to_awaited_locks_only()
metrics_folder()

config = rx.Config(
    app_name="app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # An app host of the cluster serves the frontend built beforehand, on its backend port only.
    frontend_port=None if is_app_host() else settings.PORT,
    backend_port=settings.BACKEND_PORT,
    redis_url=settings.REDIS_URL,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium", has_background=True)
        ),
        rx.plugins.SitemapPlugin(),
    ],
)
