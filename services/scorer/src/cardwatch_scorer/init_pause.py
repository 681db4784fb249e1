"""The cyclic collector held off while a Lambda execution environment initialises the scorer.

Importing scikit-learn, SciPy, pandas and boto3 and loading the model make hundreds of thousands
of objects that live as long as the environment, and the collector traverses them again at each
of its full collections while they are made: 0.25 s of a 1.1 s cold start here. In Lambda
(`AWS_LAMBDA_FUNCTION_NAME` set) the package pauses it as it is imported, before the handler's
imports; the first batch handled ends the pause and freezes what init made (`gc.freeze`: later
collections skip those objects). Anywhere else (tests, tools) nothing changes.
"""

from __future__ import annotations

import gc
import os

LAMBDA_ENVIRONMENT = "AWS_LAMBDA_FUNCTION_NAME"
_paused: list[bool] = []  # one entry while init's pause lasts


def begin() -> None:
    """Pause the collector for init, in a Lambda execution environment only."""
    if os.environ.get(LAMBDA_ENVIRONMENT) and gc.isenabled() and not _paused:
        gc.disable()
        _paused.append(True)


def end() -> None:
    """End init's pause (if one was begun): freeze what init made, resume the collector."""
    if _paused:
        _paused.clear()
        gc.freeze()
        gc.enable()
