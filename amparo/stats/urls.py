from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.index, name="index"),
    path("questions/", views.questions, name="questions"),
    path("report/", views.report, name="report"),
    path("report/export.<slug:fmt>", views.export, name="export"),
    path("indicators/<str:indicator_id>/", views.indicator, name="indicator"),
    path("indicators/<str:indicator_id>/records/", views.records, name="records"),
    path("computations/<uuid:job_id>/", views.computation, name="computation"),
    path("computations/<uuid:job_id>/file", views.computation_file, name="computation_file"),
    path("computations/<uuid:job_id>/again", views.computation_again, name="computation_again"),
]
