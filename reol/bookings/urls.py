from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="bookings-home"),
    path("new/", views.new, name="bookings-new"),
    path("pick-list/", views.pick_list, name="bookings-pick-list"),
    path("resources/", views.resources, name="bookings-resources"),
    path("resources/<int:pk>/", views.resource, name="bookings-resource"),
    path("<int:pk>/", views.detail, name="bookings-detail"),
    path("<int:pk>/booking.ics", views.ics, name="bookings-ics"),
    path("<int:pk>/cancel/", views.cancel, name="bookings-cancel"),
    path("<int:pk>/check-out/", views.check_out, name="bookings-check-out"),
    path("<int:pk>/check-return/", views.check_return, name="bookings-check-return"),
]
