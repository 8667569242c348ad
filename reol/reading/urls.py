from django.urls import path

from . import views, views_doors

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
    path("opac/reviews/<int:pk>/report", views.review_report, name="reading-review-report"),
    path("doors/<int:pk>/<slug:version>", views_doors.door_picture, name="reading-door-picture"),
    path("staff/reading/doors/", views_doors.door_list, name="reading-doors"),
    path(
        "staff/reading/doors/<int:pk>/delete", views_doors.door_delete, name="reading-door-delete"
    ),
    path("staff/reading/doors/<int:pk>/move", views_doors.door_move, name="reading-door-move"),
]
