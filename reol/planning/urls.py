from django.urls import path

from . import views, views_collaborations, views_feeds, views_plans, views_team

urlpatterns = [
    path("", views.calendar, name="planning-calendar"),
    path("plans/", views_plans.groups, name="planning-groups"),
    path("plans/<int:pk>/", views_plans.group_plan, name="planning-group"),
    path("topics/<int:pk>/", views_plans.entry_page, name="planning-entry"),
    path("topics/<int:pk>/request/", views_plans.entry_request, name="planning-entry-request"),
    path("collaborations/", views_collaborations.collaborations, name="planning-collaborations"),
    path(
        "collaborations/<int:pk>/",
        views_collaborations.collaboration,
        name="planning-collaboration",
    ),
    path(
        "collaborations/<int:pk>/workshops/",
        views_collaborations.collaboration_workshop,
        name="planning-collaboration-workshop",
    ),
    path("team/", views_team.team, name="planning-team"),
    path("feeds/", views_feeds.feeds, name="planning-feeds"),
]
