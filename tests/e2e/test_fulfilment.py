"""Ship to home or pick up in a store, per line at checkout (issue 6), for a shopper and a CSR on behalf.

Customers: smith18 and smith19 (no other test uses them). Demo shelves: MUG-STONE Downtown 4, Riverside 0,
Airport Mall 1; HAT-CAP Downtown 6.
"""

from playwright.sync_api import expect

from storefront_qa.demo import CSR, smith
from storefront_qa.journeys import on_behalf_of
from storefront_qa.pages import Store


def test_shopper_picks_up_in_store_and_a_store_without_stock_is_refused(store: Store):
    s, me = store, smith(18)
    s.sign_in(me.email, me.password)
    s.product.open("MUG-STONE")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    s.product.open("HAT-CAP")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("2")
    s.checkout.open()

    assert s.checkout.fulfilment_options("MUG-STONE") == [
        {"value": "ship", "label": "Ship to home", "disabled": False},
        {"value": "APT", "label": "Pick up at Airport Mall (1 in stock)", "disabled": False},
        {"value": "DTN", "label": "Pick up at Downtown (4 in stock)", "disabled": False},
        {"value": "RVS", "label": "Pick up at Riverside (out of stock)", "disabled": True},
    ]
    expect(s.checkout.fulfilment("MUG-STONE")).to_have_value("ship")
    expect(s.checkout.addresses().first).to_be_visible()

    # Everything picked up: no address, no shipping method.
    s.checkout.choose_fulfilment("MUG-STONE", "DTN")
    expect(s.checkout.addresses().first).to_be_visible()  # the cap still ships
    s.checkout.choose_fulfilment("HAT-CAP", "DTN")
    expect(s.checkout.pickup_only_notice()).to_be_visible()
    expect(s.checkout.addresses()).to_have_count(0)

    # A browser that enables the disabled store anyway: the server refuses, on the line, and takes nothing.
    s.checkout.fulfilment("MUG-STONE").evaluate(
        "sel => sel.querySelector('option[value=RVS]').removeAttribute('disabled')"
    )
    s.checkout.choose_fulfilment("MUG-STONE", "RVS")
    s.checkout.pay()
    expect(s.checkout.fulfilment_error("MUG-STONE")).to_contain_text(
        "Stoneware Mug is out of stock at the Riverside store"
    )
    assert "/checkout" in s.page.url

    s.checkout.choose_fulfilment("MUG-STONE", "DTN")
    expect(s.checkout.fulfilment_error("MUG-STONE")).to_have_count(0)
    s.checkout.place_order()  # the card is still filled in
    s.checkout.order_number()
    expect(s.checkout.order_line_fulfilment("MUG-STONE")).to_have_text("Pick up at Downtown, Springfield")
    expect(s.checkout.order_line_fulfilment("HAT-CAP")).to_have_text("Pick up at Downtown, Springfield")
    expect(s.page.get_by_text("Ship to:")).to_have_count(0)

    # Downtown's shelf gave one mug.
    s.product.open("MUG-STONE")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("1")
    s.checkout.open()
    labels = [o["label"] for o in s.checkout.fulfilment_options("MUG-STONE")]
    assert "Pick up at Downtown (3 in stock)" in labels


def test_csr_on_behalf_ships_one_line_and_picks_up_another(new_context):
    s = on_behalf_of(new_context, CSR, smith(19).email)
    s.minicart.lock()
    s.minicart.close()
    s.product.open("MUG-STONE")
    s.product.add(2)
    expect(s.minicart.counter()).to_have_text("2")
    s.product.open("BAG-TOTE")
    s.product.add(1)
    expect(s.minicart.counter()).to_have_text("3")
    s.cart.open()
    s.cart.checkout_for_customer()

    options = {o["value"]: o for o in s.checkout.fulfilment_options("MUG-STONE")}
    assert (
        options["APT"]["disabled"] and options["APT"]["label"] == "Pick up at Airport Mall (only 1 in stock)"
    )
    s.checkout.choose_fulfilment("MUG-STONE", "DTN")
    expect(s.checkout.fulfilment("BAG-TOTE")).to_have_value("ship")
    # The customer's saved default address is chosen (the radio's value was once a number: none showed).
    expect(s.checkout.addresses().first.get_by_role("radio")).to_be_checked()
    s.checkout.pay()
    s.checkout.order_number()
    expect(s.checkout.order_line_fulfilment("MUG-STONE")).to_have_text("Pick up at Downtown, Springfield")
    expect(s.checkout.order_line_fulfilment("BAG-TOTE")).to_have_text("Ship to home")
    expect(s.page.get_by_text("Ship to:")).to_be_visible()
