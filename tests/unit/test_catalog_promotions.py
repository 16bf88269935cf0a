"""Catalog browsing and promotions priced for the effective customer (docs/PRODUCT.md §Pages, §Shopping)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.services import auth, catalog, onbehalf, promotions
from app.services.caller import ANONYMOUS, Caller
from app.services.catalog import CatalogQuery
from app.services.errors import NotFound
from models import Category, Product, Promotion
from tests.conftest import caller_for, make_account, make_product

ANON = ANONYMOUS


def commit(db):
    db.commit()
    db.expire_all()  # the fixture keeps objects after commit; conditional UPDATEs bypass them


def product(db, code, name, price=2000, category="tops", description="A fine thing.", **kw) -> Product:
    p = make_product(db, code=code, price=price, category=category, **kw)
    p.name, p.name_norm, p.description = name, name.lower(), description
    db.add(p)
    commit(db)
    return p


def promo(db, name, *, target="everyone", kind="percent", value=10, **kw) -> Promotion:
    p = Promotion(name=name, target=target, kind=kind, value=value, **kw)
    db.add(p)
    commit(db)
    return p


def category_id(db, slug) -> int:
    return db.exec(select(Category).where(Category.slug == slug)).one().id


def codes(result) -> list[str]:
    return [item.code for item in result.items]


def on_behalf(db, csr, customer) -> Caller:
    caller, token = caller_for(db, csr)
    onbehalf.start(db, caller, customer.id)
    commit(db)
    return auth.resolve_caller(db, token)


# -- catalog ---------------------------------------------------------------------------------


@pytest.fixture
def shelf(db):
    product(db, "TEE", "Plain Tee", 1500, "tops")
    product(db, "COT", "100% Cotton Tee", 2500, "tops")
    product(db, "SNOW", "snow_board", 9000, "outdoor")
    product(db, "SNOX", "SnowXboard", 8000, "outdoor", description="Like a snow board, but X.")
    product(db, "JKT", "Rain Jacket", 5000, "outerwear", description="Keeps you DRY in a storm.")


def test_keyword_matches_name_and_description_case_insensitively(db, shelf):
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="TEE"))) == ["TEE", "COT"]
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="  dry "))) == ["JKT"]
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="nothing-like-this"))) == []


def test_keyword_percent_and_underscore_are_literal(db, shelf):
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="%"))) == ["COT"]
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="0% c"))) == ["COT"]
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="w_b"))) == ["SNOW"]
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="_"))) == ["SNOW"]
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="\\"))) == []


def test_overlong_keyword_is_cut_not_an_error(db, shelf):
    result = catalog.search(db, ANON, CatalogQuery(keyword="tee" + "x" * 500))
    assert result.items == []


def test_category_filter(db, shelf):
    result = catalog.search(db, ANON, CatalogQuery(category="outdoor"))
    assert codes(result) == ["SNOW", "SNOX"]
    assert result.category_name == "Outdoor" and result.total == 2
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="board", category="outdoor"))) == [
        "SNOW",
        "SNOX",
    ]
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="like a", category="outdoor"))) == ["SNOX"]
    assert codes(catalog.search(db, ANON, CatalogQuery(keyword="tee", category="outdoor"))) == []


def test_unknown_category_is_not_found(db, shelf):
    with pytest.raises(NotFound):
        catalog.search(db, ANON, CatalogQuery(category="no-such-thing"))


SORT_CASES = {
    "featured": ["TEE", "COT", "SNOW", "SNOX", "JKT"],
    "price_asc": ["TEE", "COT", "JKT", "SNOX", "SNOW"],
    "price_desc": ["SNOW", "SNOX", "JKT", "COT", "TEE"],
    "name": ["COT", "TEE", "JKT", "SNOW", "SNOX"],
    "bogus": ["TEE", "COT", "SNOW", "SNOX", "JKT"],  # unknown sort falls back to featured
}


def test_sort_orders(db, shelf, subtests):
    for sort, expected in SORT_CASES.items():
        with subtests.test(sort=sort):
            assert codes(catalog.search(db, ANON, CatalogQuery(sort=sort))) == expected


def test_price_sort_ties_break_by_id(db):
    for code in ("B", "A", "C"):
        product(db, code, f"Item {code}", 1000)
    assert codes(catalog.search(db, ANON, CatalogQuery(sort="price_desc"))) == ["B", "A", "C"]


def test_pagination_bounds(db):
    for i in range(catalog.PAGE_SIZE + 3):
        product(db, f"P{i:02d}", f"Thing {i:02d}", 1000 + i)
    first = catalog.search(db, ANON, CatalogQuery(page=1))
    assert first.total == catalog.PAGE_SIZE + 3 and first.pages == 2
    assert len(first.items) == catalog.PAGE_SIZE and first.page == 1
    second = catalog.search(db, ANON, CatalogQuery(page=2))
    assert codes(second) == ["P12", "P13", "P14"]
    assert catalog.search(db, ANON, CatalogQuery(page=0)).page == 1
    assert catalog.search(db, ANON, CatalogQuery(page=-5)).page == 1
    beyond = catalog.search(db, ANON, CatalogQuery(page=999))
    assert beyond.page == 2 and codes(beyond) == codes(second)


def test_empty_catalog_has_one_empty_page(db):
    result = catalog.search(db, ANON, CatalogQuery(page=3))
    assert result == catalog.CatalogPage(items=[], total=0, page=1, pages=1, category_name="")


def test_categories_in_position_order(db):
    db.add(Category(slug="b", name="Bravo", position=2))
    db.add(Category(slug="a", name="Alpha", position=2))
    db.add(Category(slug="z", name="Zulu", position=1))
    commit(db)
    assert [c.slug for c in catalog.categories(db)] == ["z", "a", "b"]


def test_product_page(db):
    product(
        db, "SHIRT", "Oxford Shirt", 4500, options=[("Blue", "M"), ("Blue", "L"), ("White", "M")], stock=4
    )
    p = db.exec(select(Product).where(Product.code == "SHIRT")).one()
    p.option_names = "Colour|Size"
    db.add(p)
    commit(db)
    page = catalog.product_page(db, ANON, "SHIRT")
    assert page.name == "Oxford Shirt" and page.price == "$45.00" and not page.discounted
    assert page.category == "Tops" and page.category_slug == "tops"
    assert (page.option1_name, page.option2_name) == ("Colour", "Size")
    assert page.option1_values == ["Blue", "White"] and page.option2_values == ["M", "L"]
    assert len(page.variants) == 3 and page.variants[0].stock == 4
    assert catalog.find_variant(page.variants, "White", "M").sku == "SHIRT-White-M"
    assert catalog.find_variant(page.variants, "White", "L") is None


def test_product_page_unknown_code_is_not_found(db, shelf, subtests):
    for code in ["NOPE", "", None, 42, "x" * 41, "tee"]:
        with subtests.test(code=code), pytest.raises(NotFound):
            catalog.product_page(db, ANON, code)


# -- promotions ------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    return {
        "vip": make_account(db, "Vera", "Vip", segments="vip"),
        "plain": make_account(db, "Paul", "Plain"),
        "csr": make_account(db, "Casey", "Rep", role="csr"),
    }


def test_vip_segment_promo_applies_only_to_vip(db, people):
    jacket = product(db, "JKT", "Rain Jacket", 5000, "outerwear")
    promo(
        db,
        "VIP 20% off outerwear",
        target="segment",
        segment="vip",
        value=20,
        category_id=category_id(db, "outerwear"),
    )
    vip, _ = caller_for(db, people["vip"])
    plain, _ = caller_for(db, people["plain"])
    vip_page = catalog.product_page(db, vip, "JKT")
    assert vip_page.price == "$40.00" and vip_page.list_price == "$50.00"
    assert vip_page.discounted and vip_page.promo == "VIP 20% off outerwear"
    for caller in (plain, ANON):
        page = catalog.product_page(db, caller, "JKT")
        assert page.price == "$50.00" and not page.discounted and page.promo == ""
    card = catalog.search(db, vip, CatalogQuery()).items[0]
    assert card.code == jacket.code and card.price == "$40.00" and card.promo


def test_segment_promo_matches_whatever_the_case(db, people):
    product(db, "JKT", "Rain Jacket", 5000, "outerwear")
    promo(db, "VIP deal", target="segment", segment="VIP", value=10)
    vip, _ = caller_for(db, people["vip"])
    assert catalog.product_page(db, vip, "JKT").price == "$45.00"


def test_customer_targeted_promo_only_for_that_customer(db, people):
    product(db, "TEE", "Plain Tee", 2000)
    promo(
        db, "Sorry-for-the-delay", target="customer", customer_id=people["plain"].id, kind="amount", value=300
    )
    plain, _ = caller_for(db, people["plain"])
    vip, _ = caller_for(db, people["vip"])
    assert catalog.product_page(db, plain, "TEE").price == "$17.00"
    assert catalog.product_page(db, vip, "TEE").price == "$20.00"
    assert catalog.product_page(db, ANON, "TEE").price == "$20.00"


def test_best_single_promo_wins_and_promos_do_not_stack(db, people):
    tee = product(db, "TEE", "Plain Tee", 2000, "tops")
    promo(db, "Everyone 10%", value=10)
    promo(db, "Tops $5 off", kind="amount", value=500, category_id=category_id(db, "tops"))
    promo(db, "VIP tee 30%", target="segment", segment="vip", value=30, product_id=tee.id)
    vip, _ = caller_for(db, people["vip"])
    plain, _ = caller_for(db, people["plain"])
    assert catalog.product_page(db, vip, "TEE").price == "$14.00"  # 30% beats $5 beats 10%
    assert catalog.product_page(db, vip, "TEE").promo == "VIP tee 30%"
    assert catalog.product_page(db, plain, "TEE").price == "$15.00"
    assert catalog.product_page(db, plain, "TEE").promo == "Tops $5 off"


def test_promo_scoped_to_product_or_category(db):
    tee = product(db, "TEE", "Plain Tee", 2000, "tops")
    product(db, "CAP", "Cap", 2000, "hats")
    product(db, "TOP2", "Tank Top", 2000, "tops")
    promo(db, "Tee only", value=50, product_id=tee.id)
    promo(db, "Hats", value=25, category_id=category_id(db, "hats"))
    prices = {i.code: i.price for i in catalog.search(db, ANON, CatalogQuery()).items}
    assert prices == {"TEE": "$10.00", "CAP": "$15.00", "TOP2": "$20.00"}


def test_amount_is_capped_at_the_price(db):
    product(db, "TEE", "Plain Tee", 2000)
    promo(db, "Huge", kind="amount", value=999_999)
    page = catalog.product_page(db, ANON, "TEE")
    assert page.price == "$0.00" and page.discounted


def test_inactive_promo_is_ignored(db):
    product(db, "TEE", "Plain Tee", 2000)
    promo(db, "Old", value=50, active=False)
    assert catalog.product_page(db, ANON, "TEE").price == "$20.00"


@pytest.mark.parametrize(
    "kind,value,price,off",
    [
        ("percent", 10, 1999, 200),  # 199.9 rounds to 200
        ("percent", 15, 999, 150),  # 149.85 → 150
        ("percent", 150, 1000, 1000),  # clamped at 100%
        ("percent", -5, 1000, 0),
        ("amount", 250, 1000, 250),
        ("amount", 5000, 1000, 1000),
        ("amount", -100, 1000, 0),
    ],
)
def test_discount_of(kind, value, price, off):
    assert (
        promotions.discount_of(Promotion(name="p", target="everyone", kind=kind, value=value), price) == off
    )


def test_csr_on_behalf_sees_the_customers_prices(db, people):
    product(db, "JKT", "Rain Jacket", 5000, "outerwear")
    product(db, "TEE", "Plain Tee", 2000, "tops")
    promo(db, "VIP 20%", target="segment", segment="vip", value=20, category_id=category_id(db, "outerwear"))
    promo(
        db,
        "Just for Vera",
        target="customer",
        customer_id=people["vip"].id,
        kind="amount",
        value=500,
        product_id=db.exec(select(Product).where(Product.code == "TEE")).one().id,
    )
    csr_alone, _ = caller_for(db, people["csr"])
    assert catalog.product_page(db, csr_alone, "JKT").price == "$50.00"  # no customer, no promotions
    csr = on_behalf(db, people["csr"], people["vip"])
    assert csr.on_behalf and csr.customer_id == people["vip"].id
    assert catalog.product_page(db, csr, "JKT").price == "$40.00"
    prices = {i.code: i.price for i in catalog.search(db, csr, CatalogQuery()).items}
    assert prices == {"JKT": "$40.00", "TEE": "$15.00"}
    other = on_behalf(db, people["csr"], people["plain"])
    assert catalog.product_page(db, other, "JKT").price == "$50.00"
