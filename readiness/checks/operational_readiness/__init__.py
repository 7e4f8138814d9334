"""Checks of the operational readiness category."""
