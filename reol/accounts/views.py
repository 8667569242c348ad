"""Pages: "Sign in with …" and its return, the provider's logout, and the administrator's
providers pages. Thin: the flow is in ``flow``, every write in ``services``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reol.core import auth, denials
from reol.core.forms import locked_message
from reol.core.models import User
from reol.core.permissions import is_student_only

from . import flow, logout, oidc, oidc_logout, saml, saml_logout, selectors, services
from .forms import PolicyForm, ProviderForm
from .models import IdentityProvider, SignInPolicy
from .oidc import Refusal


def _me(request: HttpRequest) -> User:
    """The signed-in person (the views that call this are behind ``login_required``)."""
    assert isinstance(request.user, User)
    return request.user


def _refused(request: HttpRequest, provider: IdentityProvider, message: str) -> HttpResponse:
    return render(
        request,
        "accounts/refused.html",
        {"provider": provider, "message": message},
        status=403,
    )


@never_cache
def start(request: HttpRequest, slug: str) -> HttpResponse:
    provider = get_object_or_404(IdentityProvider, slug=slug, enabled=True)
    until = services.wait_until(provider, auth.client_ip(request))
    if until is not None:
        return _refused(request, provider, locked_message(until))
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    try:
        return HttpResponseRedirect(flow.begin(request, provider, next_url=next_url, test=False))
    except Refusal as refusal:
        services.record_refusal(provider, refusal, ip=auth.client_ip(request))
        return _refused(request, provider, refusal.message)


@never_cache
def callback(request: HttpRequest, slug: str) -> HttpResponse:
    provider = get_object_or_404(IdentityProvider, slug=slug)
    try:
        outcome = flow.finish(request, provider)
    except Refusal as refusal:
        return _refused(request, provider, refusal.message)
    return _outcome(request, provider, outcome)


def _outcome(
    request: HttpRequest, provider: IdentityProvider, outcome: flow.Outcome
) -> HttpResponse:
    if outcome.test:
        return render(
            request,
            "accounts/tested.html",
            {
                "provider": provider,
                "person": outcome.person,
                "claims": sorted(outcome.claims.items()),
            },
        )
    return _landing(outcome.person, outcome.next_url)


def _landing(person: User, next_url: str) -> HttpResponse:
    """Students land on "My loans"; staff on their dashboard (or where they were going)."""
    if not next_url:
        next_url = reverse("opac-me") if is_student_only(person) else "/"
    response = HttpResponseRedirect(next_url)
    if person.preferred_language:
        response.set_cookie("django_language", person.preferred_language, samesite="Lax")
    response.set_cookie(
        auth.DEVICE_COOKIE,
        auth.device_cookie(person),
        max_age=auth.DEVICE_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    return response


@csrf_exempt  # the IdP's page posts it, from its own site: the signed assertion is the proof
@require_POST
@never_cache
def saml_acs(request: HttpRequest, slug: str) -> HttpResponse:
    provider = get_object_or_404(IdentityProvider, slug=slug, kind=IdentityProvider.Kind.SAML)
    try:
        outcome = flow.finish_saml(request, provider)
    except Refusal as refusal:
        return _refused(request, provider, refusal.message)
    return _outcome(request, provider, outcome)


@never_cache
def saml_slo(request: HttpRequest, slug: str) -> HttpResponse:
    """SAML single logout (HTTP-Redirect): the IdP's answer to our sign-out, or its own
    logout of a person, which is answered with our signed LogoutResponse."""
    provider = get_object_or_404(IdentityProvider, slug=slug, kind=IdentityProvider.Kind.SAML)
    try:
        kind, answer = saml_logout.receive(request, provider)
    except Refusal as refusal:
        return _refused(request, provider, refusal.message)
    if kind == "request":
        return HttpResponseRedirect(answer)
    messages.info(
        request, _("You are signed out, at %(provider)s too.") % {"provider": provider.name}
    )
    return redirect("login")


def saml_metadata(request: HttpRequest, slug: str) -> HttpResponse:
    """Our SAML metadata, to give the IdP's administrator (public, as metadata is)."""
    provider = get_object_or_404(IdentityProvider, slug=slug, kind=IdentityProvider.Kind.SAML)
    return HttpResponse(
        saml.metadata(request, provider), content_type="application/samlmetadata+xml"
    )


