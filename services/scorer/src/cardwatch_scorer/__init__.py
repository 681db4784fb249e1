"""scorer Lambda (container image): Kinesis batches to online features, scores, verdicts."""
