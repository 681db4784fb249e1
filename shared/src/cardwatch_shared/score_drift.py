"""Score drift: the population stability index (PSI) of the scores of a day against the model's
validation scores, over the model's reference bins (its validation deciles).

The scorer adds each batch's newly written scores to a per-model, per-day histogram item in the
state table and reads the day's counts back in the same update, so the PSI costs one UpdateItem
per batch. A replayed batch does not count again (only new verdicts are counted); a crash between
the verdict and the histogram loses those few scores, which a distribution does not miss.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

REFERENCE_BINS = 10
PSI_FLOOR = 1e-4  # a share of 0 would make the index infinite
PSI_ALARM = 0.25  # the usual reading: < 0.1 stable, 0.1-0.25 shifting, > 0.25 drifted
PSI_WATCH = 0.1


def reference_bins(
    scores: Sequence[float], bins: int = REFERENCE_BINS
) -> tuple[list[float], list[float]]:
    """Interior edges at the score quantiles, and the share of `scores` in each bin."""
    ordered = sorted(scores)
    if not ordered:
        return [], []
    edges = sorted(
        {ordered[min(len(ordered) - 1, len(ordered) * i // bins)] for i in range(1, bins)}
    )
    counts = bin_counts(ordered, edges)
    return edges, [c / len(ordered) for c in counts]


def bin_of(score: float, edges: Sequence[float]) -> int:
    """The bin of one score: bin i holds edges[i-1] <= score < edges[i]."""
    return bisect.bisect_right(edges, score)


def bin_counts(scores: Sequence[float], edges: Sequence[float]) -> list[int]:
    """How many of `scores` fall in each of the len(edges) + 1 bins."""
    counts = [0] * (len(edges) + 1)
    find = bisect.bisect_right  # `bin_of`, without a call of its own per score
    for score in scores:
        counts[find(edges, score)] += 1
    return counts


def psi(reference: Sequence[float], counts: Sequence[int]) -> float:
    """Population stability index of `counts` against the reference shares (NaN when empty)."""
    total = sum(counts)
    if total == 0 or len(reference) != len(counts):
        return math.nan
    index = 0.0
    for expected, count in zip(reference, counts, strict=True):
        e, a = max(expected, PSI_FLOOR), max(count / total, PSI_FLOOR)
        index += (a - e) * math.log(a / e)
    return index


def reading(value: float) -> str:
    """The usual reading of a PSI."""
    if math.isnan(value):
        return "no scores yet"
    if value > PSI_ALARM:
        return "drifted"
    return "shifting" if value > PSI_WATCH else "stable"


def histogram_key(model_version: str, day: int) -> str:
    """Partition key of a model's score histogram of one UTC day (in the state table)."""
    return f"scores#{model_version}#{day}"
