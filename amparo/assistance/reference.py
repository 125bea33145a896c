"""The support line's code list of contact reasons, from data/contact_reasons.csv."""

from __future__ import annotations

import csv
from pathlib import Path

from .models import ContactReason

DATA = Path(__file__).resolve().parent / "data"


def load_contact_reasons() -> int:
    with (DATA / "contact_reasons.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ContactReason.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_es": row["name_es"],
                    "name_en": row["name_en"],
                    "protocol": row["protocol"],
                    "request_type": row["request_type"],
                },
            )
    return ContactReason.objects.count()
