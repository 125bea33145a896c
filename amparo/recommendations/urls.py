from django.urls import path

from . import views

app_name = "recommendations"
urlpatterns = [
    path("", views.index, name="index"),
    path("groups/", views.group, name="group"),
    path("items/<uuid:rec_id>/", views.detail, name="detail"),
    path("items/<uuid:rec_id>/tags/", views.tag, name="tag"),
    path("items/<uuid:rec_id>/assignments/", views.assign, name="assign"),
    path("items/<uuid:rec_id>/actions/", views.action_add, name="action_add"),
    path("items/<uuid:rec_id>/indicators/", views.indicator_add, name="indicator_add"),
    path("items/<uuid:rec_id>/updates/", views.update_submit, name="update_submit"),
    path("items/<uuid:rec_id>/publication/", views.publish, name="publish"),
    path("updates/to-sign/", views.to_sign, name="to_sign"),
    path("updates/<uuid:update_id>/decision/", views.update_decide, name="update_decide"),
    path("documents/", views.documents, name="documents"),
    path("documents/<uuid:document_id>/", views.document_detail, name="document_detail"),
    path("uhri/", views.uhri, name="uhri"),
    path("focal-points/", views.focal_points, name="focal_points"),
    path("late/", views.late, name="late"),
    path("submissions/", views.submissions, name="submissions"),
    path("submissions/<int:submission_id>/moderation/", views.moderate, name="moderate"),
    path("drafts/", views.drafts, name="drafts"),
    path("drafts/<uuid:draft_id>/", views.draft_detail, name="draft_detail"),
    path(
        "drafts/<uuid:draft_id>/sections/<int:paragraph>/",
        views.draft_section,
        name="draft_section",
    ),
    path("drafts/<uuid:draft_id>/export/", views.draft_export, name="draft_export"),
    # The public portal: no sign-in.
    path("portal/", views.portal, name="portal"),
    path("portal/<uuid:rec_id>/", views.portal_detail, name="portal_detail"),
    path("portal/<uuid:rec_id>/information/", views.portal_submit, name="portal_submit"),
]
