from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from amparo.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def test_user_create_command_prints_password_and_second_factor() -> None:
    out = StringIO()
    call_command(
        "user_create", "ana.admin", institution="MINEX", role="institution_admin", stdout=out
    )
    text = out.getvalue()
    assert "Initial password" in text and "otpauth://" in text
    user = User.objects.get(username="ana.admin")
    assert user.institution.code == "MINEX" and user.totpdevice_set.exists()
    assert AuditEntry.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_user_create_refuses_unknown_institution_and_taken_names() -> None:
    with pytest.raises(CommandError, match="institution"):
        call_command("user_create", "x.y", institution="NOPE", role="operator")
    call_command("user_create", "x.y", institution="SBS", role="operator", stdout=StringIO())
    with pytest.raises(CommandError, match="username"):
        call_command("user_create", "x.y", institution="SBS", role="operator")


def test_token_create_and_revoke(caseworker) -> None:
    out = StringIO()
    call_command("token_create", caseworker.username, stdout=out)
    key = out.getvalue().strip()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me").status_code == 200
    call_command("token_revoke", key[:12], stdout=StringIO())
    assert client.get("/api/v1/me").status_code == 401
    with pytest.raises(CommandError):
        call_command("token_revoke", "amp_", stdout=StringIO())
