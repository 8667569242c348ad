"""Anyone's own pages of the technology app (mounted at /me/devices/): report a problem, and
follow what one reported."""

from django.urls import path

from . import views_orders

urlpatterns = [
    path("report/", views_orders.report, name="technology-report"),
    path("reports/", views_orders.my_reports, name="technology-my-reports"),
]
