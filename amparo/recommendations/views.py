"""Pages of the Recommendations Monitoring System and of its public portal. Views parse the
input and call `actions` and `queries`; a refused write shows the page again with each message
at its field (422); a stale version saves nothing (409)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amparo.core.errors import InvalidInput, NotFound
from amparo.core.forms import submit
from amparo.core.permissions import Perm, has_perm, require

from . import actions, queries, report, tagging
from .forms import (
    ActionForm,
    AssignForm,
    DecisionForm,
    DocumentForm,
    DraftForm,
    FilterForm,
    FocalPointForm,
    IndicatorForm,
    ModerationForm,
    PublishForm,
    SectionForm,
    SubmissionForm,
    TagForm,
    UhriForm,
    UpdateForm,
)
from .models import FocalPoint, ProgressUpdate, Recommendation, ReportDraft, Submission
from .portal import client_key, public_detail

PAGE_SIZE = 50


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _summary(*forms: Form | None) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            field = None if name == "__all__" else form[name]
            visible = field is not None and not field.is_hidden
            anchor = field.id_for_label if visible and field else ""
            label = str(field.label or "") if visible and field else ""
            for message in errors:
                items.append({"message": str(message), "anchor": anchor, "label": label})
    return items


def _lang() -> str:
    return (get_language() or "es")[:2]


def _filters(form: FilterForm) -> queries.Filters:
    if not form.is_valid():
        return queries.Filters()
    return queries.Filters(**{k: v or "" for k, v in form.cleaned_data.items()})


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# ---------------------------------------------------------------- recommendations


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RECS_READ)
    form = FilterForm(request.GET or None, language=_lang())
    qs = queries.recommendations_for(request.user, _filters(form))  # type: ignore[arg-type]
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "recommendations/index.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "query": _query(request),
            "pending": queries.pending_for(request.user).count(),  # type: ignore[arg-type]
            "coordinator": actions.is_coordinator(request.user),  # type: ignore[arg-type]
            "may_validate": has_perm(request.user, Perm.RECS_VALIDATE),  # type: ignore[arg-type]
            "may_write": has_perm(request.user, Perm.RECS_WRITE),  # type: ignore[arg-type]
        },
    )


def _detail_page(
    request: HttpRequest, rec: Recommendation, status: int = 200, **bound: Any
) -> HttpResponse:
    user = request.user
    lang = _lang()
    tags = [
        {"tag": t, "label": tagging.label(t.vocabulary, t.code, lang)}
        for t in rec.tags.all().order_by("state", "vocabulary", "code")
    ]
    updates = queries.updates_visible_to(user).filter(recommendation=rec)  # type: ignore[arg-type]
    own_assigned = rec.assignments.filter(institution_id=user.institution_id).exists()  # type: ignore[union-attr]
    coordinator = actions.is_coordinator(user)  # type: ignore[arg-type]
    decidable = {
        u.pk
        for u in updates
        if has_perm(user, Perm.RECS_VALIDATE)  # type: ignore[arg-type]
        and u.author_id != user.pk
        and (
            (u.stage == ProgressUpdate.Stage.SUBMITTED and u.institution_id == user.institution_id)  # type: ignore[union-attr]
            or (u.stage == ProgressUpdate.Stage.INSTITUTION_VALIDATED and coordinator)
        )
    }
    forms = [v for v in bound.values() if isinstance(v, Form)]
    context = {
        "rec": rec,
        "tags": tags,
        "assignments": rec.assignments.select_related("institution"),
        "actions_list": rec.actions.select_related("institution"),
        "indicators": _with_stats_titles(rec.indicators.select_related("institution")),
        "updates": updates,
        "decidable": decidable,
        "similar": Recommendation.objects.filter(group_id=rec.group_id).exclude(pk=rec.pk)[:20]
        if rec.group_id
        else [],
        "suggested_institutions": tagging.suggest_institutions(rec) if coordinator else [],
        "coordinator": coordinator,
        "may_write": has_perm(user, Perm.RECS_WRITE),  # type: ignore[arg-type]
        "own_assigned": own_assigned,
        "focal": own_assigned and actions.is_focal_point(user, user.institution_id),  # type: ignore[arg-type, union-attr]
        "update_form": bound.get("update_form") or UpdateForm(auto_id="update-%s"),
        "action_form": bound.get("action_form") or ActionForm(auto_id="action-%s"),
        "indicator_form": bound.get("indicator_form") or IndicatorForm(auto_id="indicator-%s"),
        "assign_form": bound.get("assign_form") or AssignForm(auto_id="assign-%s"),
        "decision_form": bound.get("decision_form"),
        "decision_for": bound.get("decision_for"),
        "conflict": bound.get("conflict"),
        "errors": _summary(*forms),
        "history": list(reversed(rec.history)),
    }
    return render(request, "recommendations/detail.html", context, status=status)


def _with_stats_titles(indicators: Any) -> list[Any]:
    """Each follow-up indicator with the title of the statistics indicator it points to
    (`stats_title`), so the page names it rather than showing its code."""
    from amparo.stats.registry import get as stats_indicator

    out = list(indicators)
    for i in out:
        found = stats_indicator(i.stats_indicator) if i.stats_indicator else None
        i.stats_title = str(found.title) if found is not None else i.stats_indicator
    return out


def _rec(request: HttpRequest, rec_id: Any) -> Recommendation:
    return queries.recommendation_get(request.user, rec_id)  # type: ignore[arg-type]


@login_required
def detail(request: HttpRequest, rec_id: Any) -> HttpResponse:
    return _detail_page(request, _rec(request, rec_id))


def _post_on_record(
    request: HttpRequest,
    rec: Recommendation,
    form: Form,
    run: Any,
    slot: str,
    success: str,
) -> HttpResponse:
    outcome = submit(form, run)
    if outcome.conflict is not None:
        return _detail_page(request, rec, 409, conflict=outcome.conflict)
    if outcome.done:
        messages.success(request, success)
        return _see_other(reverse("recommendations:detail", args=[rec.pk]))
    return _detail_page(request, rec, 422, **{slot: form})


@login_required
@require_POST
def tag(request: HttpRequest, rec_id: Any) -> HttpResponse:
    rec = _rec(request, rec_id)
    form = TagForm(request.POST)
    return _post_on_record(
        request,
        rec,
        form,
        lambda d: actions.tag_decide(actor=request.user, recommendation_id=rec.pk, **d),
        "tag_form",
        _("Tag saved."),
    )


@login_required
@require_POST
def assign(request: HttpRequest, rec_id: Any) -> HttpResponse:
    rec = _rec(request, rec_id)
    form = AssignForm(request.POST, auto_id="assign-%s")
    return _post_on_record(
        request,
        rec,
        form,
        lambda d: actions.assignment_set(actor=request.user, recommendation_id=rec.pk, **d),
        "assign_form",
        _("Institution assigned."),
    )


@login_required
@require_POST
def action_add(request: HttpRequest, rec_id: Any) -> HttpResponse:
    rec = _rec(request, rec_id)
    form = ActionForm(request.POST, auto_id="action-%s")
    return _post_on_record(
        request,
        rec,
        form,
        lambda d: actions.action_add(actor=request.user, recommendation_id=rec.pk, **d),
        "action_form",
        _("Action added."),
    )


@login_required
@require_POST
def indicator_add(request: HttpRequest, rec_id: Any) -> HttpResponse:
    rec = _rec(request, rec_id)
    form = IndicatorForm(request.POST, auto_id="indicator-%s")
    return _post_on_record(
        request,
        rec,
        form,
        lambda d: actions.indicator_add(actor=request.user, recommendation_id=rec.pk, **d),
        "indicator_form",
        _("Indicator added."),
    )


@login_required
@require_POST
def update_submit(request: HttpRequest, rec_id: Any) -> HttpResponse:
    rec = _rec(request, rec_id)
    form = UpdateForm(request.POST, auto_id="update-%s")
    return _post_on_record(
        request,
        rec,
        form,
        lambda d: actions.update_submit(actor=request.user, recommendation_id=rec.pk, **d),
        "update_form",
        _("Update sent for validation."),
    )


@login_required
@require_POST
def update_decide(request: HttpRequest, update_id: Any) -> HttpResponse:
    require(request.user, Perm.RECS_VALIDATE)
    update = queries.update_get(request.user, update_id)  # type: ignore[arg-type]
    rec = update.recommendation
    form = DecisionForm(request.POST, auto_id=f"decision-{update.pk}-%s")

    def run(d: dict[str, Any]) -> Any:
        return actions.update_decide(
            actor=request.user,  # type: ignore[arg-type]
            update_id=update.pk,
            approve=d["decision"] == "approve",
            reason=d["reason"],
            version=d["version"],
        )

    outcome = submit(form, run)
    if outcome.conflict is not None:
        return _detail_page(request, rec, 409, conflict=outcome.conflict)
    if outcome.done:
        messages.success(request, _("Decision recorded."))
        return _see_other(reverse("recommendations:detail", args=[rec.pk]))
    return _detail_page(request, rec, 422, decision_form=form, decision_for=update.pk)


@login_required
@require_POST
def publish(request: HttpRequest, rec_id: Any) -> HttpResponse:
    rec = _rec(request, rec_id)
    form = PublishForm(request.POST)
    return _post_on_record(
        request,
        rec,
        form,
        lambda d: actions.recommendation_publish(actor=request.user, recommendation_id=rec.pk, **d),
        "publish_form",
        _("Publication changed."),
    )


@login_required
@require_POST
def group(request: HttpRequest) -> HttpResponse:
    n = actions.recommendations_group(actor=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        ngettext(
            "%(n)s group of similar recommendations.",
            "%(n)s groups of similar recommendations.",
            n,
        )
        % {"n": n},
    )
    return _see_other(reverse("recommendations:index"))


# ---------------------------------------------------------------- documents


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RECS_READ)
    form = DocumentForm(auto_id="doc-%s")
    status = 200
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, auto_id="doc-%s")

        def run(d: dict[str, Any]) -> Any:
            upload = d["file"]
            if upload.size > actions.MAX_UPLOAD:
                raise InvalidInput.field("file", _("The file is larger than 20 MB."))
            return actions.document_import(
                actor=request.user,  # type: ignore[arg-type]
                name=upload.name or "document",
                data=upload.read(),
                mechanism=d["mechanism"] or "",
                kind=d["kind"] or "",
                symbol=d["symbol"] or "",
                on=d["date"],
            )

        outcome = submit(form, run)
        if outcome.done:
            imported = outcome.result
            r = imported.result  # type: ignore[union-attr]
            messages.success(
                request,
                _("%(symbol)s imported: %(created)s new, %(changed)s changed, %(same)s unchanged.")
                % {
                    "symbol": imported.document.symbol,  # type: ignore[union-attr]
                    "created": r.created,
                    "changed": r.changed,
                    "same": r.unchanged,
                },
            )
            return _see_other(
                reverse("recommendations:document_detail", args=[imported.document.pk])  # type: ignore[union-attr]
            )
        status = 422
    page = Paginator(queries.documents_for(request.user), PAGE_SIZE).get_page(  # type: ignore[arg-type]
        request.GET.get("page")
    )
    return render(
        request,
        "recommendations/documents.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "errors": _summary(form),
            "may_write": has_perm(request.user, Perm.RECS_WRITE),  # type: ignore[arg-type]
        },
        status=status,
    )


@login_required
def document_detail(request: HttpRequest, document_id: Any) -> HttpResponse:
    doc = queries.document_get(request.user, document_id)  # type: ignore[arg-type]
    turns = list(doc.turns.all())
    speaker_of = {n: t for t in turns for n in t.paragraphs}
    paragraphs = [{"p": p, "turn": speaker_of.get(p.number)} for p in doc.paragraphs.all()]
    unanswered = [(t, q) for t in turns for q in t.questions if not q["answered_in"]]
    return render(
        request,
        "recommendations/document_detail.html",
        {
            "doc": doc,
            "paragraphs": paragraphs,
            "turns": turns,
            "unanswered": unanswered,
            "recommendations": doc.recommendations.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def uhri(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RECS_VALIDATE)
    form = UhriForm(auto_id="uhri-%s")
    status = 200
    if request.method == "POST":
        from .uhri import uhri_import

        form = UhriForm(request.POST, request.FILES, auto_id="uhri-%s")
        outcome = submit(
            form,
            lambda d: uhri_import(actor=request.user, stream=d["file"], name=d["file"].name or ""),
        )
        if outcome.done:
            r = outcome.result
            messages.success(
                request,
                ngettext(
                    "%(n)s record read: %(created)s new, %(changed)s changed, %(same)s unchanged.",
                    "%(n)s records read: %(created)s new, %(changed)s changed, %(same)s unchanged.",
                    r.records,  # type: ignore[union-attr]
                )
                % {"n": r.records, "created": r.created, "changed": r.changed, "same": r.unchanged},  # type: ignore[union-attr]
            )
            return _see_other(reverse("recommendations:index"))
        status = 422
    return render(
        request,
        "recommendations/uhri.html",
        {"form": form, "errors": _summary(form)},
        status=status,
    )


# ---------------------------------------------------------------- follow-up


@login_required
@require_http_methods(["GET", "POST"])
def focal_points(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RECS_READ)
    form = FocalPointForm(auto_id="fp-%s")
    status = 200
    if request.method == "POST":
        form = FocalPointForm(request.POST, auto_id="fp-%s")
        outcome = submit(form, lambda d: actions.focal_point_set(actor=request.user, **d))
        if outcome.done:
            messages.success(request, _("Focal point saved."))
            return _see_other(reverse("recommendations:focal_points"))
        status = 422
    rows = FocalPoint.objects.select_related("institution", "user").order_by(
        "institution__name_es", "kind"
    )
    return render(
        request,
        "recommendations/focal_points.html",
        {
            "form": form,
            "rows": rows,
            "errors": _summary(form),
            "may_validate": has_perm(request.user, Perm.RECS_VALIDATE),  # type: ignore[arg-type]
        },
        status=status,
    )


@login_required
def late(request: HttpRequest) -> HttpResponse:
    rows = queries.late_overview(request.user)  # type: ignore[arg-type]
    by_institution: dict[str, int] = {}
    for r in rows:
        by_institution[r.institution] = by_institution.get(r.institution, 0) + 1
    counts = queries.status_counts(queries.recommendations_for(request.user))  # type: ignore[arg-type]
    return render(
        request,
        "recommendations/late.html",
        {
            "rows": rows,
            "by_institution": sorted(by_institution.items(), key=lambda kv: -kv[1]),
            "counts": counts,
        },
    )


@login_required
def to_sign(request: HttpRequest) -> HttpResponse:
    """The progress updates waiting for the user's signature, each linked to the
    recommendation's page where it is validated or returned (the home page counts them)."""
    require(request.user, Perm.RECS_VALIDATE)
    updates = queries.pending_for(request.user).select_related(  # type: ignore[arg-type]
        "recommendation", "institution", "author"
    )
    page = Paginator(updates.order_by("created_at", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "recommendations/to_sign.html", {"page": page, "query": ""})


@login_required
def submissions(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RECS_VALIDATE)
    rows = (
        Submission.objects.filter(state=Submission.State.PENDING).select_related("recommendation")
        if actions.is_coordinator(request.user)  # type: ignore[arg-type]
        else Submission.objects.none()
    )
    return render(
        request,
        "recommendations/submissions.html",
        {
            "rows": rows,
            "form": ModerationForm(),
            "coordinator": actions.is_coordinator(request.user),
        },  # type: ignore[arg-type]
    )


@login_required
@require_POST
def moderate(request: HttpRequest, submission_id: int) -> HttpResponse:
    require(request.user, Perm.RECS_VALIDATE)
    form = ModerationForm(request.POST)
    outcome = submit(
        form,
        lambda d: actions.submission_moderate(
            actor=request.user,
            submission_id=submission_id,
            publish=d["decision"] == "publish",
            reason=d["reason"],
        ),
    )
    if outcome.done:
        messages.success(request, _("Moderation recorded."))
        return _see_other(reverse("recommendations:submissions"))
    rows = Submission.objects.filter(state=Submission.State.PENDING)
    return render(
        request,
        "recommendations/submissions.html",
        {
            "rows": rows if actions.is_coordinator(request.user) else [],  # type: ignore[arg-type]
            "form": ModerationForm(),
            "errors": _summary(form),
            "coordinator": actions.is_coordinator(request.user),  # type: ignore[arg-type]
        },
        status=422,
    )


# ---------------------------------------------------------------- report drafts


@login_required
@require_http_methods(["GET", "POST"])
def drafts(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RECS_VALIDATE)
    form = DraftForm(auto_id="draft-%s")
    status = 200
    if request.method == "POST":
        form = DraftForm(request.POST, auto_id="draft-%s")
        outcome = submit(
            form,
            lambda d: actions.draft_create(
                actor=request.user, loipr_id=d["loipr"] or None, title=d["title"]
            ),
        )
        if outcome.done:
            messages.success(request, _("Draft started."))
            return _see_other(reverse("recommendations:draft_detail", args=[outcome.result.pk]))  # type: ignore[union-attr]
        status = 422
    return render(
        request,
        "recommendations/drafts.html",
        {
            "form": form,
            "rows": ReportDraft.objects.select_related("loipr"),
            "errors": _summary(form),
        },
        status=status,
    )


def _draft(request: HttpRequest, draft_id: Any) -> ReportDraft:
    require(request.user, Perm.RECS_VALIDATE)
    draft = ReportDraft.objects.select_related("loipr").filter(pk=draft_id).first()
    if draft is None:
        raise NotFound
    return draft


def _draft_page(
    request: HttpRequest, draft: ReportDraft, status: int = 200, **extra: Any
) -> HttpResponse:
    view = report.build(draft)
    return render(
        request, "recommendations/draft_detail.html", {"view": view, **extra}, status=status
    )


@login_required
def draft_detail(request: HttpRequest, draft_id: Any) -> HttpResponse:
    return _draft_page(request, _draft(request, draft_id))


@login_required
@require_POST
def draft_section(request: HttpRequest, draft_id: Any, paragraph: int) -> HttpResponse:
    draft = _draft(request, draft_id)
    form = SectionForm(request.POST)
    outcome = submit(
        form,
        lambda d: actions.draft_section_save(
            actor=request.user,
            draft_id=draft.pk,
            paragraph=paragraph,
            text=d["text"],
            version=d["version"],
        ),
    )
    if outcome.conflict is not None:
        return _draft_page(request, draft, 409, conflict=outcome.conflict)
    if outcome.done:
        messages.success(request, _("Section saved."))
        return _see_other(
            reverse("recommendations:draft_detail", args=[draft.pk]) + f"#s{paragraph}"
        )
    return _draft_page(request, draft, 422, errors=_summary(form))


@login_required
def draft_export(request: HttpRequest, draft_id: Any) -> HttpResponse:
    view = report.build(_draft(request, draft_id))
    fmt = request.GET.get("format", "docx")
    if fmt == "pdf":
        body, mime = report.to_pdf(view), "application/pdf"
    else:
        fmt = "docx"
        body = report.to_docx(view)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="draft-{view.draft.pk}.{fmt}"'
    return response


# ---------------------------------------------------------------- public portal


def portal(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, language=_lang())
    qs = queries.recommendations_for(None, _filters(form))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "recommendations/portal.html",
        {"form": form, "page": page, "rows": page.object_list, "query": _query(request)},
    )


