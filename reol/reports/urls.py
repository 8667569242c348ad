from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="reports-index"),
    path("weeding/", views.weeding, name="reports-weeding"),
    path("annual-report.pdf", views.annual_report, name="reports-annual"),
    path("<slug:key>/", views.report_page, name="reports-report"),
]
