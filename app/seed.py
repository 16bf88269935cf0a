"""Deterministic demo data (docs/PRODUCT.md §Demo data and QA, the README's table).

    python -m app.seed                   create whatever is missing (idempotent)
    python -m app.seed --reset           drop every table, recreate, seed
    python -m app.seed --if-empty        seed only when there are no accounts yet
    python -m app.seed --customers N     also bulk-insert N synthetic shoppers (benchmarks)

Natural keys decide what already exists: account emails, category slugs, product codes, variant SKUs,
store codes and promotion names. Jane's demo order is placed through the real cart and checkout services.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import func, text
from sqlmodel import Session, SQLModel, select

from app.services import carts, orders
from app.services.accounts import create_account, customer_number_for, refresh_search_columns
from app.services.auth import hash_password
from app.services.caller import Caller, segments_of
from app.services.db import get_engine, init_schema, session_scope
from models import Account, Address, Category, Coupon, Order, Product, Promotion, Store, StoreStock, Variant

# --------------------------------------------------------------------------------------------- catalog
# (slug, name, [(code, name, price_cents, icon, option_names, options, description)])
# options: () for none, (values,) for "Size", (colours, sizes) for "Colour|Size".
SIZES = ("S", "M", "L", "XL")
SHOE_SIZES = ("7", "8", "9", "10", "11", "12")

# fmt: off
CATALOG: list[tuple[str, str, list[tuple]]] = [
    (
        "outerwear",
        "Outerwear",
        [
            ("JKT-RAIN", "Packable Rain Jacket", 12900, "jacket", "Colour|Size", (("Navy", "Olive", "Yellow"), SIZES),
             "A seam-sealed shell that keeps the rain out and folds into its own pocket. Vented under the arms so you stay dry from the inside too."),
            ("JKT-DOWN", "Lightweight Down Jacket", 18999, "puffer", "Colour|Size", (("Black", "Red"), SIZES),
             "Responsibly sourced 700-fill down in a quilted, wind-resistant shell. Warm enough for winter mornings, light enough to carry all day."),
            ("COAT-WOOL", "Wool Blend Overcoat", 17900, "coat", "Size", (SIZES,),
             "A tailored knee-length coat in a soft Italian wool blend. Fully lined with two deep welt pockets."),
            ("VEST-FLEECE", "Fleece Vest", 5900, "vest", "", (),
             "A cosy recycled-fleece vest for layering over a tee or under a shell. Zip hand pockets keep your fingers warm."),
            ("JKT-DENIM", "Classic Denim Jacket", 8900, "jacket", "Size", (SIZES,),
             "The trucker jacket in rigid indigo denim that softens with every wear. Button chest pockets and adjustable waist tabs."),
            ("PARKA-WINTER", "Insulated Winter Parka", 18900, "coat", "", (),
             "Synthetic insulation and a faux-fur-trimmed hood for the coldest days. Storm cuffs and a two-way zip seal out the wind."),
            ("JKT-SOFTSHELL", "Softshell Hiking Jacket", 11900, "jacket", "", (),
             "A stretchy, breathable softshell for fast days on the trail. Water-repellent finish sheds light showers."),
            ("PONCHO-TRAIL", "Trail Poncho", 3499, "poncho", "", (),
             "A roomy ripstop poncho that covers you and your pack. Packs down to the size of an apple."),
            ("JKT-BOMBER", "Bomber Jacket", 9900, "puffer", "", (),
             "A satin-finish bomber with ribbed cuffs, collar and hem. Lightly padded for cool evenings."),
        ],
    ),
    (
        "tops",
        "Tops",
        [
            ("TEE-CREW", "Organic Cotton Crew Tee", 2499, "tshirt", "Colour|Size", (("White", "Black", "Navy"), SIZES),
             "Our everyday tee in heavyweight organic cotton. Pre-shrunk so it keeps its shape wash after wash."),
            ("TEE-VNECK", "Everyday V-Neck Tee", 2299, "tshirt", "", (),
             "A soft slub-cotton V-neck with a relaxed fit. Looks just as good under a blazer as on its own."),
            ("SHIRT-OXFORD", "Oxford Button-Down Shirt", 5900, "shirt", "Size", (SIZES,),
             "A crisp cotton oxford with a button-down collar. Garment washed for a lived-in feel from day one."),
            ("SHIRT-FLANNEL", "Brushed Flannel Shirt", 4900, "shirt", "Colour|Size", (("Red", "Green"), ("S", "M", "L")),
             "Double-brushed cotton flannel in a classic check. Warm enough to wear as a light jacket."),
            ("SWTR-MERINO", "Merino Crewneck Sweater", 8900, "sweater", "Colour|Size", (("Grey", "Navy"), ("S", "M", "L")),
             "Fine-gauge merino wool that regulates temperature and resists odour. Machine washable on the wool cycle."),
            ("HOOD-ZIP", "Zip-Up Hoodie", 5400, "hoodie", "Size", (SIZES,),
             "A midweight French-terry hoodie with a full-length zip. Lined hood and kangaroo pockets."),
            ("POLO-PIQUE", "Pique Polo Shirt", 3900, "polo", "", (),
             "A breathable cotton piqué polo with a two-button placket. Holds its collar shape all day."),
            ("TANK-RUN", "Running Tank Top", 1999, "tank", "", (),
             "A featherweight, quick-drying tank for warm-weather runs. Flatlock seams prevent chafing."),
            ("CARD-CHUNKY", "Chunky Knit Cardigan", 7900, "sweater", "", (),
             "A generously cut cardigan in a chunky cable knit. Horn-effect buttons and deep patch pockets."),
        ],
    ),
    (
        "footwear",
        "Footwear",
        [
            ("SHO-RUN", "Cloudstep Running Shoe", 11900, "sneaker", "Size", (SHOE_SIZES,),
             "A cushioned daily trainer with a responsive foam midsole. The engineered mesh upper breathes on long runs."),
            ("SHO-CANVAS", "Canvas Low-Top Sneaker", 4900, "sneaker", "Colour|Size", (("White", "Black"), ("7", "8", "9", "10", "11")),
             "The timeless canvas sneaker on a vulcanised rubber sole. Cushioned insole for all-day comfort."),
            ("BOOT-CHELSEA", "Leather Chelsea Boot", 15900, "boot", "Size", (SHOE_SIZES,),
             "Full-grain leather Chelsea boots with elastic gussets and a pull tab. Goodyear welted so they can be resoled."),
            ("BOOT-HIKE", "Waterproof Hiking Boot", 16900, "hikingboot", "", (),
             "A supportive mid-height boot with a waterproof membrane. Grippy lugged outsole for muddy trails."),
            ("SANDAL-SLIDE", "Cork Footbed Slide", 3900, "sandal", "", (),
             "A contoured cork footbed that moulds to your foot. Two adjustable straps in soft suede."),
            ("SLIP-WOOL", "Wool House Slipper", 4500, "slipper", "", (),
             "Felted wool slippers that keep feet warm without overheating. A light rubber sole lets you step outside."),
            ("SHO-LOAFER", "Suede Penny Loafer", 9900, "loafer", "", (),
             "A soft suede loafer with a hand-stitched moccasin toe. Easy to slip on, smart enough for the office."),
            ("SHO-TRAIL", "Trail Running Shoe", 12900, "sneaker", "", (),
             "Aggressive lugs and a rock plate for technical terrain. A gusseted tongue keeps grit out."),
            ("SOCK-MERINO", "Merino Hiking Socks (3 pack)", 2499, "sock", "Size", (("S", "M", "L"),),
             "Cushioned merino socks that stay warm even when wet. Reinforced heel and toe for long miles."),
        ],
    ),
    (
        "accessories",
        "Accessories",
        [
            ("BAG-TOTE", "Canvas Tote", 2900, "tote", "", (),
             "A sturdy 16 oz cotton canvas tote with an inside pocket. Long handles fit comfortably over the shoulder."),
            ("BAG-BACKPACK", "Everyday Backpack", 7900, "backpack", "", (),
             "A 20-litre backpack with a padded laptop sleeve. Water-resistant fabric and a luggage pass-through."),
            ("HAT-BEANIE", "Ribbed Wool Beanie", 1999, "beanie", "", (),
             "A classic ribbed beanie in soft lambswool. The fold-over cuff keeps your ears warm."),
            ("HAT-CAP", "Six-Panel Baseball Cap", 2499, "cap", "", (),
             "A washed cotton twill cap with an adjustable strap. Curved brim and embroidered eyelets."),
            ("SCARF-CASH", "Cashmere Scarf", 6900, "scarf", "", (),
             "Pure cashmere, woven in Scotland and brushed for extra softness. Long enough to wrap twice."),
            ("GLOVE-KNIT", "Touchscreen Knit Gloves", 1999, "glove", "Size", (("S", "M", "L"),),
             "Stretchy knit gloves with conductive fingertips. Use your phone without taking them off."),
            ("BELT-LEATHER", "Full-Grain Leather Belt", 4500, "belt", "Size", (SIZES,),
             "A single strip of vegetable-tanned leather with a solid brass buckle. It only gets better with age."),
            ("WALLET-BIFOLD", "Slim Bifold Wallet", 3900, "wallet", "", (),
             "A slim leather bifold with six card slots and a cash sleeve. Lined with RFID-blocking fabric."),
            ("SUN-AVIATOR", "Polarized Aviator Sunglasses", 8900, "sunglasses", "", (),
             "Polarized lenses cut glare on water and roads. Lightweight metal frames with adjustable nose pads."),
            ("WATCH-FIELD", "Field Watch", 14900, "watch", "", (),
             "A 38 mm automatic field watch with a luminous dial. Comes on a rugged canvas strap."),
        ],
    ),
    (
        "home",
        "Home",
        [
            ("LAMP-ARC", "Arc Floor Lamp", 15900, "arclamp", "", (),
             "A sweeping arc lamp that brings light right over your sofa. The marble base keeps it steady."),
            ("LAMP-DESK", "Adjustable Desk Lamp", 4900, "desklamp", "", (),
             "A jointed desk lamp that points light exactly where you need it. Uses a warm, dimmable LED."),
            ("MUG-STONE", "Stoneware Mug", 1299, "mug", "", (),
             "A hand-glazed stoneware mug that holds 12 oz. Dishwasher and microwave safe."),
            ("CANDLE-CEDAR", "Cedar & Sage Candle", 2200, "candle", "", (),
             "A soy wax candle with notes of cedarwood and sage. Burns cleanly for about 45 hours."),
            ("PILLOW-LINEN", "Linen Throw Pillow", 3400, "pillow", "", (),
             "A stonewashed linen cover with a feather insert. Hidden zip so the cover comes off for washing."),
            ("THROW-WOOL", "Wool Throw Blanket", 8900, "blanket", "", (),
             "A herringbone throw woven from lambswool. Perfect over the end of the bed or the arm of the sofa."),
            ("VASE-CERAMIC", "Ceramic Bud Vase", 2600, "vase", "", (),
             "A small matte ceramic vase for a single stem or a few dried flowers. Each one is slightly different."),
            ("PLANT-POT", "Terracotta Planter", 1899, "plant", "", (),
             "An unglazed terracotta pot with a drainage saucer. Lets roots breathe so plants stay healthy."),
            ("CLOCK-WALL", "Minimalist Wall Clock", 4200, "clock", "", (),
             "A silent-sweep wall clock with a clean, numberless face. Runs for a year on one AA battery."),
            ("BOTTLE-STEEL", "Insulated Steel Bottle", 2999, "bottle", "", (),
             "Double-walled stainless steel keeps drinks cold for 24 hours or hot for 12. Leak-proof lid."),
        ],
    ),
]

# fmt: on

OUT_OF_STOCK_SKU = "TEE-CREW-NAVY-XL"  # the one variant with stock 0
LOW_STOCK = {"LAMP-ARC": 3}  # single-variant products with a fixed stock


# --------------------------------------------------------------------------------------------- stores
# (code, name, line1, city, postal_code): where a line can be picked up instead of shipped.
STORES = [
    ("DTN", "Downtown", "200 Main Street", "Springfield", "62701"),
    ("RVS", "Riverside", "15 River Walk", "Springfield", "62704"),
    ("APT", "Airport Mall", "1 Terminal Drive, Unit 12", "Portland", "97218"),
]
# Shelf stock per store, by SKU, for the documented QA cases; every other variant gets a stable 0..8 from its SKU, so
# roughly one variant in nine is missing from each store.
STORE_STOCK = {
    "MUG-STONE": {"DTN": 4, "RVS": 0, "APT": 1},
    "CANDLE-CEDAR": {"DTN": 6, "RVS": 3, "APT": 0},
    "LAMP-ARC": {"DTN": 1, "RVS": 0, "APT": 0},
}


def store_quantity(store_code: str, sku: str) -> int:
    if sku in STORE_STOCK:
        return STORE_STOCK[sku][store_code]
    return zlib.crc32(f"{store_code}:{sku}".encode()) % 9


def sku_for(code: str, opts: tuple[str, ...]) -> str:
    parts = [code] + ["".join(ch for ch in o.upper() if ch.isalnum()) for o in opts if o]
    return "-".join(parts)


def variants_for(options: tuple) -> list[tuple[str, str]]:
    if not options:
        return [("", "")]
    if len(options) == 1:
        return [(v, "") for v in options[0]]
    return list(itertools.product(options[0], options[1]))


# -------------------------------------------------------------------------------------------- accounts
CSR_PASSWORD = "csr-pass-123"
SUPERVISOR_PASSWORD = "super-pass-123"
SHOPPER_PASSWORD = "shop-pass-123"

STAFF = [
    ("Casey", "Rep", "csr@example.com", "csr", CSR_PASSWORD),
    ("Sam", "Agent", "csr2@example.com", "csr", CSR_PASSWORD),
    ("Pat", "Lead", "supervisor@example.com", "supervisor", SUPERVISOR_PASSWORD),
]

# fmt: off
SMITH_FIRST_NAMES = [
    "Alex", "Blake", "Cameron", "Drew", "Emery", "Finley", "Gray", "Harper", "Indy", "Jordan",
    "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Riley", "Sage", "Taylor",
    "Uma", "Val", "Wren", "Xander", "Yara", "Zoe", "Avery", "Bailey", "Charlie", "Devon",
]
CITIES = [
    ("Springfield", "62704"), ("Portland", "97205"), ("Austin", "78701"), ("Denver", "80202"),
    ("Madison", "53703"), ("Boulder", "80302"), ("Savannah", "31401"), ("Tucson", "85701"),
    ("Burlington", "05401"), ("Asheville", "28801"), ("Boise", "83702"), ("Omaha", "68102"),
    ("Richmond", "23219"), ("Salem", "97301"), ("Duluth", "55802"),
]
STREETS = ["Oak Avenue", "Maple Street", "Cedar Lane", "Pine Road", "Elm Court", "Birch Way", "Willow Drive", "Lake Street"]

JANE_EMAIL = "jane@example.com"
JANE_ORDER = [("CANDLE-CEDAR", 2), ("SANDAL-SLIDE", 1)]

# Synthetic customers (--customers): no Smith or Doe so the demo contract's counts stay exact.
SYNTH_FIRST = [
    "Aaron", "Abby", "Adam", "Aiden", "Alice", "Amara", "Amir", "Ana", "Andre", "Ava", "Beatrice", "Ben",
    "Bianca", "Caleb", "Carla", "Chen", "Chloe", "Daniel", "Diego", "Elena", "Eli", "Emma", "Ethan", "Fatima",
    "Felix", "Grace", "Hana", "Hugo", "Ivan", "Isla", "Jack", "Jamal", "Julia", "Kenji", "Laila", "Leo",
    "Lucia", "Mara", "Mateo", "Maya", "Mia", "Nadia", "Nathan", "Nina", "Omar", "Olivia", "Oscar", "Priya",
    "Rafael", "Rosa", "Ruby", "Samir", "Sara", "Sofia", "Theo", "Tomas", "Vera", "Victor", "Yusuf", "Zara",
]
SYNTH_LAST = [
    "Adams", "Ahmed", "Alvarez", "Anderson", "Bailey", "Baker", "Bennett", "Brooks", "Brown", "Campbell",
    "Carter", "Chen", "Clark", "Collins", "Cooper", "Cruz", "Davis", "Diaz", "Edwards", "Evans", "Fischer",
    "Flores", "Garcia", "Gomez", "Green", "Hall", "Harris", "Hernandez", "Hill", "Ito", "Jackson", "Johnson",
    "Jones", "Kaur", "Kelly", "Khan", "Kim", "King", "Lee", "Lewis", "Lopez", "Martin", "Martinez", "Miller",
    "Mitchell", "Moore", "Morris", "Murphy", "Nelson", "Nguyen", "Novak", "Okafor", "Parker", "Patel",
    "Perez", "Phillips", "Reed", "Rivera", "Roberts", "Robinson", "Rossi", "Sanchez", "Santos", "Schmidt",
    "Scott", "Silva", "Singh", "Stewart", "Sullivan", "Tanaka", "Taylor", "Thomas", "Thompson", "Torres",
    "Turner", "Walker", "Wang", "Ward", "White", "Williams", "Wilson", "Wong", "Wright", "Young", "Zhang",
]
SYNTH_CITIES = [c for c, _ in CITIES] + [
    "Albany", "Atlanta", "Baltimore", "Boston", "Chicago", "Cleveland", "Dallas", "Detroit", "Fresno",
    "Houston", "Miami", "Nashville", "Oakland", "Phoenix", "Raleigh", "Reno", "Seattle", "Tampa",
]
# fmt: on
BULK_CHUNK = 5000
BULK_COMMIT = 100_000  # rows per transaction: random index pages are then written once, not per chunk
BULK_SQLITE_CACHE_KIB = 256 * 1024


def _count(db: Session, stmt) -> int:
    return db.exec(stmt).one()


class _Hashes(dict):
    """Each distinct demo password hashed once (argon2 is deliberately slow), and only when needed,
    so a second, no-op run does not pay for argon2 at all."""

    def __missing__(self, password: str) -> str:
        value = self[password] = hash_password(password)
        return value


def _account(
    db: Session, hashes: dict, first: str, last: str, email: str, password: str, **kw
) -> tuple[Account, bool]:
    existing = db.exec(select(Account).where(Account.email == email)).first()
    if existing is not None:
        return existing, False
    account = create_account(
        db, first_name=first, last_name=last, email=email, password=None, password_hash=hashes[password], **kw
    )
    return account, True


def _address(
    db: Session, account: Account, line1: str, city: str, postal_code: str, *, default: bool, phone: str = ""
) -> None:
    db.add(
        Address(
            account_id=account.id,
            full_name=f"{account.first_name} {account.last_name}",
            line1=line1,
            city=city,
            postal_code=postal_code,
            country="US",
            phone=phone or account.phone,
            is_default_billing=default,
            is_default_shipping=default,
        )
    )
    db.flush()
    refresh_search_columns(db, account)
    db.flush()


def seed_catalog(db: Session) -> dict[str, int]:
    """Categories, products and variants; returns product ids by code."""
    rng = random.Random(42)
    ids: dict[str, int] = {}
    for position, (slug, cat_name, products) in enumerate(CATALOG):
        category = db.exec(select(Category).where(Category.slug == slug)).first()
        if category is None:
            category = Category(slug=slug, name=cat_name, position=position)
            db.add(category)
            db.flush()
        for code, name, price, _icon, option_names, options, description in products:
            product = db.exec(select(Product).where(Product.code == code)).first()
            if product is None:
                product = Product(
                    code=code,
                    name=name,
                    name_norm=name.lower(),
                    description=description,
                    category_id=category.id,
                    price_cents=price,
                    image=f"/products/{code}.svg",
                    option_names=option_names,
                )
                db.add(product)
                db.flush()
            ids[code] = product.id
            for opt1, opt2 in variants_for(options):
                stock = rng.randint(5, 40)  # always drawn, so the numbers never depend on what exists
                sku = sku_for(code, (opt1, opt2))
                if sku == OUT_OF_STOCK_SKU:
                    stock = 0
                stock = LOW_STOCK.get(code, stock)
                if db.exec(select(Variant.id).where(Variant.sku == sku)).first() is None:
                    db.add(Variant(product_id=product.id, sku=sku, option1=opt1, option2=opt2, stock=stock))
    db.flush()
    return ids


def seed_stores(db: Session) -> None:
    """The stores and what each has on its shelves (a row for every variant, 0 included)."""
    stores = []
    for code, name, line1, city, postal_code in STORES:
        store = db.exec(select(Store).where(Store.code == code)).first()
        if store is None:
            store = Store(code=code, name=name, line1=line1, city=city, postal_code=postal_code)
            db.add(store)
            db.flush()
        stores.append(store)
    variants = db.exec(select(Variant.id, Variant.sku).order_by(Variant.id)).all()
    for store in stores:
        have = set(db.exec(select(StoreStock.variant_id).where(StoreStock.store_id == store.id)).all())
        for variant_id, sku in variants:
            if variant_id not in have:
                db.add(
                    StoreStock(
                        store_id=store.id, variant_id=variant_id, quantity=store_quantity(store.code, sku)
                    )
                )
    db.flush()


def seed_accounts(db: Session, hashes: dict) -> dict[str, Account]:
    made: dict[str, Account] = {}
    for first, last, email, role, password in STAFF:
        made[email], _ = _account(db, hashes, first, last, email, password, role=role)

    jane, new = _account(
        db,
        hashes,
        "Jane",
        "Doe",
        JANE_EMAIL,
        SHOPPER_PASSWORD,
        phone="(555) 010-1234",
        phone_work="(617) 555-0142",
        segments="vip",
    )
    if new:
        _address(db, jane, "12 Market Street", "Springfield", "62701", default=True)
        _address(db, jane, "48 Harbor Road", "Portland", "97201", default=False)
    made[JANE_EMAIL] = jane

    john, new = _account(
        db,
        hashes,
        "John",
        "Doe",
        "john@example.com",
        SHOPPER_PASSWORD,
        phone="(555) 010-5678",
        allow_assistance=False,
    )
    if new:
        john.assistance_chosen_at = john.created_at  # he switched it off
        _address(db, john, "7 Orchard Lane", "Springfield", "62702", default=True)
    made["john@example.com"] = john

    for i, first in enumerate(SMITH_FIRST_NAMES, start=1):
        email = f"smith{i:02d}@example.com"
        phone = f"(555) 2{i:02d}-{(1000 + i * 271) % 10000:04d}"
        # Every third Smith also has a home phone, every fifth a work phone (find by phone matches any).
        home = f"(207) 3{i:02d}-{(2000 + i * 113) % 10000:04d}" if i % 3 == 0 else ""
        work = f"(617) 4{i:02d}-{(3000 + i * 97) % 10000:04d}" if i % 5 == 0 else ""
        account, new = _account(
            db, hashes, first, "Smith", email, SHOPPER_PASSWORD, phone=phone, phone_home=home, phone_work=work
        )
        if new:
            city, postal = CITIES[(i - 1) % len(CITIES)]
            _address(db, account, f"{10 + i * 7} {STREETS[i % len(STREETS)]}", city, postal, default=True)
        made[email] = account

    dana, new = _account(
        db, hashes, "Dana", "Smith", "dana.disabled@example.com", SHOPPER_PASSWORD, phone="(555) 299-0000"
    )
    if new:
        _address(db, dana, "99 Closed Road", "Springfield", "62703", default=True)
        dana.status = "disabled"
        db.add(dana)
        db.flush()
    made[dana.email] = dana
    return made


def seed_promotions(db: Session, product_ids: dict[str, int], jane: Account) -> None:
    cat = {c.slug: c.id for c in db.exec(select(Category))}
    wanted = [
        {
            "name": "VIP: 20% off Outerwear",
            "target": "segment",
            "segment": "vip",
            "kind": "percent",
            "value": 20,
            "category_id": cat["outerwear"],
        },
        {
            "name": "Everyone: $5 off Canvas Tote",
            "target": "everyone",
            "kind": "amount",
            "value": 500,
            "product_id": product_ids["BAG-TOTE"],
        },
        {
            "name": "Jane's welcome back: 10% off Footwear",
            "target": "customer",
            "customer_id": jane.id,
            "kind": "percent",
            "value": 10,
            "category_id": cat["footwear"],
        },
    ]
    for values in wanted:
        if db.exec(select(Promotion.id).where(Promotion.name == values["name"])).first() is None:
            db.add(Promotion(**values))
    db.flush()


def seed_coupons(db: Session) -> None:
    wanted = [
        {"code": "WELCOME10", "kind": "percent", "value": 10, "min_subtotal_cents": 5000},
        {
            "code": "SUMMER5",
            "kind": "amount",
            "value": 500,
            "valid_from": datetime(2024, 6, 1, tzinfo=UTC),
            "valid_until": datetime(2024, 9, 1, tzinfo=UTC),
        },
    ]
    for values in wanted:
        if db.exec(select(Coupon.id).where(Coupon.code == values["code"])).first() is None:
            db.add(Coupon(**values))
    db.flush()


def seed_jane_order(db: Session, jane: Account) -> str | None:
    """Jane's one past order, placed through the real cart and checkout services."""
    if db.exec(select(Order.id).where(Order.account_id == jane.id)).first() is not None:
        return None
    caller = Caller(
        account_id=jane.id,
        first_name=jane.first_name,
        last_name=jane.last_name,
        role=jane.role,
        customer_id=jane.id,
        customer_first_name=jane.first_name,
        customer_last_name=jane.last_name,
        customer_segments=segments_of(jane),
    )
    for code, qty in JANE_ORDER:
        product = db.exec(select(Product).where(Product.code == code)).one()
        sku = db.exec(
            select(Variant.sku).where(Variant.product_id == product.id).order_by(Variant.id)
        ).first()
        carts.add(db, caller, None, sku, qty)
    cart = carts.account_cart(db, jane.id, create=False)
    address_id = db.exec(
        select(Address.id).where(Address.account_id == jane.id, Address.is_default_shipping)
    ).first()
    return orders.place_order(
        db,
        caller,
        expected_version=cart.version,
        address_id=address_id,
        shipping_method="standard",
        card_number="4242424242424242",
        card_expiry="12/30",
        card_cvc="123",
    )


