"""The versioned REST API: one NinjaAPI mounting each app's router under /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import SessionAuth

from amparo.core.api import router as core_router
from amparo.core.apierrors import install_error_handlers
from amparo.core.tokens import TokenAuth
from amparo.people.api import router as people_router

api = NinjaAPI(
    title="Amparo API",
    version="1",
    urls_namespace="api-1",
    description="Migrant-protection network. Authenticate with `Authorization: Bearer <token>`.",
    auth=[TokenAuth(), SessionAuth()],
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", people_router)
