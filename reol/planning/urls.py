from django.urls import path

from . import views

urlpatterns = [
    path("", views.calendar, name="planning-calendar"),
    path("plans/", views.groups, name="planning-groups"),
    path("plans/<int:pk>/", views.group_plan, name="planning-group"),
    path("topics/<int:pk>/", views.entry_page, name="planning-entry"),
    path("collaborations/", views.collaborations, name="planning-collaborations"),
    path("collaborations/<int:pk>/", views.collaboration, name="planning-collaboration"),
    path(
        "collaborations/<int:pk>/workshops/",
        views.collaboration_workshop,
        name="planning-collaboration-workshop",
    ),
    path("team/", views.team, name="planning-team"),
    path("feeds/", views.feeds, name="planning-feeds"),
]
