"""What the public check shares between its page and its API: the flood limit per client
address and the honeypot of the fraud report form.

The limit counts in the Django cache (a fixed window per address). With a per-process cache
each server process counts apart, so the real limit is at most the number of processes times
the one set here; a shared cache (Redis, database) makes it exact.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from amparo.core.middleware import client_ip

# A person reporting a fraud sends one or two reports; a script sends hundreds.
REPORTS_PER_WINDOW = getattr(settings, "AMPARO_LABOUR_REPORTS_PER_HOUR", 5)
WINDOW_SECONDS = 3600
# The hidden field people never fill in (hidden from sight and from screen readers).
HONEYPOT = "website"


def report_flood(request: HttpRequest) -> bool:
    """Count one fraud report from this client address; True once past the limit."""
    address = client_ip(request) or "unknown"
    window = int(time.time() // WINDOW_SECONDS)
    key = f"labour:reports:{address}:{window}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > REPORTS_PER_WINDOW


def is_bot(value: str | None) -> bool:
    return bool((value or "").strip())


# What the public check tells a migrant about a recruiter who may not recruit today. Each card
# of a recruiter not authorised today carries this warning above its dates: a migrant who sees
# dates may think the recruiter is registered and pay (issue 14).
NOT_AUTHORISED_HEADINGS = {
    "suspended": gettext_lazy("Suspended: this recruiter may not recruit you now"),
    "revoked": gettext_lazy("Revoked: this recruiter may not recruit anyone"),
    "expired": gettext_lazy("Expired: this recruiter may not recruit you now"),
    "not_yet_valid": gettext_lazy("Not yet authorised: this recruiter may not recruit you yet"),
}


def not_authorised_warning(status: str) -> str:
    """The heading of the do-not-pay warning for a recruiter in this public state; "" when
    the recruiter is authorised today."""
    return str(NOT_AUTHORISED_HEADINGS.get(status, ""))
