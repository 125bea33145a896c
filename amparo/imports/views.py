"""Import pages: upload a file, follow its progress, download the rejected rows, read the
published column layouts."""

from __future__ import annotations

import csv
import io
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from amparo.core.audit import audit_record
from amparo.core.errors import InvalidInput
from amparo.core.export import safe_row
from amparo.core.permissions import Perm, require

from .actions import import_create, import_enqueue
from .forms import ImportForm
from .layouts import LAYOUTS, layout_get
from .models import ImportJob

RECENT = 30


def _jobs(request: HttpRequest):  # type: ignore[no-untyped-def]
    return ImportJob.objects.filter(institution_id=request.user.institution_id).select_related(
        "created_by"
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.IMPORT_RUN)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file=upload,
                name=upload.name,
                size=upload.size,
                source=form.cleaned_data["source"],
                mode=form.cleaned_data["mode"],
                date_order=form.cleaned_data["date_order"],
                sheet=form.cleaned_data["sheet"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            import_enqueue(job)
            messages.success(request, _("The file is queued for import."))
            return redirect("imports:detail", job_id=job.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "imports/page.html",
        {"form": form, "jobs": _jobs(request)[:RECENT], "layouts": sorted(LAYOUTS.items())},
        status=status,
    )


def _job(request: HttpRequest, job_id: uuid.UUID) -> ImportJob:
    require(request.user, Perm.IMPORT_RUN)
    job = _jobs(request).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


@login_required
def import_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    template = "imports/_progress.html" if request.htmx else "imports/detail.html"
    return render(request, template, {"job": job, "layout": layout_get(job.kind)})


@login_required
def import_rejects(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    job = _job(request, job_id)
    if not job.reject_file:
        raise Http404
    return rejects_response(request, job)


def rejects_response(request: HttpRequest, job: ImportJob) -> FileResponse:
    """The reject file as a download; downloading it is audited (it holds people's data)."""
    audit_record(actor=request.user, action="import.rejects_download", obj=job)
    return FileResponse(
        job.reject_file.open("rb"),
        as_attachment=True,
        filename=f"{job.kind}-rechazos-{job.pk.hex[:8]}.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
def layouts_page(request: HttpRequest) -> HttpResponse:
    return render(request, "imports/layouts.html", {"layouts": sorted(LAYOUTS.items())})


@login_required
def layout_template(request: HttpRequest, kind: str) -> HttpResponse:
    """An example file of the layout: the header and one example row."""
    layout = layout_get(kind)
    if layout is None:
        raise Http404
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.name for c in layout.columns])
    writer.writerow(safe_row([c.example for c in layout.columns]))
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response
