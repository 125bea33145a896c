"""The versioned REST API: one NinjaAPI mounting each app's router under /api/v1/."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import SessionAuth

from amparo.assistance.api import router as assistance_router
from amparo.cases.api import router as cases_router
from amparo.core.api import router as core_router
from amparo.core.apierrors import install_error_handlers
from amparo.core.tokens import TokenAuth
from amparo.flows.api import router as flows_router
from amparo.imports.api import router as imports_router
from amparo.labour.api import router as labour_router
from amparo.matching.api import router as matching_router
from amparo.people.api import router as people_router
from amparo.recommendations.api import router as recommendations_router
from amparo.stats.api import router as stats_router
from amparo.tracing.api import router as tracing_router


class VerifiedSessionAuth(SessionAuth):
    """The browser session, but only once administrators and auditors passed the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> object | None:
        user = super().authenticate(request, key)
        if user is not None and user.needs_second_factor and not user.is_verified():
            return None
        return user


api = NinjaAPI(
    title="Amparo API",
    version="1",
    urls_namespace="api-1",
    description="Migrant-protection network. Authenticate with `Authorization: Bearer <token>`.",
    auth=[TokenAuth(), VerifiedSessionAuth()],
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", people_router)
api.add_router("/", cases_router)
api.add_router("/", assistance_router)
api.add_router("/", imports_router)
api.add_router("/", matching_router)
api.add_router("/", tracing_router)
api.add_router("/", labour_router)
api.add_router("/", flows_router)
api.add_router("/", stats_router)
api.add_router("/", recommendations_router)
