"""Renderers: each takes an Assessment (and nothing else) and returns text."""
