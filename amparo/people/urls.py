from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("new/candidates/", views.candidates, name="candidates"),
    path("link/", views.link, name="link"),
    path("<uuid:person_id>/", views.detail, name="detail"),
    path("<uuid:person_id>/edit/", views.edit, name="edit"),
]
