"""LTI 1.3 pages of the tool: login initiation, the launch, Reol's public keys, and the
administrator's learning-platform pages. Thin: the protocol is in ``lti``, writes in
``lti_services``. What a launch shows (a reading list, the deep-linking picker) is the public
catalogue's (opac, a front door, which may import this app; this app never imports it)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reol.core import auth, denials, signin
from reol.core.fields import OneLineField
from reol.core.forms import locked_message
from reol.core.models import User

from . import embed, lti, lti_services, selectors
from .models import IdentityProvider, LtiPlatform, MatchField
from .oidc import Refusal

DEEP_LINKS = "reol_lti_deep_links"  # verified deep-linking requests in the session, by key
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "accounts/refused.html", {"message": message}, status=status)


def _param(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name) or request.GET.get(name) or "")[:500]


@csrf_exempt  # the platform sends the browser here (GET or POST) from its own site
@never_cache
def login_initiation(request: HttpRequest) -> HttpResponse:
    """Third-party-initiated login: remember state and nonce, send the browser to the platform."""
    platform = lti_services.platform_for(_param(request, "iss"), _param(request, "client_id"))
    if platform is None:
        return _refused(request, _("This learning platform is not registered with Reol."), 400)
    until = auth.wait_until(auth.Attempt(f"@lti:{platform.pk}", auth.client_ip(request), None))
    if until is not None:
        return _refused(request, locked_message(until))
    target = _param(request, "target_link_uri")
    pending = lti_services.begin_login(platform, target)
    return HttpResponseRedirect(
        lti.authentication_url(
            platform,
            redirect_uri=request.build_absolute_uri(reverse("lti-launch")),
            login_hint=_param(request, "login_hint"),
            message_hint=_param(request, "lti_message_hint"),
            state=pending.state,
            nonce=pending.nonce,
        )
    )


@csrf_exempt  # posted by the platform's page: the signed ID token is the proof
@require_POST
@never_cache
def launch(request: HttpRequest) -> HttpResponse:
    """The platform's signed launch: the person signed in, then sent where the link points."""
    try:
        verified, person = lti_services.complete_launch(
            request.POST.get("state", ""),
            request.POST.get("id_token", ""),
            ip=auth.client_ip(request),
        )
    except Refusal as refusal:
        return _refused(request, refusal.message)
    if embed.in_frame(request, verified.claims.get(lti.LTI + "launch_presentation") or {}):
        # Inside the platform's frame: a launch-scoped session, its key in the address.
        with embed.launch_session(request, verified.platform) as store:
            target = _sign_in(request, person, verified)
        return HttpResponseRedirect(embed.address(store, target))
    return HttpResponseRedirect(_sign_in(request, person, verified))


def _sign_in(request: HttpRequest, person: User, verified: lti.Launch) -> str:
    """Sign the person in (in ``request.session``); where the launch goes next."""
    login(request, person, backend=BACKEND)
    signin.mark_external(request)  # the platform's sign-in covers the second factor
    target = verified.target
    if verified.message_type == lti.DEEP_LINK:
        key = secrets.token_urlsafe(12)
        links = dict(request.session.get(DEEP_LINKS, {}))
        links[key] = {"platform": verified.platform.pk, "claims": verified.claims}
        request.session[DEEP_LINKS] = dict(list(links.items())[-5:])
        return reverse("opac-lti-pick", args=[key])
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return reverse("opac-home")
    return target


def deep_linking_request(request: HttpRequest, key: str) -> lti.Launch | None:
    """A verified deep-linking request this session holds (for the picker's pages)."""
    held = request.session.get(DEEP_LINKS, {}).get(key)
    if not isinstance(held, dict) or not request.user.is_authenticated:
        return None
    platform = LtiPlatform.objects.filter(pk=int(held.get("platform") or 0), enabled=True).first()
    return lti.Launch(platform, dict(held["claims"])) if platform else None


def deep_linking_answer(
    request: HttpRequest, key: str, items: list[dict[str, Any]]
) -> tuple[str, str]:
    """The signed answer and where to post it; the request is used up."""
    found = deep_linking_request(request, key)
    if found is None:
        raise PermissionDenied
    links = dict(request.session.get(DEEP_LINKS, {}))
    links.pop(key, None)
    request.session[DEEP_LINKS] = links
    token = lti.deep_linking_response(found, items, lti_services.signing_key())
    return token, str(found.deep_linking["deep_link_return_url"])


def tool_addresses(request: HttpRequest) -> lti.ToolAddresses:
    url = request.build_absolute_uri
    return lti.ToolAddresses(
        login=url(reverse("lti-login")),
        launch=url(reverse("lti-launch")),
        target=url(reverse("opac-home")),
        jwks=url(reverse("lti-jwks")),
        domain=request.get_host(),
    )


