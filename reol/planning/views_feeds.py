"""Calendar feeds: the page where a person makes and revokes iCalendar feed addresses, and the
feed itself (token in the URL, no sign-in).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reol.competence import access as competence_access
from reol.core.permissions import Perm

from . import forms, ical, selectors, services
from .models import CalendarFeed
from .views import _form_errors, _int, _me, _school


@login_required
def feeds(request: HttpRequest) -> HttpResponse:
    from reol.bookings.selectors import resources_of

    school = _school(request, Perm.STAFF_SHELL)
    user = _me(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = forms.FeedForm(
        request.POST if action == "create" else None, resources=resources_of(school)
    )
    if action == "create" and form.is_valid():
        try:
            feed = services.create_feed(
                user,
                school,
                form.cleaned_data["kind"],
                resource=form.cleaned_data["resource"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Your calendar address is ready: copy it into your calendar.")
            )
            return redirect(f"{reverse('planning-feeds')}#feed-{feed.pk}")
    elif action == "revoke":
        feed = get_object_or_404(CalendarFeed, pk=_int(request.POST.get("feed")), user=user)
        services.revoke_feed(user, feed)
        messages.success(request, _("The address is revoked: it shows nothing any more."))
        return redirect("planning-feeds")
    rows = [
        (f, request.build_absolute_uri(reverse("planning-feed", args=[f.token])))
        for f in selectors.my_feeds(user).filter(Q(revoked_at__isnull=True))
    ]
    revoked = list(selectors.my_feeds(user).filter(revoked_at__isnull=False)[:20])
    return render(
        request,
        "planning/feeds.html",
        {
            "school": school,
            "rows": rows,
            "revoked": revoked,
            "form": form,
            "courses": competence_access.networks_with(user, Perm.COMPETENCE).exists(),
        },
        status=400 if action else 200,
    )


@require_GET
@never_cache
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A calendar at its secret address: no sign-in, 404 when revoked or unknown."""
    found = selectors.live_feed(token)
    if found is None:
        raise Http404
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > dt.timedelta(minutes=5):
        CalendarFeed.objects.filter(pk=found.pk).update(last_used_at=now)
    response = HttpResponse(ical.feed_ics(found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="reol-{found.kind}.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
