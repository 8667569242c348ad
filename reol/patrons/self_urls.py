"""The signed-in person's own library record (mounted at /me/library/)."""

from django.urls import path

from . import views, views_privacy

urlpatterns = [
    path("", views.self_service, name="patrons-self"),
    path("export/", views_privacy.self_export, name="patrons-self-export"),
    path(
        "export.json", views_privacy.self_export, {"fmt": "json"}, name="patrons-self-export-json"
    ),
]
