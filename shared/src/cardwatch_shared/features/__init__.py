"""The feature specification and its online (incremental) implementation."""
