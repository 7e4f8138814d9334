"""readiness: a production-readiness gate for services."""

__version__ = "0.1.0"
