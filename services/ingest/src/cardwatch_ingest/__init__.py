"""ingest Lambda: S3 upload to validated, tokenised transactions on Kinesis."""
