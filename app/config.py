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

# Failed sign-ins before an account is slowed down, and for how long.
SIGNIN_MAX_FAILURES: int = 5
SIGNIN_SLOWDOWN_SECONDS: int = int(os.environ.get("SIGNIN_SLOWDOWN_SECONDS", "60"))
