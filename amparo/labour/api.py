"""REST endpoints of the labour app."""

from ninja import Router

router = Router(tags=["labour"])
