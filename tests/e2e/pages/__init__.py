"""Moved to the importable package `storefront_qa.pages`; this re-export keeps old imports working."""

from storefront_qa.pages import *
from storefront_qa.pages import __all__  # noqa: F401
