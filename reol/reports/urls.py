from django.urls import path

from . import views, views_evaluation, views_results

urlpatterns = [
    path("", views.index, name="reports-index"),
    path("weeding/", views.weeding, name="reports-weeding"),
    path("evaluation/", views_evaluation.evaluation_page, name="reports-evaluation"),
    path("results/import/", views_results.import_results, name="reports-results-import"),
    path("annual-report.pdf", views.annual_report, name="reports-annual"),
    path("<slug:key>/", views.report_page, name="reports-report"),
]
