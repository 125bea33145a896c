"""Case pages: the list, opening a case, the case page (tasks, steps, approvals, forms from
their JSON Schema, notes, files, referrals, timeline) and incoming referrals.

Views only parse input and call `actions` and `queries`. A refused write shows the page again
with the messages next to the fields and in a summary at the top (422); a write that lost a
race with someone else's saves nothing and says so (409).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import Institution, User
from amparo.core.permissions import Perm, has_perm, require
from amparo.people.models import Household
from amparo.people.queries import persons_visible_to

from . import actions, queries
from .forms import (
    ApprovalForm,
    AttachmentForm,
    CaseFilterForm,
    CaseOpenForm,
    CasesForm,
    ConsentForm,
    NoteForm,
    ReferralDecisionForm,
    ReferralForm,
    SchemaForm,
    ServiceForm,
    StepForm,
    choice_label,
    property_label,
)
from .labels import (
    closure_reason_label,
    event_detail,
    event_label,
    form_title,
    scope_label,
    service_label,
    stage_name,
    task_title,
    transition_name,
)
from .models import Case, Referral, Task
from .protocol import Protocol, protocol_get, protocols_latest, text

PAGE_SIZE = 50


def _summary(*forms: Form | None) -> list[dict[str, str]]:
    """Every message of the forms sent back, each linked to its field where it has one."""
    items: list[dict[str, str]] = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            field = None if name == "__all__" else form[name]
            # A group of checkboxes has no single element: its first box stands for it.
            anchor = (field.id_for_label or f"{field.auto_id}_0") if field else ""
            label = str(field.label or "") if field else ""
            for message in errors:
                items.append({"message": str(message), "anchor": anchor or "", "label": label})
    return items


def home_panels(user: User) -> dict[str, object]:
    """The home page's case panels: the user's open cases and, for supervisors, the
    caseload of their scope (core.views.home shows them)."""

    def protocol_name(code: str) -> str:
        protocol = protocol_get(code)
        return text(protocol.name) if protocol else code

    mine = [
        {
            "case": c,
            "protocol_name": protocol_name(c.protocol_code),
            "stage_name": stage_name(protocol_get(c.protocol_code, c.protocol_version), c.stage),
        }
        for c in queries.case_list(actor=user, mine=True)[:10]
    ]
    context: dict[str, object] = {
        "my_cases": mine,
        # The work queues the panel links to, with what waits in each.
        "my_overdue": queries.overdue_tasks(actor=user, mine=True).count(),
        "referrals_waiting": queries.referrals_incoming(
            actor=user, status=Referral.Status.SENT
        ).count(),
    }
    if has_perm(user, Perm.CASE_APPROVE):
        board = queries.supervisor_dashboard(actor=user)
        lang_en = (translation.get_language() or "es")[:2] == "en"
        context["board"] = board
        context["board_overdue"] = [
            {
                "task": t,
                "title": t.title_en if lang_en else t.title_es,
                "protocol_name": protocol_name(t.case.protocol_code),
            }
            for t in board.overdue_tasks
        ]
        context["board_stages"] = [
            {
                "protocol_name": protocol_name(str(row["protocol_code"])),
                "stage_name": stage_name(
                    protocol_get(str(row["protocol_code"])), str(row["stage"])
                ),
                "n": row["n"],
            }
            for row in board.by_stage
        ]
    return context


# --- the list -------------------------------------------------------------------------------


@login_required
def case_list_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CASE_READ)
    latest = protocols_latest()
    stage_groups = _stage_choices(latest)
    form = CaseFilterForm(
        request.GET or None,
        protocols=[(p.code, text(p.name)) for p in latest],
        stages=stage_groups,
    )
    filters = form.values()
    cases = queries.case_list(
        actor=request.user,
        protocol=filters["protocol"],
        stage=filters["stage"],
        mine=filters["mine"],
        open_only=filters["status"] == "open",
    )
    if filters["status"] == "closed":
        cases = cases.filter(closed_at__isnull=False)
    # Overdue tasks counted per case shown, not by joining every task to every case and
    # grouping: PostgreSQL sorted all 42,000 tasks of the national demo for one page.
    overdue = (
        Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True, due_at__lt=timezone.now())
        .order_by()
        .values("case")
        .annotate(n=Count("*"))
        .values("n")
    )
    cases = cases.annotate(overdue=Coalesce(Subquery(overdue), 0))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = set(
        persons_visible_to(request.user)
        .filter(pk__in=[c.person_id for c in page])
        .values_list("pk", flat=True)
    )
    rows = []
    for case in page:
        protocol = protocol_get(case.protocol_code, case.protocol_version)
        rows.append(
            {
                "case": case,
                "protocol_name": text(protocol.name) if protocol else case.protocol_code,
                "stage_name": stage_name(protocol, case.stage),
                "person": case.person if case.person_id in visible else None,
                "overdue": case.overdue,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "stage_groups": stage_groups,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )


# --- work queues: the steps waiting for my approval, the overdue tasks ---------------------------


def _visible_people(request: HttpRequest, cases: list[Case]) -> set[uuid.UUID]:
    """The people of these cases whom the user may see by name (else "not shared")."""
    return set(
        persons_visible_to(request.user)
        .filter(pk__in={c.person_id for c in cases})
        .values_list("pk", flat=True)
    )


@login_required
def approvals_page(request: HttpRequest) -> HttpResponse:
    """Cases with a step waiting for the supervisor's decision, oldest request first; each
    row links to the case page's decision form."""
    require(request.user, Perm.CASE_APPROVE)
    page = Paginator(queries.approvals_waiting_for(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    visible = _visible_people(request, [a.case for a in page])
    rows = []
    for approval in page:
        case = approval.case
        protocol = protocol_get(case.protocol_code, case.protocol_version)
        rows.append(
            {
                "approval": approval,
                "case": case,
                "protocol_name": text(protocol.name) if protocol else case.protocol_code,
                "step": transition_name(protocol, approval.transition),
                "stage_name": stage_name(protocol, case.stage),
                "person": case.person if case.person_id in visible else None,
            }
        )
    return render(request, "cases/approvals.html", {"page": page, "rows": rows, "query": ""})


@login_required
def overdue_page(request: HttpRequest) -> HttpResponse:
    """Tasks past their due time: of the cases assigned to the user, or (supervisors, `team`)
    of every open case of their scope."""
    require(request.user, Perm.CASE_READ)
    may_see_team = has_perm(request.user, Perm.CASE_APPROVE)
    team = may_see_team and request.GET.get("scope") == "team"
    tasks = queries.overdue_tasks(actor=request.user, mine=not team)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = _visible_people(request, [t.case for t in page])
    lang_en = (translation.get_language() or "es")[:2] == "en"
    rows = []
    for task in page:
        case = task.case
        protocol = protocol_get(case.protocol_code, case.protocol_version)
        rows.append(
            {
                "task": task,
                "case": case,
                "title": task.title_en if lang_en else task.title_es,
                "protocol_name": text(protocol.name) if protocol else case.protocol_code,
                "person": case.person if case.person_id in visible else None,
            }
        )
    return render(
        request,
        "cases/overdue.html",
        {
            "page": page,
            "rows": rows,
            "team": team,
            "may_see_team": may_see_team,
            "query": "scope=team" if team else "",
        },
    )


def _stage_choices(latest: list[Protocol]) -> list[tuple[str, Any]]:
    """Stages grouped by protocol (a select with one group per protocol)."""
    return [(text(p.name), [(s.code, text(s.name)) for s in p.stages.values()]) for p in latest]


# --- opening a case -------------------------------------------------------------------------


def _runnable(request: HttpRequest) -> list[Protocol]:
    """The protocols the user's institution runs (a protocol without owners: anyone)."""
    institution = request.user.institution
    code = institution.code if institution else ""
    return [p for p in protocols_latest() if not p.owners or code in p.owners]


@login_required
def case_open_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CASE_WRITE)
    raw = (request.POST if request.method == "POST" else request.GET).get("person", "")
    person = None
    if raw:
        try:
            person_id = uuid.UUID(raw)
        except ValueError as exc:
            raise NotFound from exc
        person = persons_visible_to(request.user).filter(pk=person_id).first()
        if person is None:
            raise NotFound
    protocols = _runnable(request)
    choices = [(p.code, text(p.name)) for p in protocols]
    form = CaseOpenForm(request.POST or None, protocols=choices)
    households = list(Household.objects.filter(householdmember__person=person)) if person else []
    if request.method == "POST" and person is not None and form.is_valid():
        chosen = request.POST.get("household", "")
        household_id = next((h.pk for h in households if str(h.pk) == chosen), None)
        try:
            case = actions.case_open(
                actor=request.user,
                protocol_code=form.cleaned_data["protocol"],
                person_id=person.pk,
                household_id=household_id,
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Case opened."))
            return redirect("cases:detail", case_id=case.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "cases/new.html",
        {
            "form": form,
            "person": person,
            "protocols": protocols,
            "households": households,
            "errors": _summary(form),
        },
        status=status,
    )


# --- the case page --------------------------------------------------------------------------


def _closure_choices(protocol: Protocol | None) -> list[tuple[str, str]]:
    if protocol is None:
        return []
    return [(c, closure_reason_label(c, protocol)) for c in protocol.closure_reasons]


def _institution_choices(codes: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    found = {i.code: i for i in Institution.objects.filter(code__in=codes)}
    return [(c, f"{found[c].acronym} · {found[c].name}") for c in codes if c in found]


def _referral_targets(request: HttpRequest, protocol: Protocol | None) -> list[tuple[str, str]]:
    own = request.user.institution.code if request.user.institution else ""
    if protocol and protocol.referral_targets:
        codes = [c for c in protocol.referral_targets if c != own]
    else:
        codes = list(Institution.objects.exclude(code=own).values_list("code", flat=True))
    return _institution_choices(codes)


def _steps(
    request: HttpRequest,
    detail: dict[str, Any],
    protocol: Protocol | None,
    bound: StepForm | None,
) -> list[dict[str, Any]]:
    """The steps possible from the current stage, each with what it still needs."""
    done = {t["code"] for t in detail["tasks"] if t["done_at"]}
    data = detail["data"]
    steps = []
    for t in detail["transitions"]:
        spec = protocol.transitions.get(t["code"]) if protocol else None
        if bound is not None and bound.data.get("transition") == t["code"]:
            form = bound
        else:
            form = StepForm(
                key=f"step-{t['code']}",
                initial={"transition": t["code"], "version": detail["version"]},
                closure_reasons=_closure_choices(protocol) if t["closure"] else [],
            )
        steps.append(
            {
                **t,
                "to_name": stage_name(protocol, t["to"]),
                "allowed": spec is None or request.user.role in spec.roles,
                "tasks": [
                    {"title": task_title(protocol, c), "done": c in done}
                    for c in t["requires_tasks"]
                ],
                "forms": [
                    {"title": form_title(protocol, c), "done": c in data}
                    for c in t["requires_forms"]
                ],
                "form": form,
            }
        )
    return steps


def _schema_forms(
    detail: dict[str, Any],
    protocol: Protocol | None,
    bound: SchemaForm | None,
    conflict: Conflict | None,
) -> list[dict[str, Any]]:
    forms = []
    for code, spec in (protocol.forms if protocol else {}).items():
        saved = detail["data"].get(code)
        version = detail["version"]
        if bound is not None and bound.prefix == code:
            form = bound
            # Sent back with messages, the form keeps the version it was read at, so that
            # saving it later cannot silently overwrite what someone saved meanwhile; after a
            # conflict the user has seen the saved values, and may overwrite them.
            if conflict is None:
                version = bound.data.get("version", version)
        else:
            form = SchemaForm(spec.schema, prefix=code, initial_json=saved)
        forms.append(
            {
                "code": code,
                "title": text(spec.title),
                "saved": saved is not None,
                "form": form,
                "version": version,
                "values": _readable_values(form, saved or {}),
            }
        )
    return forms


def _nested_text(value: Any, prop: dict[str, Any]) -> str:
    """A saved object or list of objects in words: one "Label: value" per field, labels and
    options from the protocol's schema, one line per item (never the raw JSON)."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, dict):
        props = prop.get("properties") or {}
        # In the schema's order, not the stored one: PostgreSQL's jsonb reorders keys.
        order = {key: n for n, key in enumerate(props)}
        keys = sorted(value, key=lambda k: (order.get(k, len(order)), k))
        return "; ".join(
            f"{property_label(k, props.get(k) or {})}: {_nested_text(value[k], props.get(k) or {})}"
            for k in keys
        )
    if isinstance(value, list):
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        joiner = "\n" if any(isinstance(v, dict) for v in value) else ", "
        return joiner.join(_nested_text(v, items) for v in value)
    if "enum" in prop or "x-enum-titles" in prop:
        return choice_label(value, prop)
    return str(value)


def _readable_values(form: SchemaForm, saved: dict[str, Any]) -> list[dict[str, str]]:
    """A saved form as label and value, for those who may read it but not change it."""
    rows = []
    for name, value in saved.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None else name
        choices = dict(getattr(field, "choices", []) or [])
        prop = (form.schema.get("properties") or {}).get(name) or {}
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
        ):
            shown = _nested_text(value, prop if isinstance(prop, dict) else {})
        elif isinstance(value, list):
            shown = ", ".join(str(choices.get(str(v), v)) for v in value)
        else:
            shown = str(choices.get(str(value), value))
        rows.append({"label": label, "value": shown})
    return rows


def _case_page(
    request: HttpRequest,
    case_id: uuid.UUID,
    *,
    status: int = 200,
    conflict: Conflict | None = None,
    **bound: Form,
) -> HttpResponse:
    """The case page; `bound` holds the form the user sent back with its messages."""
    view = queries.case_get(actor=request.user, case_id=case_id)
    detail = queries.case_detail(view)
    case = view.case
    protocol = protocol_get(case.protocol_code, case.protocol_version)
    owner = bool(detail["owner"])
    may_write = owner and has_perm(request.user, Perm.CASE_WRITE)
    is_open = detail["closed_at"] is None
    context: dict[str, Any] = {
        "case": case,
        "detail": detail,
        "protocol": protocol,
        "owner": owner,
        "may_write": may_write,
        "conflict": conflict,
        "is_open": is_open,
        "sees_forms": owner or "forms" in view.shares,
        "closure_reason_name": closure_reason_label(str(detail["closure_reason"] or ""), protocol),
        "shares": [scope_label(s) for s in sorted(view.shares)],
        "events": [
            {**e, "label": event_label(e["kind"]), "text": event_detail(e, protocol)}
            for e in reversed(detail["events"])  # type: ignore[call-overload]
        ],
        "forms": _schema_forms(
            detail, protocol, _bound(bound, "schema_form", SchemaForm), conflict
        ),
    }
    if owner:
        # The owning team's own records of the case: notes, files and referrals sent.
        context["tasks"] = [
            {**t, "stage_name": stage_name(protocol, t["stage"])}
            for t in detail["tasks"]  # type: ignore[attr-defined]
        ]
        context["notes"] = case.notes.select_related("author").order_by("-at")
        context["attachments"] = case.attachments.select_related("uploaded_by").order_by("-at")
        context["referrals"] = [
            {
                "referral": r,
                "shares": [scope_label(s) for s in r.shares],
                "services": [service_label(s) for s in r.services_requested],
            }
            for r in case.referrals.select_related("to_institution").order_by("-sent_at")
        ]
        pending = detail["pending_approval"]
        if pending:
            context["pending"] = {
                **pending,  # type: ignore[dict-item]
                "name": transition_name(protocol, pending["transition"]),  # type: ignore[index]
            }
            context["may_decide"] = (
                has_perm(request.user, Perm.CASE_APPROVE)
                and pending["requested_by"] != request.user.username  # type: ignore[index]
            )
            context["approval_form"] = _bound(bound, "approval_form", ApprovalForm) or (
                ApprovalForm(key="approval")
            )
    if may_write and is_open:
        context["steps"] = _steps(request, detail, protocol, _bound(bound, "step_form", StepForm))
        context["note_form"] = _bound(bound, "note_form", NoteForm) or NoteForm(key="note")
        context["attachment_form"] = _bound(bound, "attachment_form", AttachmentForm) or (
            AttachmentForm(key="attachment")
        )
        targets = _referral_targets(request, protocol)
        context["referral_form"] = _bound(bound, "referral_form", ReferralForm) or ReferralForm(
            targets=targets, may_override=has_perm(request.user, Perm.CONSENT_OVERRIDE)
        )
        context["consent_form"] = _bound(bound, "consent_form", ConsentForm) or ConsentForm(
            recipients=targets
        )
        context["consents"] = [
            {
                "given_at": c.given_at,
                "recipient_name": c.recipient.acronym
                if c.recipient
                else _("any institution of the network"),
                "scopes": [scope_label(s) for s in c.scopes],
            }
            for c in case.person.consents.filter(withdrawn_at__isnull=True)
            .select_related("recipient")
            .order_by("-given_at")
        ]
    context["errors"] = _summary(*bound.values())
    return render(request, "cases/detail.html", context, status=status)


def _bound(bound: dict[str, Form], key: str, kind: type) -> Any:
    form = bound.get(key)
    return form if isinstance(form, kind) else None


@login_required
def case_detail_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.CASE_READ)
    return _case_page(request, case_id)


def _case_write(
    request: HttpRequest,
    case_id: uuid.UUID,
    *,
    key: str,
    form: Form,
    act: Callable[[], object],
    done: str | Callable[[object], str],
    anchor: str,
) -> HttpResponse:
    """Parse a form of the case page and call its action; refused input shows the case page
    again with the messages (422), a lost race says that nothing was saved (409)."""
    require(request.user, Perm.CASE_WRITE)
    if form.is_valid():
        try:
            result = act()
        except InvalidInput as exc:
            form.add_action_errors(exc)  # type: ignore[attr-defined]
        except Conflict as exc:
            # Typed form values come back for the user to check and save again; a step's
            # form is drawn afresh, with the case's current version.
            kept = {key: form} if isinstance(form, SchemaForm) else {}
            return _case_page(request, case_id, status=409, conflict=exc, **kept)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect(f"{_case_url(case_id)}#{anchor}")
    return _case_page(request, case_id, status=422, **{key: form})


def _case_url(case_id: uuid.UUID) -> str:
    return reverse("cases:detail", kwargs={"case_id": case_id})


def _owned_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    """A case the user's team owns, read only to parse a form against its protocol (the
    action itself checks the case again, inside its transaction)."""
    case = queries.cases_owned_by(request.user).filter(pk=case_id).first()
    if case is None:
        raise NotFound
    return case


@login_required
@require_POST
def task_done(request: HttpRequest, case_id: uuid.UUID, task_id: int) -> HttpResponse:
    require(request.user, Perm.CASE_WRITE)
    task = actions.task_complete(actor=request.user, task_id=task_id)
    messages.success(request, _("Task marked done."))
    return redirect(f"{_case_url(task.case_id)}#tasks-heading")


@login_required
@require_POST
def step(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.CASE_WRITE)
    code = request.POST.get("transition", "")[:60]
    case = _owned_case(request, case_id)
    protocol = protocol_get(case.protocol_code, case.protocol_version)
    spec = protocol.transitions.get(code) if protocol else None
    form = StepForm(
        request.POST,
        key=f"step-{code}",
        closure_reasons=_closure_choices(protocol) if spec and spec.closure else [],
    )

    def act() -> object:
        return actions.case_transition(
            actor=request.user,
            case_id=case_id,
            transition=form.cleaned_data["transition"],
            version=form.cleaned_data["version"],
            closure_reason=form.cleaned_data.get("closure_reason") or "",
        )

    def done(case: object) -> str:
        if spec is not None and getattr(case, "stage", None) == spec.target:
            return _("Step taken: the case is now at “%(stage)s”.") % {
                "stage": stage_name(protocol, spec.target)
            }
        return _("The step waits for a supervisor's approval.")

    return _case_write(
        request, case_id, key="step_form", form=form, act=act, done=done, anchor="stage"
    )


@login_required
@require_POST
def approval_decide(request: HttpRequest, case_id: uuid.UUID, approval_id: int) -> HttpResponse:
    require(request.user, Perm.CASE_APPROVE)
    form = ApprovalForm(request.POST, key="approval")

    def act() -> object:
        return actions.approval_decide(
            actor=request.user,
            approval_id=approval_id,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )

    def done(approval: object) -> str:
        if getattr(approval, "approved", False):
            return _("Step approved.")
        return _("Step not approved; the reason was recorded.")

    return _case_write(
        request, case_id, key="approval_form", form=form, act=act, done=done, anchor="stage"
    )


@login_required
@require_POST
def form_save(request: HttpRequest, case_id: uuid.UUID, form_code: str) -> HttpResponse:
    require(request.user, Perm.CASE_WRITE)
    case = _owned_case(request, case_id)
    protocol = protocol_get(case.protocol_code, case.protocol_version)
    spec = protocol.forms.get(form_code) if protocol else None
    if spec is None:
        raise NotFound
    form = SchemaForm(
        spec.schema, request.POST, prefix=form_code, initial_json=case.data.get(form_code)
    )

    def act() -> object:
        version = request.POST.get("version", "")
        return actions.case_form_save(
            actor=request.user,
            case_id=case_id,
            form=form_code,
            data=form.to_json(),
            version=int(version) if version.isdigit() else None,
        )

    return _case_write(
        request,
        case_id,
        key="schema_form",
        form=form,
        act=act,
        done=_("Form “%(title)s” saved.") % {"title": text(spec.title)},
        anchor=f"form-{form_code}",
    )


@login_required
@require_POST
def note_add(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    form = NoteForm(request.POST, key="note")
    return _case_write(
        request,
        case_id,
        key="note_form",
        form=form,
        act=lambda: actions.note_add(
            actor=request.user, case_id=case_id, text=form.cleaned_data["text"]
        ),
        done=_("Note added."),
        anchor="notes-heading",
    )


@login_required
@require_POST
def attachment_add(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES, key="attachment")
    return _case_write(
        request,
        case_id,
        key="attachment_form",
        form=form,
        act=lambda: actions.attachment_add(
            actor=request.user, case_id=case_id, upload=form.cleaned_data["file"]
        ),
        done=_("File attached."),
        anchor="files-heading",
    )


@login_required
def attachment_download(
    request: HttpRequest, case_id: uuid.UUID, attachment_id: int
) -> HttpResponse:
    """A file of the case, for the owning team only; always downloaded, never shown inline."""
    require(request.user, Perm.CASE_READ)
    view = queries.case_get(actor=request.user, case_id=case_id, purpose="attachment_download")
    attachment = view.case.attachments.filter(pk=attachment_id).first() if view.owner else None
    if attachment is None:
        raise NotFound
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _referral_form(request: HttpRequest, case_id: uuid.UUID) -> ReferralForm:
    case = _owned_case(request, case_id)
    protocol = protocol_get(case.protocol_code, case.protocol_version)
    return ReferralForm(
        request.POST,
        targets=_referral_targets(request, protocol),
        may_override=has_perm(request.user, Perm.CONSENT_OVERRIDE),
    )


@login_required
@require_POST
def referral_send(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.CASE_WRITE)
    form = _referral_form(request, case_id)

    def act() -> object:
        d = form.cleaned_data
        return actions.referral_send(
            actor=request.user,
            case_id=case_id,
            to_institution=d["to_institution"],
            reason=d["reason"],
            shares=d["shares"],
            services=d["services"],
            override_reason=d.get("override_reason") or "",
        )

    return _case_write(
        request,
        case_id,
        key="referral_form",
        form=form,
        act=act,
        done=_("Referral sent."),
        anchor="referrals-heading",
    )


@login_required
@require_POST
def consent_add(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.CASE_WRITE)
    case = _owned_case(request, case_id)
    protocol = protocol_get(case.protocol_code, case.protocol_version)
    form = ConsentForm(request.POST, recipients=_referral_targets(request, protocol))
    return _case_write(
        request,
        case_id,
        key="consent_form",
        form=form,
        act=lambda: actions.consent_record(
            actor=request.user,
            person_id=case.person_id,
            scopes=form.cleaned_data["scopes"],
            recipient_code=form.cleaned_data["recipient"] or None,
        ),
        done=_("Consent recorded."),
        anchor="referrals-heading",
    )


# --- incoming referrals ---------------------------------------------------------------------


def _referral_rows(
    request: HttpRequest, page: Any, bound: dict[str, CasesForm]
) -> list[dict[str, Any]]:
    rows = []
    for referral in page:
        key = referral.pk.hex[:12]
        row: dict[str, Any] = {
            "referral": referral,
            "key": key,
            "shares": [scope_label(s) for s in referral.shares],
            "services_requested": [service_label(s) for s in referral.services_requested],
        }
        if referral.status == Referral.Status.SENT:
            form = bound.get(f"decide-{referral.pk}")
            row["decision_form"] = form or ReferralDecisionForm(key=f"decide-{key}")
        elif referral.status == Referral.Status.ACCEPTED:
            form = bound.get(f"service-{referral.pk}")
            row["service_form"] = form or ServiceForm(
                key=f"service-{key}", requested=referral.services_requested
            )
            row["services"] = [
                {"kind": service_label(s.kind), "at": s.delivered_at, "note": s.note}
                for s in referral.services.order_by("-delivered_at")
            ]
        rows.append(row)
    return rows


def _referrals_page(request: HttpRequest, *, status: int = 200, **bound: CasesForm) -> HttpResponse:
    waiting = request.GET.get("status") == Referral.Status.SENT
    incoming = queries.referrals_incoming(
        actor=request.user, status=Referral.Status.SENT if waiting else ""
    )
    page = Paginator(incoming, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/referrals.html",
        {
            "page": page,
            "waiting": waiting,
            "query": "status=sent" if waiting else "",
            "rows": _referral_rows(request, page, bound),
            "errors": _summary(*bound.values()),
            "may_write": has_perm(request.user, Perm.CASE_WRITE),
        },
        status=status,
    )


@login_required
def referrals_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CASE_READ)
    return _referrals_page(request)


def _incoming(request: HttpRequest, referral_id: uuid.UUID) -> Referral:
    referral = queries.referrals_incoming(actor=request.user).filter(pk=referral_id).first()
    if referral is None:
        raise NotFound
    return referral


@login_required
@require_POST
def referral_decide(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.CASE_WRITE)
    _incoming(request, referral_id)
    form = ReferralDecisionForm(request.POST, key=f"decide-{referral_id.hex[:12]}")
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            actions.referral_decide(
                actor=request.user,
                referral_id=referral_id,
                accept=accept,
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            if accept:
                messages.success(request, _("Referral accepted."))
                return redirect("cases:detail", case_id=_incoming(request, referral_id).case_id)
            messages.success(request, _("Referral declined; the reason was recorded."))
            return redirect("cases:referrals")
    return _referrals_page(request, status=422, **{f"decide-{referral_id}": form})


@login_required
@require_POST
def service_add(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.CASE_WRITE)
    referral = _incoming(request, referral_id)
    form = ServiceForm(
        request.POST,
        key=f"service-{referral_id.hex[:12]}",
        requested=referral.services_requested,
    )
    if form.is_valid():
        try:
            actions.service_record(
                actor=request.user,
                person_id=referral.case.person_id,
                referral_id=referral.pk,
                kind=form.cleaned_data["kind"],
                delivered_at=form.delivered_at(),
                note=form.cleaned_data["note"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Service recorded."))
            return redirect(f"{reverse('cases:referrals')}#referral-{referral_id.hex[:12]}")
    return _referrals_page(request, status=422, **{f"service-{referral_id}": form})
