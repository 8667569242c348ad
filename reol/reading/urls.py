from django.urls import path

from . import views, views_campaigns, views_displays, views_doors

urlpatterns = [
    path("covers/<int:pk>/<slug:version>", views.cover_image, name="reading-cover"),
    path("staff/reading/covers/<int:pk>/upload", views.cover_upload, name="reading-cover-upload"),
    path("staff/reading/covers/<int:pk>/remove", views.cover_remove, name="reading-cover-remove"),
    path("staff/reading/reviews/", views.review_queue, name="reading-reviews"),
    path(
        "staff/reading/reviews/<int:pk>/decide", views.review_decide, name="reading-review-decide"
    ),
    path("staff/reading/settings/", views.reading_settings, name="reading-settings"),
    path("opac/record/<int:pk>/review", views.review_submit, name="reading-review-submit"),
    path("opac/top/", views.top_of_class, name="reading-top"),
    path("opac/reviews/<int:pk>/report", views.review_report, name="reading-review-report"),
    path("doors/<int:pk>/<slug:version>", views_doors.door_picture, name="reading-door-picture"),
    path("staff/reading/doors/", views_doors.door_list, name="reading-doors"),
    path(
        "staff/reading/doors/<int:pk>/delete", views_doors.door_delete, name="reading-door-delete"
    ),
    path("staff/reading/doors/<int:pk>/move", views_doors.door_move, name="reading-door-move"),
    path("opac/campaigns/", views_campaigns.my_campaigns, name="reading-campaigns"),
    path("opac/campaigns/<int:pk>/join", views_campaigns.join, name="reading-campaign-join"),
    path("opac/campaigns/<int:pk>/leave", views_campaigns.leave, name="reading-campaign-leave"),
    path("opac/campaigns/<int:pk>/log", views_campaigns.log, name="reading-campaign-log"),
    path("opac/campaigns/<int:pk>/export", views_campaigns.export, name="reading-campaign-export"),
    path("opac/reading-log/<int:pk>/remove", views_campaigns.unlog, name="reading-log-remove"),
    path(
        "staff/reading/campaigns/",
        views_campaigns.staff_campaigns,
        name="reading-staff-campaigns",
    ),
    path("staff/reading/displays/", views_displays.display_list, name="reading-displays"),
    path(
        "staff/reading/displays/<int:pk>/add", views_displays.add_title, name="reading-display-add"
    ),
    path(
        "staff/reading/displays/items/<int:pk>/remove",
        views_displays.remove_title,
        name="reading-display-remove",
    ),
    path(
        "staff/reading/displays/<int:pk>/poster.pdf",
        views_displays.poster,
        name="reading-display-poster",
    ),
]
