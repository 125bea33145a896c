"""A second-factor code already used once is refused with a message that says so (django-otp
refuses a replayed code; the user must be told to wait for the next one, not that the code
is wrong)."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.core.models import Role

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_reused_code_is_refused_with_a_message_to_wait_for_the_next(make_user) -> None:
    admin = make_user(Role.INSTITUTION_ADMIN, "MINEX")
    device = TOTPDevice.objects.create(user=admin, name="teléfono", confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    first = _signed_in(admin)
    assert first.post("/accounts/verify/", {"token": code}).status_code == 302
    assert first.get("/").status_code == 200
    # Signed in again (another browser) within the same 30 seconds: the same code.
    second = _signed_in(admin)
    page = second.post("/accounts/verify/", {"token": code})
    text = page.content.decode()
    assert page.status_code == 400
    assert "ya se usó" in text and "siguiente código" in text
    assert 'role="alert"' in text and 'aria-invalid="true"' in text
    assert second.get("/").status_code == 302  # still not through the second factor


def test_a_wrong_code_still_says_it_is_not_valid(make_user) -> None:
    admin = make_user(Role.INSTITUTION_ADMIN, "MINEX")
    device = TOTPDevice.objects.create(user=admin, name="teléfono", confirmed=True)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    page = _signed_in(admin).post("/accounts/verify/", {"token": wrong})
    assert page.status_code == 400 and "ya se usó" not in page.content.decode()
