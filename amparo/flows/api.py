"""REST endpoints of the flows app."""

from ninja import Router

router = Router(tags=["flows"])
