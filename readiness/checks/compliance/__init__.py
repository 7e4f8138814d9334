"""Checks of the compliance category."""
