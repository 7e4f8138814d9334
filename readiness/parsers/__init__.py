"""Parsers for the artefacts a review reads. Each returns values with 1-based line numbers."""
