"""Household pages: created from the head's person page, then managed on the household's own
page (name, members and their relation to the head, the head). Each form calls one action;
refused input shows the page again with the messages next to the fields (422)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.cases.queries import cases_visible_to
from amparo.core.errors import InvalidInput
from amparo.core.forms import form_response, submit
from amparo.core.permissions import Perm, has_perm, require

from . import actions
from .forms import (
    HouseholdHeadForm,
    HouseholdMemberAddForm,
    HouseholdMemberRelationForm,
    HouseholdRenameForm,
    PersonPartForm,
)
from .hub import CaseRow, case_rows_of, first_rows, protocols_runnable_by
from .queries import household_get, person_search


def _household_cases(request: HttpRequest, household_id: uuid.UUID) -> list[CaseRow]:
    cases = first_rows(
        cases_visible_to(request.user).filter(household_id=household_id).order_by("-opened_at")
    )
    return case_rows_of(request.user, [], cases)


@login_required
def household_detail(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    return _page(request, household_id, member_q=request.GET.get("member_q", ""))


def _page(
    request: HttpRequest,
    household_id: uuid.UUID,
    *,
    member_q: str = "",
    status: int = 200,
    **bound: PersonPartForm,
) -> HttpResponse:
    """The household page; `bound` holds a small form sent back with its errors."""
    require(request.user, Perm.PERSON_READ)
    view = household_get(actor=request.user, household_id=household_id)
    may_edit = has_perm(request.user, Perm.PERSON_WRITE)
    context: dict[str, object] = {
        "view": view,
        "household": view.household,
        "may_edit": may_edit,
        "cases": _household_cases(request, view.household.pk)
        if has_perm(request.user, Perm.CASE_READ)
        else None,
        "protocols": [p for p in protocols_runnable_by(request.user) if p.subject == "household"]
        if has_perm(request.user, Perm.CASE_WRITE)
        else [],
    }
    if may_edit:
        member_q = member_q.strip()[:100]
        found = person_search(actor=request.user, query=member_q) if member_q else None
        in_household = {m.person_id for m in view.members}
        candidates = [p for p in found.people if p.pk not in in_household] if found else []
        add_form = bound.get("add_form")
        if not isinstance(add_form, HouseholdMemberAddForm):
            add_form = HouseholdMemberAddForm(initial={"member_q": member_q})
        add_form.offer(candidates)
        head_form = bound.get("head_form")
        if not isinstance(head_form, HouseholdHeadForm):
            head_form = HouseholdHeadForm()
        head_form.offer(m.person for m in view.members if not m.is_head)
        relation_for = bound.get("relation_for")
        context.update(
            {
                "rename_form": bound.get("rename_form")
                or HouseholdRenameForm(initial={"label": view.household.label}),
                "add_form": add_form,
                "head_form": head_form,
                "member_q": member_q,
                "member_found": found,
                "member_candidates": candidates,
                "member_forms": [
                    (
                        m,
                        bound["relation_form"]
                        if relation_for == m.person_id and "relation_form" in bound
                        else HouseholdMemberRelationForm(
                            initial={"relation": m.relation_to_head},
                            auto_id=f"relation-{m.person_id.hex[:12]}-%s",
                        ),
                    )
                    for m in view.members
                ],
            }
        )
    return render(request, "people/household.html", context, status=status)


def _household_part(
    request: HttpRequest,
    household_id: uuid.UUID,
    *,
    form: PersonPartForm,
    key: str,
    act: Callable[[dict[str, Any]], object],
    done: str,
    **extra: object,
) -> HttpResponse:
    """Parse a small form of the household page and call its action (core.forms.submit)."""
    require(request.user, Perm.PERSON_WRITE)
    member_q = request.POST.get("member_q", "") if key == "add_form" else ""
    return form_response(
        request,
        form,
        submit(form, act),
        success=done,
        done=lambda: redirect("people:household_detail", household_id=household_id),
        page=lambda status, **_: _page(
            request, household_id, member_q=member_q, status=status, **{key: form}, **extra
        ),
    )


@login_required
@require_POST
def household_rename(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    form = HouseholdRenameForm(request.POST)
    return _household_part(
        request,
        household_id,
        form=form,
        key="rename_form",
        act=lambda d: actions.household_rename(
            actor=request.user, household_id=household_id, label=d["label"]
        ),
        done=_("Household renamed."),
    )


@login_required
@require_POST
def household_member_add(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    form = HouseholdMemberAddForm(request.POST)
    return _household_part(
        request,
        household_id,
        form=form,
        key="add_form",
        act=lambda d: actions.household_member_add(
            actor=request.user,
            household_id=household_id,
            person_id=d["person"],
            relation=d["relation"],
        ),
        done=_("Member added to the household."),
    )


@login_required
@require_POST
def household_member_relation(
    request: HttpRequest, household_id: uuid.UUID, person_id: uuid.UUID
) -> HttpResponse:
    form = HouseholdMemberRelationForm(request.POST, auto_id=f"relation-{person_id.hex[:12]}-%s")
    return _household_part(
        request,
        household_id,
        form=form,
        key="relation_form",
        act=lambda d: actions.household_member_relation(
            actor=request.user,
            household_id=household_id,
            person_id=person_id,
            relation=d["relation"],
        ),
        done=_("Relation to the head of household changed."),
        relation_for=person_id,
    )


@login_required
@require_POST
def household_member_remove(
    request: HttpRequest, household_id: uuid.UUID, person_id: uuid.UUID
) -> HttpResponse:
    require(request.user, Perm.PERSON_WRITE)
    try:
        actions.household_member_remove(
            actor=request.user, household_id=household_id, person_id=person_id
        )
    except InvalidInput as exc:
        for texts in exc.errors.values():
            for text in texts:
                messages.error(request, text)
        return _page(request, household_id, status=422)
    messages.success(request, _("Member removed from the household."))
    return redirect("people:household_detail", household_id=household_id)


@login_required
@require_POST
def household_head(request: HttpRequest, household_id: uuid.UUID) -> HttpResponse:
    form = HouseholdHeadForm(request.POST)
    return _household_part(
        request,
        household_id,
        form=form,
        key="head_form",
        act=lambda d: actions.household_head_change(
            actor=request.user,
            household_id=household_id,
            head_id=d["head"],
            former_head_relation=d["former_head_relation"],
        ),
        done=_("Head of household changed."),
    )
