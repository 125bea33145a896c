"""REST endpoints of the tracing app."""

from ninja import Router

router = Router(tags=["tracing"])
