"""Checks of the reliability category."""
