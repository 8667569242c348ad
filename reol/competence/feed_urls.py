"""A person's course calendar at its secret address, outside /staff/ (no sign-in)."""

from django.urls import path

from .views import courses

urlpatterns = [path("<str:token>.ics", courses.feed, name="competence-feed")]
