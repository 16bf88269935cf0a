"""Reflex states: thin. Find the caller, check, call a service, turn the result into vars and a toast."""
