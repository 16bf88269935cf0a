"""Physical stores and their shelves: where an order line can be picked up, and how many they hold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.services.carts import PricedLine
from models import Store, StoreStock

SHIP = "ship"  # the fulfilment choice that is not a store code


@dataclass(frozen=True)
class FulfilmentChoice:
    value: str  # SHIP or a store's code
    label: str
    disabled: bool  # a store without enough on its shelves for the line


@dataclass(frozen=True)
class FulfilmentLine:
    """One cart line at checkout, with how it can reach the customer; `choice` and `error` are the
    checkout page's (what was chosen, and why the order refused it)."""

    line_id: int
    code: str
    name: str
    options: str
    quantity: int
    choices: list[FulfilmentChoice] = field(default_factory=list)
    choice: str = SHIP
    error: str = ""


def active_stores(db: Session) -> list[Store]:
    return list(db.exec(select(Store).where(Store.active).order_by(Store.name, Store.id)).all())


def stock_by_store(db: Session, variant_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """{variant_id: {store_id: quantity}} for the given variants, in one query; missing rows mean 0."""
    ids = sorted({v for v in variant_ids if type(v) is int})
    out: dict[int, dict[int, int]] = {v: {} for v in ids}
    if not ids:
        return out
    rows = db.exec(
        select(StoreStock.variant_id, StoreStock.store_id, StoreStock.quantity).where(
            StoreStock.variant_id.in_(ids)
        )
    ).all()
    for variant_id, store_id, quantity in rows:
        out[variant_id][store_id] = quantity
    return out


def place_label(store: Store) -> str:
    return f"Pick up at {store.name}, {store.city}"


def fulfilment_choices(db: Session, lines: list[PricedLine]) -> list[FulfilmentLine]:
    """For each priced cart line: the choices a checkout offers, ship to home or a store with its stock.

    A store without enough on its shelves for the line is offered disabled; the order itself is decided
    by the conditional UPDATE in `orders.place_order`, whatever the browser sends.
    """
    stores = active_stores(db)
    stock = stock_by_store(db, [line.variant_id for line in lines])
    out = []
    for line in lines:
        choices = [FulfilmentChoice(value=SHIP, label="Ship to home", disabled=False)]
        for store in stores:
            n = stock.get(line.variant_id, {}).get(store.id, 0)
            if n <= 0:
                label = f"Pick up at {store.name} (out of stock)"
            elif n < line.quantity:
                label = f"Pick up at {store.name} (only {n} in stock)"
            else:
                label = f"Pick up at {store.name} ({n} in stock)"
            choices.append(FulfilmentChoice(value=store.code, label=label, disabled=n < line.quantity))
        out.append(
            FulfilmentLine(
                line_id=line.line_id,
                code=line.code,
                name=line.name,
                options=line.options,
                quantity=line.quantity,
                choices=choices,
            )
        )
    return out
