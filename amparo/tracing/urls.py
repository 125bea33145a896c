from django.urls import path

from . import views

app_name = "tracing"
urlpatterns = [
    path("people/", views.person_options, name="person_options"),
    path("figures/", views.figures, name="figures"),
    # Missing-person reports and their searches.
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<uuid:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<uuid:report_id>/forensic/", views.report_forensic, name="report_forensic"),
    path("reports/<uuid:report_id>/searches/", views.report_search, name="report_search"),
    path("reports/<uuid:report_id>/found/", views.report_found, name="report_found"),
    path("reports/<uuid:report_id>/case/", views.report_case, name="report_case"),
    path("searches/<uuid:search_id>/answer/", views.search_answer, name="search_answer"),
    # Unidentified remains.
    path("remains/", views.remains, name="remains"),
    path("remains/new/", views.remains_new, name="remains_new"),
    path("remains/<uuid:remains_id>/", views.remains_detail, name="remains_detail"),
    path("remains/<uuid:remains_id>/burial/", views.remains_burial, name="remains_burial"),
    path("remains/<uuid:remains_id>/identify/", views.remains_identify, name="remains_identify"),
    # Family tracing and reunification.
    path("family/", views.requests, name="requests"),
    path("family/new/", views.request_new, name="request_new"),
    path("family/<uuid:request_id>/", views.request_detail, name="request_detail"),
    path("family/<uuid:request_id>/candidates/", views.candidate_add, name="candidate_add"),
    path("family/<uuid:request_id>/outcome/", views.request_outcome, name="request_outcome"),
    path(
        "candidates/<uuid:candidate_id>/decision/",
        views.candidate_decide,
        name="candidate_decide",
    ),
]
