from django.urls import path

from . import views

app_name = "labour"
urlpatterns = [
    # Public: no sign-in.
    path("check/", views.check, name="check"),
    path("report/", views.report, name="report"),
    # The recruiter register.
    path("recruiters/", views.recruiters, name="recruiters"),
    path("recruiters/new/", views.recruiter_new, name="recruiter_new"),
    path("recruiters/<uuid:recruiter_id>/", views.recruiter_detail, name="recruiter_detail"),
    path(
        "recruiters/<uuid:recruiter_id>/decision/", views.recruiter_decide, name="recruiter_decide"
    ),
    path(
        "recruiters/<uuid:recruiter_id>/supervision/",
        views.recruiter_supervise,
        name="recruiter_supervise",
    ),
    path("fraud-reports/", views.fraud_reports, name="fraud_reports"),
    path("fraud-reports/<uuid:report_id>/review/", views.fraud_review, name="fraud_review"),
    # Programmes: employers, offers, workers, pamphlets.
    path("offers/", views.offers, name="offers"),
    path("employers/new/", views.employer_new, name="employer_new"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<uuid:offer_id>/", views.offer_detail, name="offer_detail"),
    path("offers/<uuid:offer_id>/workers/", views.placement_new, name="placement_new"),
    path("workers/<uuid:placement_id>/step/", views.placement_step, name="placement_step"),
    path("workers/<uuid:placement_id>/readmit/", views.placement_readmit, name="placement_readmit"),
    path("person-options/", views.person_options, name="person_options"),
    path("pamphlets/", views.pamphlets, name="pamphlets"),
    # Support abroad.
    path("visits/", views.visits, name="visits"),
    path("services/", views.services, name="services"),
    path("figures/", views.figures, name="figures"),
]
