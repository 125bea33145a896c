"""Case pages: list, case page with timeline, steps, forms, tasks, referrals."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amparo.core.permissions import Perm, require

from .queries import case_list


@login_required
def case_list_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CASE_READ)
    cases = case_list(actor=request.user)[:100]
    return render(request, "cases/list.html", {"cases": cases})
