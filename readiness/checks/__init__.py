"""The catalogue: one sub-package per category, one module per seed question (topic).

Modules are discovered by :mod:`readiness.registry`; a new check is one decorated function.
"""
