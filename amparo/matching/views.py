"""The review queue: proposed duplicates, side by side, confirmed or rejected with a reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from amparo.core.errors import InvalidInput
from amparo.core.forms import ActionErrors
from amparo.core.jobs import WorkerState, failures_count, worker_state
from amparo.core.optional import optional_part

from .models import MatchCandidate
from .review import candidate_decide, candidate_get, candidates_for
from .tasks import match_person

PAGE = 50


class DecisionForm(ActionErrors, forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("same", gettext_lazy("Same person")),
            ("different", gettext_lazy("Different people")),
        ]
    )
    survivor = forms.UUIDField(required=False, label=gettext_lazy("Record to keep"))
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=2000)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", MatchCandidate.Status.OPEN)
    if status not in MatchCandidate.Status.values:
        status = MatchCandidate.Status.OPEN
    rows = (
        candidates_for(request.user)
        .filter(status=status)
        .order_by("-match_probability", "pk")[:PAGE]
    )
    return render(
        request,
        "matching/queue.html",
        {
            "rows": rows,
            "status": status,
            "statuses": MatchCandidate.Status.choices,
            "proposing": optional_part(
                proposals_state,
                name="matching proposals state",
                message=_("Whether duplicates are being proposed could not be checked."),
            ),
        },
    )


@dataclass(frozen=True)
class ProposalsState:
    failed: int  # runs of the proposal task that failed in the last 24 hours
    worker: WorkerState


def proposals_state() -> ProposalsState:
    """Reviewers are told when the list may be incomplete: proposals failing, or no worker."""
    return ProposalsState(
        failed=failures_count(task_path=match_person.module_path), worker=worker_state()
    )


def _page(
    request: HttpRequest, candidate_id: int, form: DecisionForm, status: int = 200
) -> HttpResponse:
    candidate = candidate_get(request.user, candidate_id)
    return render(
        request,
        "matching/candidate.html",
        {
            "c": candidate,
            "people": [candidate.person_a, candidate.person_b],
            "form": form,
            # A whole percentage, as on the queue: "0.54" reads as a decimal point in Spanish.
            "probability": f"{round(candidate.match_probability * 100)} %",
        },
        status=status,
    )


@login_required
def candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _page(request, candidate_id, DecisionForm())


@login_required
@require_POST
def decide(request: HttpRequest, candidate_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if form.is_valid():
        same = form.cleaned_data["decision"] == "same"
        survivor: uuid.UUID | None = form.cleaned_data.get("survivor")
        try:
            candidate_decide(
                actor=request.user,
                candidate_id=candidate_id,
                same_person=same,
                reason=form.cleaned_data["reason"],
                survivor_id=survivor,
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(
                request,
                _("Records merged: one person.") if same else _("Kept as different people."),
            )
            return redirect("matching:queue")
    return _page(request, candidate_id, form, status=422)
