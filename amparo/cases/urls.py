from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_page, name="list"),
    path("new/", views.case_open_page, name="open"),
    path("approvals/", views.approvals_page, name="approvals"),
    path("tasks/overdue/", views.overdue_page, name="overdue"),
    path("referrals/", views.referrals_page, name="referrals"),
    path("referrals/<uuid:referral_id>/decide/", views.referral_decide, name="referral_decide"),
    path("referrals/<uuid:referral_id>/services/", views.service_add, name="service_add"),
    path("<uuid:case_id>/", views.case_detail_page, name="detail"),
    path("<uuid:case_id>/steps/", views.step, name="step"),
    path(
        "<uuid:case_id>/approvals/<int:approval_id>/",
        views.approval_decide,
        name="approval_decide",
    ),
    path("<uuid:case_id>/tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("<uuid:case_id>/forms/<slug:form_code>/", views.form_save, name="form_save"),
    path("<uuid:case_id>/notes/", views.note_add, name="note_add"),
    path("<uuid:case_id>/files/", views.attachment_add, name="attachment_add"),
    path(
        "<uuid:case_id>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("<uuid:case_id>/referrals/", views.referral_send, name="referral_send"),
    path("<uuid:case_id>/consents/", views.consent_add, name="consent_add"),
]
