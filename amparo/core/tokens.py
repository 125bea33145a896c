"""API bearer tokens: created once, stored as a hash, checked on every request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .audit import audit_record
from .models import ApiToken, User

PREFIX = "amp_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, actor: User, user: User, name: str, days: int = 90) -> str:
    """Return the secret once; only its hash is kept."""
    key = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=key[:12],
            key_hash=_digest(key),
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_record(actor=actor, action="token.create", obj=token, detail={"user": user.username})
    return key


def token_user(key: str) -> User | None:
    if not key.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(key), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at and token.expires_at < now) or not token.user.is_active:
        return None
    # Touch last use at most once a minute: a busy client should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user
