"""REST endpoints of the assistance app."""

from ninja import Router

router = Router(tags=["assistance"])
