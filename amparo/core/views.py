"""Pages of the network shell: home per role, language, second factor, audit search, errors."""

from __future__ import annotations

import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_record
from .jobs import failed_recently, health_cached, sees_job_failures, worker_state
from .models import Role
from .permissions import Perm, has_perm
from .queries import audit_search, break_glass_reads


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness, and the background work's state in counts and times only (the page is open,
    so no names, no error texts): tasks failed in the last 24 hours, tasks waiting, and whether
    the worker was seen recently. Figures at most 30 s old, so polling stays cheap."""
    return JsonResponse({"status": "ok", **health_cached()})


HELD_COUNT_CAP = 10_000


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from amparo.people.queries import persons_visible_count, persons_visible_to

    user = request.user
    context: dict[str, object] = {"role_label": Role(user.role).label}
    if has_perm(user, Perm.PERSON_READ):
        visible = persons_visible_to(user)
        context["recent"] = visible.filter(created_by=user).order_by("-created_at")[:10]
        # Counted up to a cap: the exact size of a large institution's caseload is a statistic
        # (the statistics pages give it); every sign-in should not scan every person.
        held = persons_visible_count(user, cap=HELD_COUNT_CAP)
        context["held_count"] = min(held, HELD_COUNT_CAP)
        context["held_more"] = held > HELD_COUNT_CAP
    if has_perm(user, Perm.STATS_READ):
        from amparo.people.models import Involvement

        context["by_sex"] = (
            Involvement.objects.filter(
                institution_id=user.institution_id, person__voided_at__isnull=True
            )
            .values("person__sex")
            .annotate(n=Count("person_id", distinct=True))
            .order_by("person__sex")
        )
    if has_perm(user, Perm.USER_MANAGE):
        from .models import User

        members = User.objects.filter(institution_id=user.institution_id)
        context["members"] = members.order_by("username")[:50]
    if has_perm(user, Perm.AUDIT_READ):
        context["audit_recent"] = audit_search(actor=user)[:10]
        context["break_glass"] = break_glass_reads(actor=user)[:20]
    if has_perm(user, Perm.CASE_READ):
        from amparo.cases.views import home_panels

        context.update(home_panels(user))
    if has_perm(user, Perm.ASSISTANCE_READ):
        from amparo.assistance.views import home_panel

        context.update(home_panel(user))
    if has_perm(user, Perm.TRACING_READ):
        from amparo.tracing.views import home_panel as tracing_panel

        context.update(tracing_panel(user))
    if has_perm(user, Perm.FLOWS_READ):
        from amparo.flows.views import home_panel as flows_panel

        context.update(flows_panel(user))
    if has_perm(user, Perm.RECS_VALIDATE):  # those who sign progress updates
        from amparo.recommendations.views import home_panel as recs_panel

        context.update(recs_panel(user))
    context["stats_links"] = has_perm(user, Perm.STATS_READ)
    if sees_job_failures(user):  # those who keep the worker running are told of its failures
        context["failed_jobs"] = failed_recently()
        context["worker"] = worker_state()
    if has_perm(user, Perm.PERSON_MERGE):
        from amparo.matching.review import candidates_for

        context["match_open"] = candidates_for(user).filter(status="open").count()
    return render(request, "core/home.html", context)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in {code for code, _ in settings.LANGUAGES}:
        request.session["language"] = language
        if request.user.is_authenticated and request.user.language != language:
            from .models import User

            User.objects.filter(pk=request.user.pk).update(language=language)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def _code_already_used(device: TOTPDevice, token: str) -> bool:
    """True when the code is right for now but was accepted before: django-otp refuses a code
    whose time step is not later than the last one used (no replay), and says only "no"."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return device.last_t >= 0 and totp.verify(int(token), device.tolerance)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        token = "".join(request.POST.get("token", "").split())
        device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        if device and not device.verify_is_allowed()[0]:
            # After wrong codes the device refuses even a right one for a while: say so.
            error = _("Too many wrong codes. Wait a few seconds and enter the code again.")
        elif device and token.isdigit() and device.verify_token(token):
            otp_login(request, device)
            audit_record(actor=request.user, action="auth.second_factor")
            return redirect("home")
        elif device and token.isdigit() and _code_already_used(device, token):
            error = _(
                "This code has already been used. Wait until your authenticator shows the next "
                "code (it changes every 30 seconds) and enter that one."
            )
        else:
            error = _("The code is not valid. Enter the 6 digits your authenticator shows now.")
    return render(
        request, "registration/otp_verify.html", {"error": error}, status=400 if error else 200
    )


def _parse_day(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.AUDIT_READ):
        return forbidden(request)
    params = request.GET
    since, until = _parse_day(params.get("since", "")), _parse_day(params.get("until", ""))
    errors = {}
    if params.get("since") and since is None:
        errors["since"] = _("Enter a valid date (YYYY-MM-DD).")
    if params.get("until") and until is None:
        errors["until"] = _("Enter a valid date (YYYY-MM-DD).")
    entries = audit_search(
        actor=request.user,
        username=params.get("username", "")[:150],
        action=params.get("action", "")[:60],
        since=since,
        until=until,
    )
    page = Paginator(entries, 50).get_page(params.get("page"))
    return render(request, "core/audit.html", {"page": page, "errors": errors, "params": params})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"code": 400, "message": _("The request could not be understood.")},
        status=400,
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"code": 403, "message": _("You do not have access to this page.")},
        status=403,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"code": 404, "message": _("This page does not exist or you do not have access to it.")},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"code": 500, "message": _("Something went wrong on our side. Nothing was saved.")},
        status=500,
    )
