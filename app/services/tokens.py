"""Secret tokens (sessions, links, hand-off codes, anonymous carts) and the hash that is stored instead."""

from __future__ import annotations

import hashlib
import secrets


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)
