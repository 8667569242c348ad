from django.urls import path

from . import views

urlpatterns = [
    path("", views.library, name="workshop-library"),
    path("teacher/", views.teacher, name="workshop-teacher"),
    path("room/", views.room, name="workshop-room"),
    path("guides/new/", views.edit_guide, name="workshop-guide-new"),
    path("guides/<int:pk>/edit/", views.edit_guide, name="workshop-guide-edit"),
]
