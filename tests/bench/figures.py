"""Small statistics shared by the in-process and the load measurements."""

import math


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with `share` of them at or below."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]
