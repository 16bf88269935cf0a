"""The security-headers middleware (app/headers.py) on a small app: the build's inline scripts allowed by hash,
every header on every response, an endpoint's own Referrer-Policy kept, HSTS only on https, websockets
untouched. tests/e2e/test_headers.py checks the real build in Chromium."""

from __future__ import annotations

import base64
import hashlib

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient

from app import config
from app.headers import SecurityHeaders, inline_script_hashes

INLINE = 'window.__ctx = {"a": 1};'


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def build(tmp_path):
    (tmp_path / "index.html").write_text(
        f'<html><head><script type="module" src="/assets/a.js"></script><script>{INLINE}</script></head></html>'
    )
    (tmp_path / "cart").mkdir()
    (tmp_path / "cart" / "index.html").write_text(
        "<script id='x'>\nconsole.log(1)\n</script><script></script>"
    )
    return tmp_path


async def page(request):
    return PlainTextResponse("hi")


async def endpoint(request):
    return PlainTextResponse("ok", headers={"Referrer-Policy": "no-referrer"})


async def socket(ws):
    await ws.accept()
    await ws.send_text("hello")
    await ws.close()


def client(tmp_path) -> TestClient:
    inner = Starlette(
        routes=[Route("/", page), Route("/auth/x", endpoint), WebSocketRoute("/_event", socket)]
    )
    return TestClient(SecurityHeaders(inner, build_dir=build(tmp_path)))


def test_inline_scripts_are_hashed_and_external_ones_are_not(tmp_path):
    assert inline_script_hashes(build(tmp_path)) == sorted([sha(INLINE), sha("\nconsole.log(1)\n")])


def test_every_response_gets_the_headers(tmp_path):
    response = client(tmp_path).get("/", headers={"host": "shop.example:8443"})
    csp = response.headers["content-security-policy"]
    assert (
        f"script-src 'self' {' '.join(sorted([sha(INLINE), sha(chr(10) + 'console.log(1)' + chr(10))]))};"
        in csp
    )
    assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
    assert "connect-src 'self' ws://shop.example:8443 wss://shop.example:8443" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # PUBLIC_URL is http in tests


def test_an_endpoints_stricter_referrer_policy_is_kept(tmp_path):
    response = client(tmp_path).get("/auth/x")
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    assert "content-security-policy" in response.headers


def test_a_forged_host_does_not_reach_the_policy(tmp_path):
    csp = client(tmp_path).get("/", headers={"host": "evil; script-src *"}).headers["content-security-policy"]
    assert "evil" not in csp and "connect-src 'self';" in csp


def test_hsts_only_on_https(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "PUBLIC_URL", "https://shop.example")
    response = client(tmp_path).get("/")
    assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_websockets_pass_untouched(tmp_path):
    with client(tmp_path).websocket_connect("/_event") as ws:
        assert ws.receive_text() == "hello"
