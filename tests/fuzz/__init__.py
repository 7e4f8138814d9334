"""Property-based tests over every parser of untrusted input (hypothesis).

Each property runs a parser on generated input and accepts only two ends: a result, or the error
type the parser's module documents; and each example must finish within a second. The budget is
small and fixed (the ``readiness-fuzz`` profile: derandomized, no example database), so the suite
is stable in CI; benchmarks/fuzz.py runs the same strategies over 100,000 inputs.
``READINESS_FUZZ_EXAMPLES`` scales every property's example count (e.g. 1000 for a longer run).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "readiness-fuzz",
    max_examples=100,
    deadline=1000,  # milliseconds: "never takes more than a second"
    derandomize=True,
    database=None,
    print_blob=True,
    # Generating a whole fixture tree per example is slow on purpose; it is not a bug of ours.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzz_settings(max_examples: int = 100) -> settings:
    """The profile with this property's share of examples."""
    scale = float(os.environ.get("READINESS_FUZZ_EXAMPLES", "100")) / 100
    return settings(settings.get_profile("readiness-fuzz"), max_examples=max(1, int(max_examples * scale)))
