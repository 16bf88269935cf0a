"""Which Chromium to launch, and how: shared by the pytest plugin and scripts/screenshots.py."""

from __future__ import annotations

import os
import shutil

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}


def chromium_path() -> str | None:
    """`$CHROMIUM_PATH`, else a `chromium` on PATH, else None (Playwright's own browser)."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or None


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
