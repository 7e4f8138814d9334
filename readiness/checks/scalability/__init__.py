"""Checks of the scalability category."""
