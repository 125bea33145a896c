from django.urls import path

from . import views

app_name = "flows"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("points/<slug:code>/", views.point_page, name="point"),
    path("entry/", views.entry_page, name="entry"),
    path("streams/", views.stream_page, name="streams"),
    path("run/", views.run_now, name="run"),
    path("runs/<uuid:run_id>/", views.run_status, name="run_status"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("alerts/<uuid:change_id>/", views.alert_page, name="alert"),
    path("alerts/<uuid:change_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("alerts/<uuid:change_id>/bulletin.pdf", views.bulletin_pdf_view, name="bulletin_pdf"),
    path("alerts/<uuid:change_id>/bulletin.json", views.bulletin_json_view, name="bulletin_json"),
    path("tasks/", views.tasks_page, name="tasks"),
    path("tasks/<int:task_id>/done/", views.task_done_view, name="task_done"),
    path("plans/<uuid:activation_id>/", views.activation_page, name="activation"),
    path("plans/<uuid:activation_id>/support/", views.support_view, name="support"),
]
