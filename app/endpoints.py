"""The store's HTTP endpoints beside Reflex's websocket: the session cookie (docs/SECURITY.md).

`/auth/session?code=…&next=…` turns a one-time sign-in code into the HttpOnly session cookie (and the
HttpOnly device cookie of the browser the account now trusts) and sends the browser on (a full page load, so the new websocket carries the cookie); `/auth/signed-out?next=…` removes
the cookie after the server ended the session. `/health` and `/metrics` are for operations
(app/health.py, app/metrics.py; docs/OPERATIONS.md).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from app import config
from app.health import health_endpoint
from app.metrics import metrics_endpoint
from app.services import session_cookie
from app.services.db import session_scope
from app.services.errors import UNAVAILABLE_MESSAGE, DomainError, Unavailable
from app.services.validation import safe_return_to

SECURE = config.PUBLIC_URL.startswith("https://")


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the code must not leave in a Referer header
    return response


async def establish(request: Request):
    target = safe_return_to(request.query_params.get("next", "/"))
    try:
        with session_scope() as db:
            done = session_cookie.redeem(
                db,
                request.query_params.get("code", ""),
                request.cookies.get(session_cookie.DEVICE_COOKIE, ""),
            )
    except Unavailable:
        return _no_store(PlainTextResponse(UNAVAILABLE_MESSAGE, status_code=503))
    except DomainError:
        return _no_store(RedirectResponse("/login?expired=1", status_code=303))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        session_cookie.COOKIE,
        done.token,
        max_age=max(0, int(done.left.total_seconds())),
        path="/",
        httponly=True,
        secure=SECURE,
        samesite="lax",
    )
    response.set_cookie(
        session_cookie.DEVICE_COOKIE,
        done.device,
        max_age=config.DEVICE_TRUST_DAYS * 86400,
        path="/",
        httponly=True,
        secure=SECURE,
        samesite="lax",
    )
    return _no_store(response)


async def signed_out(request: Request):
    response = RedirectResponse(safe_return_to(request.query_params.get("next", "/")), status_code=303)
    response.delete_cookie(session_cookie.COOKIE, path="/", httponly=True, secure=SECURE, samesite="lax")
    return _no_store(response)


api = Starlette(
    routes=[
        Route("/auth/session", establish),
        Route("/auth/signed-out", signed_out),
        Route("/health", health_endpoint),
        Route("/metrics", metrics_endpoint),
    ]
)
