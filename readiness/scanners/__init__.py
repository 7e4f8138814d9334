"""External tools behind one interface (see :mod:`readiness.scanners.base`)."""
