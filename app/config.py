"""The one place configuration is read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DATABASE_URL: str = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'store.db'}"
REDIS_URL: str | None = os.environ.get("REDIS_URL") or None
PORT: int = int(os.environ.get("PORT", "3000"))
BACKEND_PORT: int = int(os.environ.get("BACKEND_PORT", str(PORT)))

SESSION_DAYS: int = int(os.environ.get("SESSION_DAYS", "14"))
CART_LOCK_MINUTES: int = int(os.environ.get("CART_LOCK_MINUTES", "30"))
CSR_SESSION_IDLE_MINUTES: int = int(os.environ.get("CSR_SESSION_IDLE_MINUTES", "30"))
# A cart lock whose holder has had no page of the store open this long is released as abandoned.
CART_LOCK_ABANDON_SECONDS: int = int(os.environ.get("CART_LOCK_ABANDON_SECONDS", "120"))
# How often each backend worker looks for locks that ran out or were abandoned and idle sessions.
SWEEP_SECONDS: float = float(os.environ.get("SWEEP_SECONDS", "2"))

# Failed sign-ins before an account is slowed down, and for how long.
SIGNIN_MAX_FAILURES: int = 5
SIGNIN_SLOWDOWN_SECONDS: int = int(os.environ.get("SIGNIN_SLOWDOWN_SECONDS", "60"))

# Where the store is reachable from a customer's browser: links in outbound mail start with it.
PUBLIC_URL: str = (os.environ.get("PUBLIC_URL") or f"http://localhost:{PORT}").rstrip("/")

# Outbound mail. There is no mail server: with MAIL_OUTBOX_DIR set each message is written there as a
# file (one .eml per message, like Django's file-based email backend); without it, it goes to the log.
MAIL_OUTBOX_DIR: str | None = os.environ.get("MAIL_OUTBOX_DIR") or None
MAIL_FROM: str = os.environ.get("MAIL_FROM", "Harbor & Pine <no-reply@harbor-and-pine.example>")

# One-time set-password links: a welcome link (account created by customer service) and a reset link
# (Forgot password, or sent by customer service), and how many links one account gets per hour.
PASSWORD_WELCOME_DAYS: int = int(os.environ.get("PASSWORD_WELCOME_DAYS", "7"))
PASSWORD_RESET_MINUTES: int = int(os.environ.get("PASSWORD_RESET_MINUTES", "60"))
PASSWORD_LINKS_PER_HOUR: int = int(os.environ.get("PASSWORD_LINKS_PER_HOUR", "3"))
# A customer's new email address takes effect when they open the link mailed to it, within this many hours
# (as many confirmation links per hour as PASSWORD_LINKS_PER_HOUR, counted apart from password links).
EMAIL_CHANGE_HOURS: int = int(os.environ.get("EMAIL_CHANGE_HOURS", "24"))
