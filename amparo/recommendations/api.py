"""REST endpoints of the recommendations app."""

from ninja import Router

router = Router(tags=["recommendations"])
