"""One module per screen (tab) of the app."""
