"""Models of the tracing app."""