def seed_demo(db: Session) -> None:
    product_ids = seed_catalog(db)
    seed_stores(db)
    accounts = seed_accounts(db, _Hashes())
    jane = accounts[JANE_EMAIL]
    seed_promotions(db, product_ids, jane)
    seed_coupons(db)
    seed_jane_order(db, jane)


# ----------------------------------------------------------------------------------- synthetic customers
SYNTH_COLUMNS = (
    "id",
    "customer_number",
    "role",
    "status",
    "first_name",
    "last_name",
    "email",
    "phone",
    "phone_home",
    "phone_work",
    "password_hash",
    "allow_assistance",
    "segments",
    "first_name_norm",
    "last_name_norm",
    "phone_norm",
    "phone_home_norm",
    "phone_work_norm",
    "postal_code_norm",
    "city",
    "created_at",
)


def add_customers(n: int, *, progress: bool = True) -> int:
    """Bulk-insert n synthetic shoppers with explicit ids after the current maximum.

    Rows go straight to the driver's executemany in chunks (SQLAlchemy's per-row parameter processing
    would double the time); the few typed constants are converted once with the column types' own
    bind processors, so SQLite and PostgreSQL store exactly what the ORM would.
    """
    if n <= 0:
        return 0
    password_hash = hash_password("synthetic-pass-123")
    with session_scope() as db:
        start = (db.exec(select(func.max(Account.id))).one() or 0) + 1
        dialect = db.get_bind().dialect
    table = Account.__table__

    def bound(column: str, value):
        processor = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        return processor(value) if processor else value

    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marker is None:  # pragma: no cover - the drivers we ship are covered above
        raise RuntimeError(f"unsupported driver paramstyle {dialect.paramstyle!r}")
    columns = ", ".join(SYNTH_COLUMNS)
    sql = f"INSERT INTO account ({columns}) VALUES ({', '.join([marker] * len(SYNTH_COLUMNS))})"
    yes, created = bound("allow_assistance", True), bound("created_at", datetime.now(UTC))
    with get_engine().connect() as conn:
        sqlite = dialect.name == "sqlite"
        if sqlite:
            # The find-customer indexes get random inserts; a bigger page cache keeps this linear-ish.
            cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_SQLITE_CACHE_KIB}")
        try:
            with _progress_bar(n, progress) as advance:
                _insert_chunks(conn, sql, n, start, password_hash, yes, created, advance)
        finally:
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql(f"PRAGMA cache_size={int(cache_size)}")
    with session_scope() as db:
        _sync_id_sequence(db)
    return n


