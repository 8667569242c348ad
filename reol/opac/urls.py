from django.urls import path

from . import feeds, lti_views, views, views_beyond, views_patron, views_results

urlpatterns = [
    path("", views.home, name="opac-home"),
    path("school/", views.choose_school, name="opac-choose-school"),
    path("search/", views_results.results, name="opac-search"),
    path("suggest/", views.suggest, name="opac-suggest"),
    path("beyond/", views_beyond.beyond, name="opac-beyond"),
    path("records/<int:pk>/", views.record, name="opac-record"),
    path("records/<int:pk>/hold/", views_patron.place_hold, name="opac-hold"),
    path("me/", views_patron.my_page, name="opac-me"),
    path("me/loans/<int:pk>/renew/", views_patron.renew, name="opac-renew"),
    path("me/holds/<int:pk>/cancel/", views_patron.cancel_hold, name="opac-cancel-hold"),
    path("lists/<int:pk>/", views.reading_list, name="opac-reading-list"),
    path("schools/<slug:code>/new/", views.new_arrivals, name="opac-new-arrivals"),
    path("schools/<slug:code>/new.atom", feeds.NewArrivalsFeed(), name="opac-new-arrivals-feed"),
    path("lti/pick/<str:key>/", lti_views.pick, name="opac-lti-pick"),
    path("lti/pick/<str:key>/group/", lti_views.course_group, name="opac-lti-group"),
]
