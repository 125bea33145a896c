"""The statistics' background work: what a request is (its key), what data it reads (the
fingerprint that says whether a kept result is still true), and the run itself, done by the
worker (tasks.py): render the page's result or write the export file, keep it, or record why
it failed without losing the last good result."""

from __future__ import annotations

import hashlib
import json
import logging
from functools import cache
from typing import Any

from django.core.files import File
from django.db import connection, models
from django.db.models import Count, F, Max, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amparo.people.models import Person

from . import exports, pages
from .models import Computation
from .registry import catalogue

logger = logging.getLogger(__name__)


def request_key(kind: str, params: dict[str, Any], language: str) -> str:
    """One key per distinct question: the same page, period, breakdowns and language, asked
    of the same version of Amparo (a new version computes its own results rather than show
    pages laid out by the old one; it is in the key, not in the data's fingerprint, so a web
    process and a worker of different versions never undo each other's work in a loop)."""
    asked = [kind, params, language, _code_digest()]
    text = json.dumps(asked, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _models_on(model: type[models.Model], path: str) -> list[type[models.Model]]:
    """The models a field path passes through (a filter, date or breakdown reads them all)."""
    out = []
    current: Any = model
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except Exception:  # noqa: BLE001 - a lookup (`__in`) or a JSON key ends the path
            break
        if field.related_model is None:
            break
        current = field.related_model
        out.append(current)
    return out


@cache
def source_models() -> tuple[type[models.Model], ...]:
    """Every table an indicator reads: its own and those its filters and breakdowns join."""
    found: dict[str, type[models.Model]] = {Person._meta.label: Person}
    for ind in catalogue():
        model = ind.model_class
        found[model._meta.label] = model
        paths = [ind.date_field, *ind.filters, *ind.excludes, *ind.disaggregations.values()]
        for path in paths:
            for related in _models_on(model, path):
                found[related._meta.label] = related
    return tuple(found[label] for label in sorted(found))


def _table_state(model: type[models.Model]) -> list[Any]:
    """What says a table changed, read from indexes only where the table is large:
    - a register with growing integer keys (contacts, services, case events, flow counts) is
      append-only: its newest key says a row was added (counting a million rows would not);
    - any other table: its rows, and for a versioned one the sum of its versions (every
      update of a versioned record raises its version)."""
    names = {f.name for f in model._meta.concrete_fields}
    agg: dict[str, Any] = {}
    if isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
        agg["last"] = Max("pk")
    else:
        agg["n"] = Count("pk")
    if "version" in names:
        agg["versions"] = Sum(F("version"))
    state = model._base_manager.aggregate(**agg)
    return [state[k] for k in sorted(state)]


@cache
def _code_digest() -> str:
    """The code and words a result is made with (templates, the modules that compute and draw,
    the compiled translations). Read once per process."""
    from pathlib import Path

    from django.conf import settings
    from django.template.loader import get_template

    from . import charts, compute, suppression

    files = [Path(get_template(name).origin.name) for name, _b in pages.PAGES.values()]
    files += [Path(m.__file__ or "") for m in (pages, charts, compute, exports, suppression)]
    files += sorted(Path(settings.BASE_DIR).glob("locale/*/LC_MESSAGES/django.mo"))
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def data_fingerprint() -> str:
    """A digest of the state of the tables the statistics read. Cheap enough (maxima of keys,
    counts and sums of versions of the smaller tables) for each page view to ask whether its
    kept result is still true."""
    state = [[m._meta.label, *_table_state(m)] for m in source_models()]
    text = json.dumps(state, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{connection.vendor}:{text}".encode()).hexdigest()


def _progress(computation_id: Any) -> pages.Tick:
    def tick() -> None:
        Computation.objects.filter(pk=computation_id).update(steps_done=F("steps_done") + 1)

    return tick


def readable(exc: BaseException) -> str:
    """What went wrong, in words a person can read (not a traceback)."""
    text = str(exc).strip() or exc.__class__.__name__
    return text[:500]


def run(computation_id: Any) -> str:
    """Compute a request in the worker. The last good result is replaced only by a new good
    one; a failure is recorded with its reason (and logged), the good result kept."""
    job = Computation.objects.filter(pk=computation_id).first()
    if job is None or job.status == Computation.Status.DONE:
        return "gone" if job is None else job.status  # a task delivered twice does nothing
    fingerprint = data_fingerprint()
    Computation.objects.filter(pk=job.pk).update(
        status=Computation.Status.RUNNING,
        started_at=timezone.now(),
        steps_done=0,
        steps_total=pages.steps(job.kind, job.params),
        run_fingerprint=fingerprint,
    )
    tick = _progress(job.pk)
    try:
        # No transaction around the work: each tick must be seen by the page while it runs.
        with translation.override(job.language):
            if job.kind == Computation.Kind.EXPORT:
                _write_export(job, tick)
            else:
                template, build = pages.PAGES[job.kind]
                job.html = render_to_string(template, build(job.params, tick))
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, shown and logged
        logger.exception("Statistics computation %s (%s) failed", job.pk, job.kind)
        Computation.objects.filter(pk=job.pk).update(
            status=Computation.Status.FAILED,
            finished_at=timezone.now(),
            error=readable(exc),
        )
        raise
    now = timezone.now()
    old_file = Computation.objects.get(pk=job.pk).file
    job.status, job.finished_at, job.computed_at = Computation.Status.DONE, now, now
    job.fingerprint, job.run_fingerprint, job.error = fingerprint, fingerprint, ""
    job.steps_total = job.steps_done = pages.steps(job.kind, job.params)
    job.save(
        update_fields=[
            "status", "finished_at", "computed_at", "fingerprint", "run_fingerprint", "error",
            "steps_done", "steps_total", "html", "file",
        ]
    )  # fmt: skip
    if old_file and old_file.name != job.file.name:
        old_file.delete(save=False)  # the file it replaces: one kept file per request
    return job.status


def _write_export(job: Computation, tick: pages.Tick) -> None:
    fmt = job.params["fmt"]
    if fmt not in exports.FORMATS:
        raise ValueError(_("Unknown export format."))
    asked = pages.Asked.of(job.params)
    handle = exports.export_file(fmt, asked.period, asked.institution, tick)
    try:
        name = f"{job.pk.hex}-{exports.file_name(fmt, asked.period, asked.institution)}"
        job.file.save(name, File(handle), save=False)
    finally:
        handle.close()
