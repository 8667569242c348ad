"""An LTI launch inside the learning platform's frame, without a cookie.

A frame of Moodle, Canvas or itslearning is a third-party context for Reol: browsers block or
partition its cookies (and Reol's ``SameSite=Lax`` session cookie is never sent there anyway).
So a launch that arrives in a frame gets a *launch-scoped session*: a fresh server-side Django
session (never the browser's own), whose key rides in the address, ``/lti/s/<key>/opac/…``.
``EmbeddedLaunch`` (right after ``SessionMiddleware``) takes the key off the path, makes that
session the request's and sets the script prefix to ``/lti/s/<key>/``, so every address Reol
writes (``reverse``, ``{% url %}``, redirects) stays inside the launch. The session is marked
with its platform and only:

* pages registered as embeddable (``allow``: the public catalogue) are served with it; any
  other page (staff pages above all) gets a page offering to open it in a new window, without
  the session, and a subresource is sent to its ordinary address; so is a whole tab
  (``Sec-Fetch-Dest: document``: a copied link, the history of a shared computer), even for
  an embeddable page: the key is the frame's alone;
* the platform's registered origins may frame these answers (``frame-ancestors``, and no
  ``X-Frame-Options``, set by ``FrameForPlatform``); every other page keeps ``'none'``/``DENY``;
* a form is accepted only from Reol's own origin (``Sec-Fetch-Site``/``Origin``): the key in
  the address stands in for the CSRF cookie the frame cannot keep;
* it ends when the platform is switched off, with the person's sign-out, after
  ``EMBED_SECONDS``, or from the person's list of sessions (it is a signed-in session like any
  other); presented as a cookie, it is ignored (a key from an address never becomes a
  browser's own session).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import get_script_prefix, set_script_prefix
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .models import LtiPlatform

EMBED = "reol_lti_embed"  # in a launch-scoped session: the platform's pk
EMBED_SECONDS = 3 * 3600  # a lesson or two; the next click on the course's link starts anew
PREFIX = "lti/s/"
_EMBEDDED_PATH = re.compile(r"^/lti/s/(?P<key>[a-z0-9]{32,64})(?P<rest>/.*)$")
_EMBEDDABLE: list[str] = ["/accounts/logout/"]  # signing out inside the frame ends it
_FRAME_DESTINATIONS = ("iframe", "frame")


def allow(*prefixes: str) -> None:
    """Let pages under these paths be served inside a platform's frame (an app's ``ready``)."""
    _EMBEDDABLE.extend(p for p in prefixes if p not in _EMBEDDABLE)


def embeddable(path: str) -> bool:
    return path.startswith(tuple(_EMBEDDABLE))


def _store(key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(key)


def in_frame(request: HttpRequest, presentation: dict[str, Any]) -> bool:
    """Whether the launch arrived in a frame: the browser says so (``Sec-Fetch-Dest``); a
    browser that does not send it is believed to be where the platform says it put Reol."""
    destination = request.headers.get("Sec-Fetch-Dest")
    if destination is not None:
        return destination in _FRAME_DESTINATIONS
    return str(presentation.get("document_target", "")) in _FRAME_DESTINATIONS


@contextmanager
def launch_session(request: HttpRequest, platform: LtiPlatform) -> Iterator[SessionBase]:
    """Inside: ``request.session`` is a new launch-scoped session (sign the person in there).
    The browser's own session is untouched."""
    own, store = request.session, _store()
    request.session = store
    try:
        yield store
        store[EMBED] = platform.pk
        store.set_expiry(EMBED_SECONDS)
        store.save()
    finally:
        request.session = own


def address(store: SessionBase, target: str) -> str:
    """Where a launch-scoped session shows ``target`` (a path or an address on Reol's host)."""
    parts = urlsplit(target)
    path = parts.path if parts.path.startswith("/") else "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{get_script_prefix()}{PREFIX}{store.session_key}{path}{query}"


def _top_level(request: HttpRequest) -> bool:
    """A navigation of a whole tab, not of the frame: the address was copied ("Copy link" on
    a link inside the frame, sent to a friend), or taken from the browser's history on a
    shared computer. Never served with the launch's session: it would sign the opener in as
    the student who launched."""
    return request.headers.get("Sec-Fetch-Dest") == "document"


