"""The cardwatch terminal app (Textual)."""
