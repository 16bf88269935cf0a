"""A page's sections: a card with a heading, a table with its empty state, a summary of money.

My Account, Customer Service, Customer 360, the cart, checkout and the order page build their blocks from
these, so a section looks the same wherever it stands (components/style.py holds the look)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from components.ui import muted, tid


def section_card(
    title: str | rx.Var,
    *children: rx.Component,
    action: rx.Component | None = None,
    testid: str | None = None,
    **props,
) -> rx.Component:
    """A card with a heading (and an `action` at its right): the sections of My Account, Customer Service,
    Customer 360 and checkout. `props` go to the card's column (e.g. `spacing`)."""
    heading = rx.heading(title, size="4")
    return rx.card(
        rx.vstack(
            rx.hstack(heading, rx.spacer(), action, align="center", width="100%") if action else heading,
            *children,
            width="100%",
            **props,
        ),
        width="100%",
        custom_attrs=tid(testid) if testid else {},
    )


Cell = rx.Component | rx.Var | str | tuple


def table_row(*cells: Cell, attrs: dict | None = None) -> rx.Component:
    """A table row with each of `cells` in a cell of its own (a tuple: several children of one cell)."""
    return rx.table.row(
        *[rx.table.cell(*(c if isinstance(c, tuple) else (c,))) for c in cells], custom_attrs=attrs or {}
    )


def table(
    headers: list[str], rows: rx.Var, render_row: Callable[[rx.Var], rx.Component], **props
) -> rx.Component:
    """A table of `rows` (a list var) under a header row, one `render_row` each."""
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(rows, render_row)),
        width="100%",
        **props,
    )


def data_table(
    headers: list[str],
    rows: rx.Var,
    render_row: Callable[[rx.Var], rx.Component],
    empty: rx.Component | str,
    **props,
) -> rx.Component:
    """`table`, or `empty` when there are no rows (a string: a muted line, as in a section card)."""
    return rx.cond(
        rows.length() > 0,
        table(headers, rows, render_row, **props),
        muted(empty) if isinstance(empty, str) else empty,
    )


def table_card(
    title: str,
    headers: list[str],
    rows: rx.Var,
    render_row: Callable[[rx.Var], rx.Component],
    empty: rx.Component | str,
    *above: rx.Component,
    **table_props,
) -> rx.Component:
    """A section card whose body is a `data_table` (with `above` it, if anything)."""
    return section_card(title, *above, data_table(headers, rows, render_row, empty, **table_props))


def amount_row(
    label: Cell,
    amount: Cell,
    *,
    testid: str | None = None,
    strong: bool = False,
    size: str | None = None,
    **amount_props,
) -> rx.Component:
    """A line of a summary of money: the label at the left, the amount at the right (a tuple: its parts).
    `strong` (bold) and `size` are for both; `amount_props` (e.g. `color`) for the amount."""
    both = {**({"weight": "bold"} if strong else {}), **({"size": size} if size else {})}
    return rx.hstack(
        rx.text(*(label if isinstance(label, tuple) else (label,)), **both),
        rx.spacer(),
        rx.text(
            *(amount if isinstance(amount, tuple) else (amount,)),
            **both,
            **amount_props,
            custom_attrs=tid(testid) if testid else {},
        ),
        width="100%",
    )


def reduction_row(label: str, reason: rx.Var, amount: rx.Var, testid: str) -> rx.Component:
    """Customer service's reduction of the shipping or the order total, with its reason; nothing without."""
    return rx.cond(amount != "", amount_row((label, " (", reason, ")"), ("−", amount), testid=testid))
