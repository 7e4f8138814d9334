"""Checks of the disaster recovery category."""
