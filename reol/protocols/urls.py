from django.urls import path

from . import oai, sru, views

urlpatterns = [
    path("sru/<slug:municipality>/", sru.endpoint, name="sru"),
    path("sru/<slug:municipality>/<slug:school>/", sru.endpoint, name="sru-school"),
    path("oai/<slug:municipality>/", oai.endpoint, name="oai"),
    path("staff/sharing/", views.settings_page, name="protocols-settings"),
]
