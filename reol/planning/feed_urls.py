"""The calendar feeds' secret addresses, outside /staff/ (calendar clients do not sign in)."""

from django.urls import path

from . import views_feeds

urlpatterns = [
    path("<str:token>.ics", views_feeds.feed, name="planning-feed"),
]
