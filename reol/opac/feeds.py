"""New arrivals at a school as an Atom feed (for the school's intranet or a feed reader)."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from reol.catalog.models import Record
from reol.core.models import School

from . import selectors
from .templatetags.opac import full_title


class NewArrivalsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, code: str) -> School:
        return get_object_or_404(School, code=code)

    def title(self, school: School) -> str:
        return _("New at %(school)s") % {"school": school.name}

    def subtitle(self, school: School) -> str:
        return _("Books and other things the library at %(school)s got most recently.") % {
            "school": school.name
        }

    def link(self, school: School) -> str:
        return reverse("opac-new-arrivals", args=[school.code])

    def items(self, school: School) -> list[Record]:
        return selectors.new_arrivals(school, limit=30)

    def item_title(self, item: Record) -> str:
        return full_title(item.title, item.subtitle)

    def item_description(self, item: Record) -> str:
        names = ", ".join(c.get("name", "") for c in item.contributors or [] if c.get("name"))
        parts = [names, str(item.year or ""), item.summary]
        return " · ".join(p for p in parts if p)

    def item_link(self, item: Record) -> str:
        return reverse("opac-record", args=[item.pk])

    def item_pubdate(self, item: Record) -> dt.datetime | None:
        return getattr(item, "arrived", None)

    def item_updateddate(self, item: Record) -> dt.datetime | None:
        return getattr(item, "arrived", None)
