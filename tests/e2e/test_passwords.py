"""Forgot password and the one-time set-password link, in the browser (issue 6).

Customer: smith15 (no other test uses it).
"""

from playwright.sync_api import expect

from storefront_qa.demo import smith
from storefront_qa.pages import Store, at

NEW = "harbor-pine-new-1"


def test_a_shopper_resets_a_forgotten_password(store: Store, new_context, mail_outbox):
    me, s = smith(15), store
    s.login.open()
    s.login.forgot_password()
    s.forgot_password.request("nobody-here@example.com")
    expect(s.forgot_password.sent()).to_contain_text("If an account exists for nobody-here@example.com")
    assert mail_outbox.count("nobody-here@example.com") == 0

    s.forgot_password.open()
    before = mail_outbox.count(me.email)
    s.forgot_password.request(me.email)
    expect(s.forgot_password.sent()).to_contain_text(f"If an account exists for {me.email}")
    link = mail_outbox.set_password_link(me.email, after=before)

    s.set_password.open(link)
    s.set_password.choose(NEW, "something-else")
    expect(s.set_password.field_error("confirm")).to_contain_text("do not match")
    s.set_password.choose("short")
    expect(s.set_password.field_error("password")).to_contain_text("at least 8")
    s.set_password.choose_and_sign_in(NEW)
    s.header.expect_toast("Your password is saved")
    expect(s.header.user_menu()).to_be_visible()

    # The link worked once; the old password is gone, the new one signs in.
    other = Store(new_context().new_page())
    other.set_password.open(link)
    expect(other.set_password.error()).to_contain_text("already been used")
    expect(other.set_password.request_new_link()).to_have_attribute("href", "/forgot-password")
    other.login.open()
    other.login.sign_in(me.email, me.password)
    expect(other.login.error()).to_be_visible()
    other.sign_in(me.email, NEW)
    expect(other.header.user_menu()).to_be_visible()


def test_a_made_up_link_explains_itself(store: Store):
    store.set_password.open("/set-password?token=made-up-token")
    expect(store.set_password.error()).to_contain_text("not valid")
    expect(store.set_password.new_password()).to_have_count(0)
    store.set_password.request_new_link().click()
    store.page.wait_for_url(at("/forgot-password"))
