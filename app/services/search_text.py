"""LIKE patterns that treat what the user typed literally (`%` and `_` match themselves)."""


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_prefix(text: str) -> str:
    return escape_like(text) + "%"


def like_contains(text: str) -> str:
    return "%" + escape_like(text) + "%"
