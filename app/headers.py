"""Security headers on every HTTP response of the backend: the built pages and their static assets (served by
the backend with `--single-port`), the store's endpoints and Reflex's own (docs/OPERATIONS.md).

An ASGI middleware that app/app.py puts last in `api_transformer`, so it wraps everything Reflex mounts. The
Content-Security-Policy allows the build's inline scripts by their SHA-256 hashes, read from the built HTML
once (the build is fixed while the server runs), and no eval: Reflex's `call_script` is not used
(components/leave.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import config

_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def fixed_headers(public_url: str) -> dict[str, str]:
    """The headers besides the CSP; HSTS only where customers reach the store over https."""
    headers = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",  # the endpoints keep their stricter no-referrer
    }
    if public_url.startswith("https://"):
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def inline_script_hashes(build_dir: Path) -> list[str]:
    """The CSP sources ('sha256-…') of every inline script in the built HTML pages, sorted."""
    found = set()
    for page in build_dir.rglob("*.html"):
        for attrs, body in _INLINE_SCRIPT.findall(page.read_text(encoding="utf-8", errors="replace")):
            if "src=" in attrs.lower() or not body:
                continue
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)


def content_security_policy(script_hashes: list[str], host: str | None) -> str:
    # The websocket goes to the page's own host; CSP 3 browsers count ws:/wss: to it as 'self', older need it named.
    sockets = f" ws://{host} wss://{host}" if host else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(script_hashes),
            # Emotion (Reflex's styling) and Radix insert <style> elements and style attributes at run time.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'" + sockets,
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _build_dir() -> Path:
    from reflex import constants
    from reflex.config import get_config
    from reflex.utils import prerequisites

    return (
        prerequisites.get_web_dir() / constants.Dirs.STATIC / get_config().frontend_path.strip("/")
    ).resolve()


class SecurityHeaders:
    """`api_transformer` entry: wraps the backend's ASGI app and adds the headers to each HTTP response
    (websockets pass untouched). A header a response already has (an endpoint's no-referrer) is kept."""

    def __init__(self, app: ASGIApp, build_dir: Path | None = None):
        self.app = app
        self._build_dir = build_dir
        self._hashes: list[str] | None = None
        self._policies: dict[str, str] = {}
        self._fixed = fixed_headers(config.PUBLIC_URL)

    def _policy(self, host: str) -> str:
        if self._hashes is None:
            hashes = inline_script_hashes(self._build_dir or _build_dir())
            if not hashes:  # not built yet: look again next time
                return content_security_policy([], None)
            self._hashes = hashes
        host = host if _HOST.match(host) else ""
        policy = self._policies.get(host)
        if policy is None:
            policy = content_security_policy(self._hashes, host or None)
            if len(self._policies) < 64:  # the hosts a store is reached by: a handful
                self._policies[host] = policy
        return policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                request_host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
                headers.setdefault("Content-Security-Policy", self._policy(request_host))
                for name, value in self._fixed.items():
                    headers.setdefault(name, value)
                message["headers"] = headers.raw
            await send(message)

        await self.app(scope, receive, send_with_headers)