def _own_origin(request: HttpRequest) -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and origin == f"{request.scheme}://{request.get_host()}"


class EmbeddedLaunch:
    """Serve ``/lti/s/<key>/…`` with that launch's session (see the module's text). Refusals
    are answered by ``FrameForPlatform``, innermost, so they get every header as usual."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = _EMBEDDED_PATH.match(request.path_info)
        if found is None:
            if request.session.get(EMBED) is not None:
                request.session = _store()  # an address's key offered as a cookie: ignored
            return self.get_response(request)
        store = _store(found["key"])
        platform = LtiPlatform.objects.filter(pk=store.get(EMBED) or 0, enabled=True).first()
        rest = found["rest"]
        answer: Callable[[HttpRequest], HttpResponse] | None = None
        if platform is None:
            answer = _closed
        else:
            request.lti_frame_origins = platform.embedding_origins()  # type: ignore[attr-defined]
            if not embeddable(rest) or _top_level(request):
                answer = _outside(rest)
            elif request.method not in SAFE and not _own_origin(request):
                answer = _foreign_form
        if answer is not None:
            request.lti_answer = answer  # type: ignore[attr-defined]
            return self.get_response(request)
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]  # _own_origin
        return self._serve(request, store, found["key"], rest)

    def _serve(self, request: HttpRequest, store: SessionBase, key: str, rest: str) -> HttpResponse:
        own, prefix = request.session, get_script_prefix()
        request.session = store
        request.path_info = rest
        request.lti_embedded = True  # type: ignore[attr-defined]
        set_script_prefix(f"{prefix}{PREFIX}{key}/")
        try:
            response = self.get_response(request)
        finally:
            set_script_prefix(prefix)
            request.session = own
        if store.get(EMBED) is not None and store.modified:
            store.save()  # not after a sign-out: that flushed it, and it stays gone
        patch_cache_control(response, private=True, no_store=True)
        return response


SAFE = ("GET", "HEAD", "OPTIONS")


def _closed(request: HttpRequest) -> HttpResponse:
    message = _("This library window has closed. Open the link in the course again.")
    return render(request, "accounts/refused.html", {"message": message}, status=403)


def _foreign_form(request: HttpRequest) -> HttpResponse:
    message = _("This form was not sent from the library's own page.")
    return render(request, "accounts/refused.html", {"message": message}, status=403)


def _outside(path: str) -> Callable[[HttpRequest], HttpResponse]:
    """A page that is not shown inside a platform: offered in a new window, without the
    launch's session. Images, scripts and the like go to their ordinary address."""

    def answer(request: HttpRequest) -> HttpResponse:
        plain = get_script_prefix() + path.lstrip("/")
        if request.META.get("QUERY_STRING"):
            plain += "?" + request.META["QUERY_STRING"]
        destination = request.headers.get("Sec-Fetch-Dest")
        if request.method == "GET" and destination not in (None, *_FRAME_DESTINATIONS):
            return HttpResponseRedirect(plain)  # an image, a script, or a whole tab
        return render(request, "accounts/lti_outside.html", {"url": plain})

    return answer


class FrameForPlatform:
    """Innermost: answers ``EmbeddedLaunch`` decided on, and an answer inside a launch-scoped
    session may be framed by the launch's platform, and only by it (read by django-csp's and
    Django's framing middleware, which run after this one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = getattr(request, "lti_answer", None)
        response: HttpResponse = answer(request) if answer else self.get_response(request)
        origins = getattr(request, "lti_frame_origins", None)
        if origins:
            replace = dict(getattr(response, "_csp_replace", None) or {})
            replace["frame-ancestors"] = list(origins)
            response._csp_replace = replace  # type: ignore[attr-defined]
            response.xframe_options_exempt = True
        return response


class MessageStorage(FallbackStorage):
    """Messages in the session inside a platform's frame (the message cookie is a
    third-party cookie there); elsewhere Django's usual cookie-then-session storage."""

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        if getattr(request, "lti_embedded", False):
            self.storages = [SessionStorage(request, *args, **kwargs)]
