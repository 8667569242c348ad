"""The calendar feeds' secret addresses, outside /staff/ (calendar clients do not sign in)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:token>.ics", views.feed, name="planning-feed"),
]
