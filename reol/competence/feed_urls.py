"""A person's course calendar at its secret address, outside /staff/ (no sign-in)."""

from django.urls import path

from .views import courses, schedule

urlpatterns = [
    path("<str:token>.ics", courses.feed, name="competence-feed"),
    path("schedule/<str:token>.ics", schedule.feed, name="competence-schedule-feed"),
]
