"""The pages of acquisitions for everyone at a school (suggestions, the bulletin)."""

from django.urls import path

from . import views_public, views_reconsideration

urlpatterns = [
    path("suggest/", views_public.suggest, name="acquisitions-suggest"),
    path("new/", views_public.new_materials, name="acquisitions-new"),
    path("new/digest/", views_public.digest_subscription, name="acquisitions-digest"),
    path(
        "new/<slug:code>/feed.atom", views_public.new_materials_feed, name="acquisitions-new-feed"
    ),
    path(
        "reconsider/<int:record_pk>/",
        views_reconsideration.ask,
        name="acquisitions-reconsider",
    ),
]