def _portal_page(
    request: HttpRequest, rec: Recommendation, form: SubmissionForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "recommendations/portal_detail.html",
        {"rec": public_detail(rec), "form": form, "errors": _summary(form)},
        status=status,
    )


def _public_rec(rec_id: Any) -> Recommendation:
    try:
        return queries.recommendation_get(None, rec_id)
    except NotFound as exc:
        raise Http404 from exc


def portal_detail(request: HttpRequest, rec_id: Any) -> HttpResponse:
    return _portal_page(request, _public_rec(rec_id), SubmissionForm(auto_id="sub-%s"))


@require_POST
def portal_submit(request: HttpRequest, rec_id: Any) -> HttpResponse:
    rec = _public_rec(rec_id)
    form = SubmissionForm(request.POST, auto_id="sub-%s")
    done = reverse("recommendations:portal_detail", args=[rec.pk]) + "?sent=1"
    if request.POST.get("website"):
        return _see_other(done)  # a robot filled the hidden field: nothing kept

    def run(d: dict[str, Any]) -> Any:
        return actions.submission_send(
            recommendation_id=rec.pk,
            organisation=d["organisation"],
            email=d["email"],
            text=d["text"],
            link=d["link"],
            language=_lang(),
            client=client_key(request),
        )

    outcome = submit(form, run)
    if outcome.done:
        messages.success(
            request, _("Thank you. Your information will be published once it is reviewed.")
        )
        return _see_other(done)
    return _portal_page(request, rec, form, 422)


def home_panel(user: Any) -> dict[str, Any]:
    """Progress updates waiting for the user's signature (core.views.home)."""
    return {"recs_pending": queries.pending_for(user).count()}
