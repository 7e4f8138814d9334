"""Checks of the load validation category."""
