from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from reol.api.api import api
from reol.core import views as core_views

urlpatterns = [
    path("i18n/setlang/", core_views.switch_language, name="set_language"),
    path("i18n/catalog.js", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("staff/catalogue/", include("reol.catalog.urls")),
    path("staff/desk/", include("reol.circulation.urls")),
    path("staff/bookings/", include("reol.bookings.urls")),
    path("staff/acquisitions/", include("reol.acquisitions.urls")),
    path("library/", include("reol.acquisitions.public_urls")),
    path("staff/external/", include("reol.external.urls")),
    path("external/", include("reol.external.public_urls")),
    path("staff/reading-lists/", include("reol.opac.staff_urls")),
    path("staff/patrons/", include("reol.patrons.urls")),
    path("staff/rosters/", include("reol.rosters.urls")),
    path("me/library/", include("reol.patrons.self_urls")),
    path("staff/technology/", include("reol.technology.urls")),
    path("me/devices/", include("reol.technology.self_urls")),
    path("staff/workshop/", include("reol.workshop.urls")),
    path("me/workshop/", include("reol.workshop.self_urls")),
    path("staff/planning/", include("reol.planning.urls")),
    path("staff/reports/", include("reol.reports.urls")),
    path("feeds/", include("reol.planning.feed_urls")),
    path("", include("reol.reading.urls")),
    path("staff/competence/", include("reol.competence.urls")),
    path("feeds/courses/", include("reol.competence.feed_urls")),
    path("opac/", include("reol.opac.urls")),
    path("", include("reol.protocols.urls")),
    path("", include("reol.accounts.urls")),
    path("", include("reol.core.urls")),
]
