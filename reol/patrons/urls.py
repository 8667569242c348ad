from django.urls import path

from . import views, views_groups, views_privacy, views_rollover

urlpatterns = [
    path("", views.patron_list, name="patrons-list"),
    path("new/", views.patron_add, name="patrons-add"),
    path("<int:pk>/", views.patron_detail, name="patrons-detail"),
    path("<int:pk>/edit/", views.patron_edit, name="patrons-edit"),
    path("<int:pk>/block/", views.block_add, name="patrons-block-add"),
    path("blocks/<int:pk>/lift/", views.block_lift, name="patrons-block-lift"),
    path("<int:pk>/export/", views_privacy.patron_export, name="patrons-export"),
    path(
        "<int:pk>/export.json",
        views_privacy.patron_export,
        {"fmt": "json"},
        name="patrons-export-json",
    ),
    path("<int:pk>/erase/", views_privacy.patron_erase, name="patrons-erase"),
    path("groups/", views_groups.group_list, name="patrons-groups"),
    path("groups/<int:pk>/", views_groups.group_detail, name="patrons-group"),
    path(
        "groups/<int:pk>/remove/<int:patron_pk>/",
        views_groups.group_remove_member,
        name="patrons-group-remove",
    ),
    path("groups/<int:pk>/cards.pdf", views_groups.group_cards, name="patrons-group-cards"),
    path(
        "groups/<int:pk>/cards/assign/",
        views_groups.group_assign_cards,
        name="patrons-group-assign-cards",
    ),
    path("my-classes/", views_groups.my_classes, name="patrons-my-classes"),
    path("privacy/", views_privacy.privacy_settings, name="patrons-privacy"),
    path("rollover/", views_rollover.rollover_page, name="patrons-rollover"),
    path("rollover/loans/", views_rollover.rollover_loans, name="patrons-rollover-loans"),
]
