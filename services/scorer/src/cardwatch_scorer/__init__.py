"""scorer Lambda (container image): Kinesis batches to online features, scores, verdicts."""

from cardwatch_scorer import init_pause

init_pause.begin()  # first, before any module of the package imports the heavy libraries