@contextmanager
def _progress_bar(n: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """Yield `advance(k)`: a progress bar of n customers with its rate (rich), on a terminal only; elsewhere
    (a log, a pipe) nothing, and `run` prints the final line."""
    if not enabled or not sys.stdout.isatty():
        yield lambda k: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(
                f"{speed:,.0f} customers/s" if speed else "… customers/s", style="progress.data.speed"
            )

    columns = (
        TextColumn("customers"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task("customers", total=n)
        yield lambda k: bar.advance(task, k)


def _insert_chunks(
    conn, sql: str, n: int, start: int, password_hash: str, yes, created, advance: Callable[[int], None]
) -> int:
    rng = random.Random(start)
    pick, rand = rng.choice, rng.random
    # The home and work phones from a generator of their own: the rest stays what it was before phones.
    phones = random.Random(-start).random

    def tel_or_none(share: float) -> str:
        if phones() >= share:
            return ""
        return f"{201 + int(phones() * 789)}{200 + int(phones() * 800)}{int(phones() * 10000):04d}"

    def shown(digits: str) -> str:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if digits else ""

    done = 0
    while done < n:
        size = min(BULK_CHUNK, n - done)
        rows = []
        for account_id in range(start + done, start + done + size):
            first, last = pick(SYNTH_FIRST), pick(SYNTH_LAST)
            tel = f"{201 + int(rand() * 789)}{200 + int(rand() * 800)}{int(rand() * 10000):04d}"
            postal = f"{1000 + int(rand() * 99000):05d}"
            home, work = tel_or_none(0.4), tel_or_none(0.25)
            rows.append(
                (
                    account_id,
                    customer_number_for(account_id),
                    "shopper",
                    "active",
                    first,
                    last,
                    f"user{account_id:07d}@example.net",
                    f"({tel[:3]}) {tel[3:6]}-{tel[6:]}",
                    shown(home),
                    shown(work),
                    password_hash,
                    yes,
                    "",
                    first.lower(),
                    last.lower(),
                    tel,
                    home,
                    work,
                    postal,
                    pick(SYNTH_CITIES),
                    created,
                )
            )
        conn.exec_driver_sql(sql, rows)
        done += size
        if done % BULK_COMMIT == 0 or done == n:
            conn.commit()
        advance(size)
    return n


def _sync_id_sequence(db: Session) -> None:
    """Explicit ids bypass PostgreSQL's sequence; move it past them so later inserts do not collide."""
    if db.get_bind().dialect.name != "postgresql":
        return
    db.connection().execute(
        text(
            "SELECT setval(pg_get_serial_sequence('account', 'id'), (SELECT COALESCE(MAX(id), 1) FROM account))"
        )
    )


# ------------------------------------------------------------------------------------------------- main
def summary() -> dict[str, int]:
    with session_scope() as db:

        def n(model, *where) -> int:
            return _count(db, select(func.count()).select_from(model).where(*where))

        return {
            "accounts": n(Account),
            "staff": n(Account, Account.role != "shopper"),
            "shoppers (active)": n(Account, Account.role == "shopper", Account.status == "active"),
            "categories": n(Category),
            "products": n(Product),
            "variants": n(Variant),
            "stores": n(Store),
            "promotions": n(Promotion),
            "orders": n(Order),
        }


def has_accounts() -> bool:
    with session_scope() as db:
        return db.exec(select(Account.id).limit(1)).first() is not None


def reset_schema() -> None:
    engine = get_engine()
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:  # so the migrations run again from the start
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    init_schema(engine)


def run(
    *, reset: bool = False, if_empty: bool = False, customers: int = 0, quiet: bool = False
) -> dict[str, int]:
    say = (lambda *a, **k: None) if quiet else print
    if reset:
        say("dropping and recreating all tables")
        reset_schema()
    elif if_empty and has_accounts():
        say("database already seeded")
        return summary()
    started = time.perf_counter()
    with session_scope() as db:
        seed_demo(db)
    say(f"demo data ready ({time.perf_counter() - started:.1f}s)")
    if customers:
        started = time.perf_counter()
        say(f"adding {customers:,} synthetic customers")
        add_customers(customers, progress=not quiet)
        took = time.perf_counter() - started
        say(f"added {customers:,} customers in {took:.1f}s ({customers / max(took, 1e-9):,.0f} customers/s)")
    counts = summary()
    say(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.seed", description="Seed the store's demo data.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--reset", action="store_true", help="drop every table, recreate them and seed")
    mode.add_argument("--if-empty", action="store_true", help="do nothing when any account exists")
    parser.add_argument("--customers", type=int, default=0, metavar="N", help="also add N synthetic shoppers")
    args = parser.parse_args(argv)
    if args.customers < 0:
        parser.error("--customers must be 0 or more")
    run(reset=args.reset, if_empty=args.if_empty, customers=args.customers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