@xframe_options_exempt  # platforms show the registration in a frame of their own page
@never_cache
def register(request: HttpRequest, token: str) -> HttpResponse:
    """LTI Dynamic Registration: the platform opens this with its configuration's address."""
    configuration = request.GET.get("openid_configuration", "")
    try:
        platform = lti_services.register_dynamically(
            token, configuration, request.GET.get("registration_token", ""), tool_addresses(request)
        )
    except Refusal as refusal:
        response = _refused(request, refusal.message, 400)
    else:
        response = render(request, "accounts/lti_registered.html", {"platform": platform})
    origin = urlsplit(configuration)
    if origin.scheme in ("http", "https") and origin.netloc:
        frame = f"{origin.scheme}://{origin.netloc}"
        response._csp_replace = {"frame-ancestors": [frame]}  # type: ignore[attr-defined]
    return response


def jwks(request: HttpRequest) -> JsonResponse:
    """Reol's public keys: the platform checks the deep-linking answers and assertions."""
    lti_services.signing_key()  # there is always one to publish
    keys = [k.private_jwk for k in lti_services.published_keys()]
    response = JsonResponse(lti.public_key_set(keys))
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- The administrator's pages ----------------------------------------------------------------


class PlatformForm(forms.Form):
    name = OneLineField(label=gettext_lazy("Name"), max_length=100)
    issuer = forms.URLField(
        label=gettext_lazy("Issuer (platform id)"), max_length=300, assume_scheme="https"
    )
    client_id = OneLineField(label=gettext_lazy("Client id"), max_length=200)
    deployment_ids = forms.CharField(
        label=gettext_lazy("Deployment ids (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    auth_login_url = forms.URLField(
        label=gettext_lazy("Authentication request URL"), assume_scheme="https"
    )
    auth_token_url = forms.URLField(label=gettext_lazy("Access token URL"), assume_scheme="https")
    jwks_url = forms.URLField(label=gettext_lazy("Public keyset URL"), assume_scheme="https")
    match_claim = OneLineField(label=gettext_lazy("Matching claim"), max_length=200)
    match_field = forms.ChoiceField(label=gettext_lazy("Matched with"), choices=MatchField.choices)
    create_role = forms.ChoiceField(
        label=gettext_lazy("May add"), choices=IdentityProvider.CreateRole.choices, required=False
    )
    frame_origins = forms.CharField(
        label=gettext_lazy("Other addresses that show Reol in a frame (one per line)"),
        help_text=gettext_lazy(
            "Only when the course pages are not on the issuer's address (Canvas: "
            "https://school.instructure.com). Launches in a frame are shown to these and the "
            "issuer's address only."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    enabled = forms.BooleanField(label=gettext_lazy("Switched on"), required=False)


def tool_urls(request: HttpRequest) -> list[tuple[str, str]]:
    """What a platform's administrator enters for Reol."""
    url = request.build_absolute_uri
    return [
        (_("Login initiation URL"), url(reverse("lti-login"))),
        (_("Redirect URI (launch)"), url(reverse("lti-launch"))),
        (_("Target link URI"), url(reverse("opac-home"))),
        (_("Deep linking URL"), url(reverse("opac-home"))),
        (_("Public keyset URL"), url(reverse("lti-jwks"))),
    ]


@login_required
def platforms(request: HttpRequest) -> HttpResponse:
    me = request.user
    assert isinstance(me, User)
    if not selectors.manageable_schools(me).exists():
        raise PermissionDenied
    invite_url = ""
    if request.method == "POST" and "invite" in request.POST:
        school = getattr(request, "school", None) or selectors.manageable_schools(me).first()
        invite = lti_services.create_invite(me, school)  # type: ignore[arg-type]
        invite_url = request.build_absolute_uri(reverse("lti-register", args=[invite.token]))
    elif request.method == "POST" and "rotate" in request.POST:
        lti_services.rotate_keys(me)
        messages.success(
            request, _("Reol has a new signing key; the previous one stays published.")
        )
        return redirect("lti-platforms")
    return render(
        request,
        "accounts/lti_platforms.html",
        {
            "platforms": selectors.platforms_for(me),
            "urls": tool_urls(request),
            "keys": lti_services.published_keys(),
            "invite_url": invite_url,
        },
    )


@login_required
def platform_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    me = request.user
    assert isinstance(me, User)
    schools = list(selectors.manageable_schools(me))
    if not schools:
        raise PermissionDenied
    platform = (
        denials.get_or_404(request, selectors.platforms_for(me), pk=pk)
        if pk is not None
        else LtiPlatform()
    )
    initial = {f: getattr(platform, f) for f in lti_services.PLATFORM_FIELDS} if pk else None
    form = PlatformForm(request.POST or None, initial=initial)
    if not pk and not request.POST:
        form.initial = {"match_claim": LtiPlatform().match_claim, "match_field": "source_id"}
    if request.method == "POST" and form.is_valid():
        try:
            lti_services.save_platform(
                me,
                platform,
                school=getattr(request, "school", None) or schools[0],
                **{f: form.cleaned_data.get(f) for f in lti_services.PLATFORM_FIELDS},
            )
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": platform.name})
            return redirect("lti-platforms")
    return render(
        request,
        "accounts/lti_platform_edit.html",
        {"form": form, "platform": platform, "urls": tool_urls(request)},
    )
