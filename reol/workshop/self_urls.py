"""Anyone's own workshop pages (mounted at /me/workshop/): ask for guidance, and the guides."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.student, name="workshop-student"),
    path("sessions/<int:pk>/<str:state>/", views.move, name="workshop-session-move"),
    path("guides/", views.guides, name="workshop-guides"),
    path("guides/<int:pk>/", views.guide, name="workshop-guide"),
]
