"""Checks of the security category."""
