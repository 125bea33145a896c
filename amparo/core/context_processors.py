from __future__ import annotations

from django.http import HttpRequest

from .permissions import ROLE_PERMISSIONS


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    perms = (
        ROLE_PERMISSIONS.get(user.role, frozenset())
        if user and user.is_authenticated
        else frozenset()
    )
    return {"user_perms": {str(p).replace(".", "_") for p in perms}}
