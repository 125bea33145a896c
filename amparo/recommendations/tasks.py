"""Reminders before due dates, sent daily from cron: `manage.py recommendations remind` in its
own process, or with `--enqueue` by the background worker (`manage.py db_worker`)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.core.audit import audit_record
from amparo.core.jobs import job

from .models import FocalPoint, FollowUpAction, Indicator, Reminder

logger = logging.getLogger(__name__)

REMIND_DAYS = 14


def _recipients(institution_id: object) -> list[str]:
    return [
        fp.user.email
        for fp in FocalPoint.objects.filter(institution_id=institution_id).select_related("user")
        if fp.user.email and fp.user.is_active
    ]


def send_reminders(today: date | None = None) -> int:
    """One reminder per indicator or action due within REMIND_DAYS, sent once per due date
    to the institution's principal and alternate focal points."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=REMIND_DAYS)
    items: list[tuple[str, object, object, date, str]] = []
    for ind in Indicator.objects.filter(due_on__gte=today, due_on__lte=horizon):
        items.append(
            (f"indicator:{ind.pk}", ind.institution_id, ind.recommendation_id, ind.due_on, ind.name)
        )
    for act in FollowUpAction.objects.filter(
        due_on__gte=today, due_on__lte=horizon, done_on__isnull=True
    ):
        items.append(
            (
                f"action:{act.pk}",
                act.institution_id,
                act.recommendation_id,
                act.due_on,
                act.description[:200],
            )
        )  # type: ignore[arg-type]
    sent = 0
    for item, institution_id, rec_id, due_on, label in items:
        recipients = _recipients(institution_id)
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    item=item,
                    due_on=due_on,
                    institution_id=institution_id,
                    recommendation_id=rec_id,
                    recipients=recipients,
                )
                audit_record(
                    actor=None,
                    action="recommendations.reminder",
                    detail={"item": item, "due_on": due_on, "recipients": len(recipients)},
                )
        except IntegrityError:
            continue  # already reminded for this due date
        if recipients:
            try:
                send_mail(
                    _("Amparo: due on %(date)s") % {"date": due_on.isoformat()},
                    _("%(what)s is due on %(date)s (recommendation follow-up).")
                    % {"what": label, "date": due_on.isoformat()},
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                )
            except OSError:  # SMTP errors included: the reminder stays recorded, in-app
                logger.warning("reminder mail for %s not sent", item, exc_info=True)
        sent += 1
    return sent


# Retried: each reminder is recorded once per due date, so a second try sends no duplicate.
@job(gettext_lazy("Reminders of recommendation due dates"), retry=True)
def send_reminders_task() -> int:
    return send_reminders()
