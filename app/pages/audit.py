import reflex as rx

from app.state.customer_service import AuditState
from components import style
from components.sections import data_table
from components.shell import page
from components.ui import empty_state, error_text, loading, tid


def filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="csr_email",
                placeholder="CSR email",
                aria_label="CSR email",
                max_length=254,
                default_value=AuditState.csr_email,
            ),
            rx.input(
                name="customer_number",
                placeholder="Customer number",
                aria_label="Customer number",
                max_length=20,
                default_value=AuditState.customer_number,
            ),
            rx.input(name="since", type="date", aria_label="From date", default_value=AuditState.since),
            rx.input(name="until", type="date", aria_label="To date", default_value=AuditState.until),
            rx.button("Filter", type="submit", custom_attrs=tid("audit-filter")),
            rx.button(
                rx.icon("download", size=14),
                "Export CSV",
                type="button",
                variant="soft",
                on_click=AuditState.export_csv,
                custom_attrs=tid("audit-export"),
            ),
            wrap="wrap",
            spacing="2",
        ),
        on_submit=AuditState.apply,
        reset_on_submit=False,
        no_validate=True,
    )


def audit_row(r: rx.Var) -> rx.Component:  # an AuditState.rows row (AuditRow)
    return rx.table.row(
        rx.table.cell(r.at),
        rx.table.cell(r.csr),
        rx.table.cell(r.customer, " ", rx.text.span(r.customer_number, size="1", color=style.MUTED)),
        rx.table.cell(rx.code(r.action)),
        rx.table.cell(r.cart, " ", r.order),
        rx.table.cell(r.details),
        custom_attrs={"data-testid": "audit-row", "data-action": r.action},
    )


@page("/customer-service/audit", "Audit log — Harbor & Pine", on_load=AuditState.load)
def audit_page() -> rx.Component:
    return loading(
        ~AuditState.loaded,
        rx.cond(
            AuditState.allowed,
            rx.vstack(
                rx.heading("Audit log", size="6"),
                filters(),
                error_text(AuditState.error),
                data_table(
                    ["Time (UTC)", "CSR", "Customer", "Action", "Cart / order", "Details"],
                    AuditState.rows,
                    audit_row,
                    empty_state(
                        "scroll-text", "No audit entries", "Nothing matches these filters.", "audit-empty"
                    ),
                    size="1",
                ),
                spacing="4",
                width="100%",
            ),
            empty_state("shield-x", "Supervisors only", "The audit log is for supervisors.", "access-denied"),
        ),
    )
