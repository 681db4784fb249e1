"""Async Kinesis and DynamoDB Streams consumer with leases, checkpoints and a Lambda ESM driver."""
