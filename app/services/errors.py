"""Domain errors carry a message fit to show the user."""


class DomainError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Forbidden(DomainError):
    """The caller may not do this."""


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """The object changed since the caller saw it (stale version, lock taken...)."""


class LockConflict(Conflict):
    """A cart-lock request lost to another representative (held, taken over or released meanwhile)."""


class FieldErrors(DomainError):
    """Several form fields are wrong at once; nothing was written."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Please correct the highlighted fields.")
        self.errors = errors


UNAVAILABLE_MESSAGE = (
    "The store is temporarily unavailable. Please try again in a moment; nothing was changed."
)


class Unavailable(DomainError):
    """The database could not be reached; the unit of work was rolled back."""

    def __init__(self, message: str = UNAVAILABLE_MESSAGE):
        super().__init__(message)
