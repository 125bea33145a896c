"""Writes to the network's accounts: users, second factors, API tokens. Each is audited."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_record
from .errors import InvalidInput
from .models import ApiToken, Institution, Role, Team, User


def user_create(
    *,
    actor: User | None,
    username: str,
    institution_code: str,
    role: str,
    team_code: str = "general",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[User, str, TOTPDevice | None]:
    """Create an account; returns it, its initial password and, for roles that need one, an
    unconfirmed-by-use TOTP device whose key must reach the person's authenticator."""
    errors: dict[str, list[str]] = {}
    if not username.strip():
        errors["username"] = [_("Enter a user name.")]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [_("This user name is taken.")]
    if role not in Role.values:
        errors["role"] = [_("Unknown value “%(value)s”.") % {"value": role}]
    institution = Institution.objects.filter(code=institution_code).first()
    if institution is None:
        errors["institution"] = [_("Unknown institution “%(code)s”.") % {"code": institution_code}]
    team = Team.objects.filter(institution=institution, code=team_code).first()
    if institution is not None and team is None:
        errors["team"] = [_("Unknown team “%(code)s”.") % {"code": team_code}]
    password = password or secrets.token_urlsafe(12)
    try:
        validate_password(password)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username.strip(),
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
            institution=institution,
            team=team,
            role=role,
        )
        device = None
        if user.needs_second_factor:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        audit_record(actor=actor, action="user.create", obj=user, detail={"role": role})
    return user, password, device


def token_revoke(*, actor: User | None, prefix: str) -> int:
    """Revoke every live token starting with `prefix` (the part shown when it was created)."""
    if len(prefix) < 8:
        raise InvalidInput.field("prefix", _("Give at least the first 8 characters."))
    with transaction.atomic():
        tokens = list(
            ApiToken.objects.filter(prefix__startswith=prefix[:12], revoked_at__isnull=True)
        )
        ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
        for token in tokens:
            audit_record(actor=actor, action="token.revoke", obj=token)
    return len(tokens)
