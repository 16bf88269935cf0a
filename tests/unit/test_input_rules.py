"""Browser input rules (docs/SECURITY.md §Input a page never sends): ASCII digits only, and same-site
return-to paths.

The attacks themselves are in tests/security/test_forged_input.py; these pin down what a person's input still
does, and what was refused before the fix and must stay refused.
"""

from __future__ import annotations

import pytest

from app.services.validation import ascii_int, parse_quantity, safe_return_to


@pytest.mark.parametrize(
    "text, number", [("0", 0), ("7", 7), (" 42 ", 42), ("007", 7), ("", None), ("-1", None), ("+1", None)]
)
def test_ascii_int_reads_what_a_person_types(text, number):
    assert ascii_int(text) == number


@pytest.mark.parametrize("value", ["1_000", "1.0", "1e3", "²", "١٢", "１２", None, 12, True, "9" * 19])
def test_ascii_int_refuses_everything_else(value):
    assert ascii_int(value) is None


@pytest.mark.parametrize(
    "value, quantity", [("1", 1), (" 99 ", 99), (5, 5), ("100", None), (0, None), (True, None)]
)
def test_quantities(value, quantity):
    assert parse_quantity(value) == quantity


@pytest.mark.parametrize(
    "target",
    ["/", "/account", "/checkout", "/customer-service/audit", "/?q=red%20shoes&page=2", "/product/TEE-1"],
)
def test_same_site_paths_are_kept(target):
    assert safe_return_to(target) == target


@pytest.mark.parametrize(
    "target",
    ["//evil.invalid", "https://evil.invalid", "evil.invalid", "javascript:alert(1)", "", None, ["/"]],
)
def test_what_was_refused_before_stays_refused(target):
    assert safe_return_to(target) == "/"
