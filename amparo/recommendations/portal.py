"""The public portal's pieces shared by its pages and its API: what a published
recommendation shows, and the key that rate-limits submissions without storing addresses."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from amparo.core.middleware import client_ip

from .models import ProgressUpdate, Recommendation, Submission


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client address: enough to count, useless to identify."""
    ip = client_ip(request) or ""
    return hashlib.sha256(f"{settings.SECRET_KEY}|recs|{ip}".encode()).hexdigest()


def public_detail(rec: Recommendation) -> dict[str, Any]:
    """Status, the validated evidence behind each step, and published civil-society input.
    Names of officials are not shown: the institution speaks."""
    evidence = [
        {
            "institution": u.institution.name,
            "status": u.proposed_status,
            "status_label": u.get_proposed_status_display(),
            "text": u.text,
            "evidence": u.evidence,
            "evidence_url": u.evidence_url,
            "on": timezone.localdate(u.created_at).isoformat(),  # the day in Guatemala
        }
        for u in rec.updates.filter(stage=ProgressUpdate.Stage.VALIDATED).select_related(
            "institution"
        )
    ]
    submissions = [
        {
            "organisation": s.organisation,
            "text": s.text,
            "link": s.link,
            "on": timezone.localdate(s.created_at).isoformat(),
        }
        for s in rec.submissions.filter(state=Submission.State.PUBLISHED)
    ]
    return {
        "id": rec.id,
        "reference": rec.reference,
        "mechanism": rec.mechanism_id,
        "symbol": rec.symbol,
        "text": rec.text,
        "status": rec.status,
        "status_label": rec.get_status_display(),
        "evidence": evidence,
        "submissions": submissions,
    }
