from django.urls import path

from . import views

urlpatterns = [
    path("", views.upload, name="rosters-upload"),
    path("<int:pk>/", views.options, name="rosters-options"),
    path("runs/<int:pk>/", views.job_page, name="rosters-job"),
    path("runs/<int:pk>/import/", views.confirm, name="rosters-confirm"),
    path("mappings/<int:pk>/delete/", views.preset_delete, name="rosters-preset-delete"),
]
