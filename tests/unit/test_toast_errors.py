"""What the app's exception handler shows for what escapes a handler (app/state/toast.py)."""

from reflex_base.utils.exceptions import LockExpiredError

from app.services.errors import Conflict
from app.state.toast import BUSY, backend_exception_handler


def _message(spec) -> str:
    return next(value for name, value in spec.args if name._js_expr == "message")._var_value


def test_a_domain_error_shows_its_own_message():
    assert _message(backend_exception_handler(Conflict("Someone else holds the lock."))) == (
        "Someone else holds the lock."
    )


def test_an_expired_state_lock_says_the_store_is_busy():
    assert _message(backend_exception_handler(LockExpiredError("Lock expired for token t"))) == BUSY


def test_anything_else_is_a_generic_apology():
    assert "Something went wrong" in _message(backend_exception_handler(RuntimeError("boom")))
