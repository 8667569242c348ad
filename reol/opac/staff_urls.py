from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.lists, name="opac-staff-lists"),
    path("<int:pk>/", staff_views.edit_list, name="opac-staff-list"),
]