@csrf_exempt
@require_POST
def backchannel_logout(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider's server says a session ended (OpenID Connect Back-Channel Logout 1.0)."""
    provider = get_object_or_404(IdentityProvider, slug=slug, enabled=True)
    try:
        logout.backchannel(provider, request.POST.get("logout_token", ""))
    except Refusal as refusal:
        return HttpResponse(refusal.detail or refusal.reason, status=400, content_type="text/plain")
    response = HttpResponse(status=200)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def frontchannel_logout(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider's logout page loads this in a frame: end this browser's session if it
    is the provider's session named (``iss`` and ``sid``, Front-Channel Logout 1.0)."""
    provider = get_object_or_404(IdentityProvider, slug=slug, enabled=True)
    logout.frontchannel(request, provider, request.GET.get("iss", ""), request.GET.get("sid", ""))
    return HttpResponse(status=200)


# --- The administrator's pages --------------------------------------------------------------


@login_required
def providers(request: HttpRequest) -> HttpResponse:
    schools = list(selectors.manageable_schools(_me(request)))
    if not schools:
        raise PermissionDenied
    if request.method == "POST":
        school = next((s for s in schools if str(s.pk) == request.POST.get("school")), None)
        if school is None:
            raise Http404
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                services.set_policy(
                    request.user,  # type: ignore[arg-type]
                    school,
                    staff_must_use_provider=form.cleaned_data["staff_must_use_provider"],
                )
                messages.success(request, _("Saved how %(school)s signs in.") % {"school": school})
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return redirect("accounts-providers")
    policies = {p.school_id: p for p in SignInPolicy.objects.filter(school__in=schools)}
    rows = [(s, policies.get(s.pk)) for s in schools]
    return render(
        request,
        "accounts/providers.html",
        {"providers": selectors.providers_for(_me(request)), "rows": rows},
    )


def _managed(request: HttpRequest, pk: int) -> IdentityProvider:
    provider = denials.get_or_404(request, selectors.providers_for(_me(request)), pk=pk)
    return provider


@login_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    schools = list(selectors.manageable_schools(_me(request)))
    if not schools:
        raise PermissionDenied
    provider = _managed(request, pk) if pk is not None else IdentityProvider()
    initial = {f: getattr(provider, f) for f in services.PROVIDER_FIELDS if f != "client_secret"}
    form = ProviderForm(
        request.POST or None, request.FILES or None, initial=initial if pk else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_provider(
                request.user,  # type: ignore[arg-type]
                provider,
                school=getattr(request, "school", None) or schools[0],
                **{f: form.cleaned_data.get(f) for f in services.PROVIDER_FIELDS},
            )
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": provider.name})
            return redirect("accounts-provider", pk=provider.pk)
    callback_url = flow.redirect_uri(request, provider) if provider.pk else ""
    return render(
        request,
        "accounts/edit.html",
        {"form": form, "provider": provider, "callback_url": callback_url},
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    provider = _managed(request, pk)
    return render(
        request,
        "accounts/detail.html",
        {
            "provider": provider,
            "activity": selectors.activity(provider),
            "callback_url": flow.redirect_uri(request, provider),
            "post_logout_url": oidc_logout.post_logout_uri(request),
            "saml_metadata_url": saml.entity_id(request, provider),
            "may_manage": services.may_manage(request.user, provider),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def test(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the set-up (metadata, keys); with "sign in", try it without signing anyone in."""
    provider = _managed(request, pk)
    if not services.may_manage(request.user, provider):  # type: ignore[arg-type]
        raise PermissionDenied
    if provider.kind == IdentityProvider.Kind.SAML:
        steps = [(bool(provider.saml_metadata), _("The identity provider's metadata is loaded."))]
    else:
        steps = oidc.check_configuration(provider.issuer)
    if "sign_in" in request.POST and all(ok for ok, _text in steps[:1]):
        try:
            return HttpResponseRedirect(flow.begin(request, provider, next_url="", test=True))
        except Refusal as refusal:
            steps.append((False, refusal.message))
    return render(request, "accounts/test.html", {"provider": provider, "steps": steps})
