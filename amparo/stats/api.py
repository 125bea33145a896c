"""REST endpoints of the stats app."""

from ninja import Router

router = Router(tags=["stats"])
