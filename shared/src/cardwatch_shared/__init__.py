"""cardwatch_shared: the contracts and the small, dependency-light code every service shares."""

__version__ = "0.1.0"
