"""Which promotions apply to the effective customer, and the price they give (docs/PRODUCT.md §Shopping)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, and_, bindparam, func, or_
from sqlmodel import Session, select

from models import Product, Promotion


@dataclass(frozen=True)
class Price:
    list_cents: int
    cents: int  # what the customer pays per unit
    label: str = ""  # the promotion's name when one applies

    @property
    def discounted(self) -> bool:
        return self.cents < self.list_cents


# Built once (every priced cart view runs it). No customer is a comparison with NULL, which matches nothing. A
# caller without segments (every anonymous shopper) gets the statement without the segments' IN: its expanding
# parameter is rendered again on every execution. Account segments are normalized to lower case
# (caller.segments_of); promotions are compared the same way.
# Plain rows with the promotion's column names (read only, so no ORM objects to build).
_PROMOTIONS = Promotion.__table__.c
_EVERYONES = _PROMOTIONS.target == "everyone"
_THEIR_OWN = and_(_PROMOTIONS.target == "customer", _PROMOTIONS.customer_id == bindparam("customer_id"))
_IN_SEGMENTS = and_(
    _PROMOTIONS.target == "segment",
    func.lower(func.trim(_PROMOTIONS.segment)).in_(bindparam("segments", expanding=True)),
)
_APPLICABLE = {
    with_segments: select(Promotion.__table__)
    .where(_PROMOTIONS.active, or_(_EVERYONES, *((_IN_SEGMENTS,) if with_segments else ()), _THEIR_OWN))
    .order_by(_PROMOTIONS.id)
    for with_segments in (True, False)
}


def applicable(db: Session, customer_id: int | None, segments: frozenset[str]) -> list[Promotion]:
    """Active promotions for this customer: everyone's, their segments' and their own (as rows with a
    Promotion's fields)."""
    params: dict[str, object] = {"customer_id": customer_id}
    if segments:
        params["segments"] = sorted(segments)
    return list(db.execute(_APPLICABLE[bool(segments)], params))


def discount_of(promo: Promotion, list_cents: int) -> int:
    if promo.kind == "percent":
        off = (list_cents * max(0, min(promo.value, 100)) + 50) // 100
    else:
        off = promo.value
    return max(0, min(off, list_cents))


def price_of(product: Product | Row, promos: list[Promotion]) -> Price:
    """The best single promotion wins; promotions do not stack. `product`: a Product, or a row with its id,
    category_id and price_cents."""
    return price_for(product.id, product.category_id, product.price_cents, promos)


def price_for(product_id: int, category_id: int | None, list_cents: int, promos: list[Promotion]) -> Price:
    """`price_of` for a product known by these three fields."""
    best: tuple[int, str] = (0, "")
    for promo in promos:
        if promo.product_id is not None and promo.product_id != product_id:
            continue
        if promo.category_id is not None and promo.category_id != category_id:
            continue
        off = discount_of(promo, list_cents)
        if off > best[0]:
            best = (off, promo.name)
    return Price(list_cents, list_cents - best[0], best[1])
