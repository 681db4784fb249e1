"""The cyclic garbage collector held off while a batch is scored.

Scoring allocates tens of thousands of small containers a batch (each card's copied buckets,
feature dicts, items) and reference counting frees nearly all of them; the collector's passes
over them cost a sixth of the path when every record is a different card. Nothing the batch
makes needs the collector to be freed, so it is paused for the scoring and resumed after, as
it was (a caller that had paused it keeps it paused).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
