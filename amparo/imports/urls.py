from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.import_page, name="page"),
    path("layouts/", views.layouts_page, name="layouts"),
    path("layouts/<slug:kind>.csv", views.layout_template, name="layout_template"),
    path("<uuid:job_id>/", views.import_detail, name="detail"),
    path("<uuid:job_id>/rejects.csv", views.import_rejects, name="rejects"),
]
