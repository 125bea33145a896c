from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:candidate_id>/", views.candidate, name="candidate"),
    path("<int:candidate_id>/decision/", views.decide, name="decide"),
]
