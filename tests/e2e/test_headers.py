"""Security headers on the production build (app/headers.py, docs/OPERATIONS.md): the main pages run under the
Content-Security-Policy without a single violation, and a page, a static asset of the build and an endpoint
carry the headers."""

from __future__ import annotations

import re
import urllib.request

from playwright.sync_api import expect

from storefront_qa.pages import Store

PRODUCT = "JKT-RAIN"

# Records what the browser refused: the `securitypolicyviolation` events of every document of the context.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


class Violations:
    """Console messages about the Content-Security-Policy, and the page's own violation events."""

    def __init__(self, context):
        self.console: list[str] = []
        context.add_init_script(LISTEN)
        context.on("page", self._watch)

    def _watch(self, page) -> None:
        page.on(
            "console",
            lambda msg: self.console.append(msg.text) if "Content Security Policy" in msg.text else None,
        )

    def check(self, page, where: str) -> None:
        events = page.evaluate("window.__cspViolations || []")
        assert not events and not self.console, f"CSP violations on {where}: {events + self.console}"


def headers_of(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return {k.lower(): v for k, v in response.headers.items()}


def assert_security_headers(
    headers: dict[str, str], referrer: str = "strict-origin-when-cross-origin"
) -> None:
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert re.search(r"script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+(;|$)", csp), csp
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == referrer
    assert "strict-transport-security" not in headers  # PUBLIC_URL is http here


def test_main_pages_run_under_the_csp_without_violations(new_context):
    context = new_context()
    violations = Violations(context)
    page = context.new_page()
    s = Store(page)

    s.catalog.open()
    expect(s.catalog.cards()).to_have_count(12)
    violations.check(page, "/")
    s.product.open(PRODUCT)
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")  # the websocket works under connect-src
    violations.check(page, f"/product/{PRODUCT}")
    s.cart.open()
    expect(s.cart.line(PRODUCT)).to_be_visible()
    violations.check(page, "/cart")
    s.login.open()
    violations.check(page, "/login")

    s.sign_in_staff("csr@example.com", "csr-pass-123")  # through /auth/session: a full page load, no eval
    expect(page).to_have_url(re.compile(r"/customer-service/?$"))
    violations.check(page, "/customer-service")
    s.shop_on_behalf("jane@example.com")  # lands on Jane's My Account
    s.account.open()
    violations.check(page, "/account")
    s.header.sign_out()  # through /auth/signed-out, back to the catalog
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))
    s.catalog.ready()
    violations.check(page, "after signing out")


def test_headers_on_a_page_a_static_asset_and_an_endpoint(page, base_url):
    assert_security_headers(headers_of(base_url + "/"))
    assert_security_headers(headers_of(base_url + "/cart"))

    page.goto(base_url + "/")
    script = page.locator("script[src$='.js'], link[rel=modulepreload][href$='.js']").first
    asset = script.get_attribute("src") or script.get_attribute("href")
    assert asset and asset.startswith("/assets/")
    asset_headers = headers_of(base_url + asset)
    assert "javascript" in asset_headers["content-type"]
    assert_security_headers(asset_headers)

    # The endpoints keep their stricter no-referrer; /health is an endpoint too.
    request = urllib.request.Request(base_url + "/auth/signed-out?next=/")
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=10) as response:
        endpoint = {k.lower(): v for k, v in response.headers.items()}
    assert_security_headers(endpoint, referrer="no-referrer")
    assert_security_headers(headers_of(base_url + "/health"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_303(self, req, fp, code, msg, headers):
        return fp


def test_health_and_metrics_on_the_built_server(store, base_url):
    """The production server counts in the multiprocess folder: a page's events and its websocket show."""
    import json

    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(base_url + "/health", timeout=10) as response:
        assert response.status == 200
        body = json.load(response)
    assert body["status"] == "ok" and body["database"] == "ok" and body["redis"] == "not used"

    store.product.open(PRODUCT)
    store.product.add(1)
    expect(store.minicart.counter()).not_to_have_text("0")
    with urllib.request.urlopen(base_url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("store_events_total", (("handler", "CartState.add"), ("outcome", "ok")))] >= 1
    assert samples[("store_connected_clients", ())] >= 1  # this page's websocket
    assert ("store_on_behalf_sessions", ()) in samples
