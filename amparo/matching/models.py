"""The review queue: pairs of person records the engine proposes as one person.

Matching proposes, people decide: a candidate is only ever confirmed (and the records merged,
people.actions.person_merge) or rejected by a person, with a reason.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.models import User
from amparo.people.models import Person, PersonMerge


class MatchCandidate(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        CONFIRMED = "confirmed", _("Confirmed: same person")
        REJECTED = "rejected", _("Rejected: different people")

    # The pair is kept in a fixed order (the smaller id first) so it is proposed once.
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=40)
    match_probability = models.FloatField()
    # Per compared field, the level the pair reached ("both surnames match (swapped)").
    explanation = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    merge = models.ForeignKey(
        PersonMerge, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="candidate_pair")
        ]
        indexes = [models.Index(fields=["status", "-match_probability"], name="candidate_queue")]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.match_probability:.2f})"
