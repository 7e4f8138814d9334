"""Checks of the observability category."""
