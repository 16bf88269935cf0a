"""Verification codes in the browser, on a store started with ASSISTANCE_CONSENT=opt-in ASSISTANCE_VERIFY=code:
the customer switches assistance on and reads their code in My Account; the CSR's Access asks for it (a wrong
code is refused), the right one opens the account once, the customer's page shows a new code without a reload,
and Email a code mails one the CSR never sees.

Customers: smith05 (this module's own store)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from storefront_qa.demo import CSR, smith
from storefront_qa.mail import Outbox
from storefront_qa.pages import Store


@pytest.fixture(scope="module", autouse=True)
def _patient_expect():
    """This store is fresh and the machine may be busy: wait longer than Playwright's 5 s for each answer."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="module")
def base_url(verify_store) -> str:
    return verify_store.base_url


@pytest.fixture(scope="module")
def mail_outbox(verify_store) -> Outbox:
    return Outbox(verify_store.outbox)


def _other(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_the_csr_needs_the_customers_code(new_context, mail_outbox):
    customer = smith(5)
    shopper = Store(new_context().new_page())
    shopper.catalog.open()  # the fresh store's first page is slow on a busy machine
    shopper.sign_in(customer.email, customer.password)
    shopper.account.open()
    expect(shopper.account.assist_code_label()).to_have_count(0)  # opt-in: no code before assistance is on
    shopper.account.allow_assistance()
    code = shopper.account.assist_code()
    expect(shopper.account.assist_code_expires()).to_contain_text("Works once, until")

    csr = Store(new_context().new_page())
    csr.sign_in_staff(CSR.email, CSR.password)
    csr.find_customer.find(email=customer.email)
    csr.find_customer.ask_for_code(customer.email)
    csr.access_code.enter(_other(code))
    expect(csr.access_code.error()).to_contain_text("not right")
    csr.access_code.access(code)
    csr.on_behalf.expect_shopping_for("Smith", csr=CSR.name)
    expect(csr.account.assist_code_label()).to_have_count(0)  # never in the CSR's browser
    assert code not in csr.page.content()

    # Used: the customer's page shows a new code by itself; the old one no longer opens the account.
    fresh = shopper.account.next_assist_code(code)
    csr.on_behalf.sign_in_as_yourself()
    csr.find_customer.find(email=customer.email)
    csr.find_customer.ask_for_code(customer.email)
    csr.access_code.enter(code)
    expect(csr.access_code.error()).to_contain_text("expired or was used")
    csr.access_code.access(fresh)
    csr.on_behalf.expect_shopping_for("Smith", csr=CSR.name)

    # Email a code: mailed to the customer, naming the CSR, and it opens the account.
    csr.on_behalf.sign_in_as_yourself()
    csr.find_customer.find(email=customer.email)
    csr.find_customer.ask_for_code(customer.email)
    before = mail_outbox.assist_code_count(customer.email)
    csr.access_code.send()
    mailed = mail_outbox.assist_code(customer.email, after=before)
    body = mail_outbox.messages(customer.email)[-1].get_content()
    assert f"{CSR.name.split()[0]} from our customer service team" in body
    assert mailed not in csr.page.content()
    csr.access_code.access(mailed)
    csr.on_behalf.expect_shopping_for("Smith", csr=CSR.name)
