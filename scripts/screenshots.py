"""Take the README's screenshots from the current build.

    make screenshots        (or: .venv/bin/python scripts/screenshots.py)

Starts the store with the QA kit's server starter (a freshly seeded database, the production build on a free
port), drives it with the page objects at 1280×900 and writes docs/screenshot-<name>.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright

from storefront_qa.browser import VIEWPORT, launch_chromium
from storefront_qa.demo import CSR, JANE
from storefront_qa.pages import Store
from storefront_qa.server import StoreServer

DOCS = ROOT / "docs"


def dismiss_toast(store: Store) -> None:
    if store.header.toast().count():
        store.page.get_by_label("Dismiss message").click()
        expect(store.header.toast()).to_have_count(0)


def shoot(store: Store, name: str) -> Path:
    """Screenshot the viewport once images and animations are done and no toast is in the way."""
    page = store.page
    dismiss_toast(store)
    page.wait_for_function("Array.from(document.images).every(img => img.complete)")
    # Popovers fade in: wait for the animation to finish.
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    path = DOCS / f"screenshot-{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshots: {path.relative_to(ROOT)}")
    return path


def take(browser, base_url: str) -> None:
    shopper = Store(browser.new_context(base_url=base_url, viewport=VIEWPORT).new_page())
    shopper.catalog.open()
    expect(shopper.catalog.cards()).to_have_count(12)
    shoot(shopper, "catalog")

    shopper.product.open("JKT-RAIN")
    expect(shopper.product.tid("pdp-price")).to_have_text("$129.00")
    shoot(shopper, "product")

    shopper.product.add(1)
    expect(shopper.minicart.tid("minicart-count")).to_have_text("1")
    shopper.product.open("BAG-TOTE")
    shopper.product.add(2)
    expect(shopper.minicart.tid("minicart-count")).to_have_text("3")
    dismiss_toast(shopper)  # a click outside the open mini-cart would close it
    shopper.minicart.open()
    expect(shopper.minicart.lines()).to_have_count(2)
    shoot(shopper, "minicart")

    csr = Store(browser.new_context(base_url=base_url, viewport=VIEWPORT).new_page())
    csr.sign_in_staff(CSR.email, CSR.password)
    csr.find_customer.find(last_name="smith")
    expect(csr.find_customer.rows()).to_have_count(20)
    shoot(csr, "customer-service")

    csr.shop_on_behalf(JANE.email)
    csr.on_behalf.expect_shopping_for(JANE.name, csr=CSR.name)
    expect(csr.account.order_rows()).to_have_count(1)
    shoot(csr, "on-behalf")


def main() -> int:
    with (
        tempfile.TemporaryDirectory(prefix="screenshots-") as workdir,
        StoreServer(Path(workdir)) as base_url,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        try:
            take(browser, base_url)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
