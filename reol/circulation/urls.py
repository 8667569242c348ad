from django.urls import path

from . import views

urlpatterns = [
    path("", views.desk, name="circulation-desk"),
    path("hold-shelf/", views.hold_shelf, name="circulation-hold-shelf"),
    path("rules/", views.rules_page, name="circulation-rules"),
    path("rules/new/", views.rule_edit, name="circulation-rule-new"),
    path("rules/adopt/", views.rules_adopt, name="circulation-rules-adopt"),
    path("rules/<int:pk>/", views.rule_edit, name="circulation-rule-edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="circulation-rule-delete"),
]
