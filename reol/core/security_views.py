"""Pages of one's own sign-in safety: the second step at sign-in, setting up two-step
sign-in, one's active sessions, and an administrator resetting someone's second factor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import accounts, auth, denials, forms, mfa, sessions, signin
from .models import User
from .permissions import may_reset_second_factor, visible_people

ENROL_SECRET = "reol_mfa_enrol_secret"  # noqa: S105 - a session key's name
NEW_CODES = "reol_mfa_new_codes"


def sign_in_second_step(request: HttpRequest) -> HttpResponse:
    """After a right password: the app's code (or a recovery code), throttled and audited
    like the password. Until it passes, the session is not signed in."""
    if request.user.is_authenticated:
        return redirect("home")
    found = signin.pending_user(request)
    if found is None:
        request.session.pop(signin.PENDING, None)
        messages.info(request, _("Sign in again, please."))
        return redirect("login")
    user, pending = found
    form = forms.SecondStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = auth.Attempt.of(user.username, request)
        until = auth.wait_until(attempt)
        if until is not None:
            accounts.record_sign_in_failure(attempt, delayed=True, second_factor="delayed")
            form.add_error(None, forms.locked_message(until))
        else:
            result = mfa.verify(user, form.cleaned_data["code"])
            if result in ("totp", "recovery"):
                auth.note_success(attempt)
                if result == "recovery":
                    left = mfa.unused_recovery_codes(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You used a recovery code; %(left)d is left. Make new ones on My page.",
                            "You used a recovery code; %(left)d are left. Make new ones on "
                            "My page.",
                            left,
                        )
                        % {"left": left},
                    )
                return signin.finish(request, user, pending.get("next", ""), second_factor=result)
            auth.note_failure(attempt)
            accounts.record_sign_in_failure(attempt, second_factor=result or "wrong")
            form.add_error(
                "code",
                _("This code was used already. Wait for the next one.")
                if result == "replayed"
                else _("This code is not right."),
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "core/sign_in_second_step.html", {"form": form}, status=status)


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    request.session[NEW_CODES] = codes
    return redirect("mfa-setup")


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (QR code and the secret as text), renew recovery codes,
    or turn it off (not when one's role requires it)."""
    user: User = request.user  # type: ignore[assignment]
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if mfa.enrolled(user):
        return _manage(request, user, action)
    secret = request.session.get(ENROL_SECRET) or mfa.new_secret()
    request.session[ENROL_SECRET] = secret
    form = forms.EnrolForm(request.POST if action == "enrol" else None)
    if action == "enrol" and form.is_valid():
        try:
            codes = mfa.enrol(user, secret, form.cleaned_data["code"])
        except ValidationError as error:
            codes_error = error.message_dict.get("code") if hasattr(error, "error_dict") else None
            form.add_error("code", codes_error or error.messages)
        else:
            request.session.pop(ENROL_SECRET, None)
            update_session_auth_hash(request, user)  # the other sessions ended, not this one
            request.session[signin.STATE] = "passed"
            messages.success(request, _("Two-step sign-in is on."))
            return _show_codes(request, codes)
    title = _("QR code to scan with your authenticator app")
    return render(
        request,
        "core/mfa_setup.html",
        {
            "form": form,
            "qr": mfa.qr_svg(mfa.provisioning_uri(user, secret), title),
            "secret": mfa.grouped(secret),
            "required": mfa.required_for(user),
        },
        status=400 if form.errors else 200,
    )


def _manage(request: HttpRequest, user: User, action: str) -> HttpResponse:
    form = forms.PasswordAgainForm(user, request.POST if action else None)
    if action and form.is_valid():
        if action == "renew":
            return _show_codes(request, mfa.renew_recovery_codes(user))
        if action == "off":
            mfa.turn_off(user)
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("me")
        raise Http404
    return render(
        request,
        "core/mfa_manage.html",
        {
            "form": form,
            "codes": request.session.pop(NEW_CODES, None),
            "unused": mfa.unused_recovery_codes(user),
            "required": mfa.required_for(user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    """One's signed-in browsers, each with a link to sign it out."""
    user: User = request.user  # type: ignore[assignment]
    listed = sessions.active(user, request.session.session_key)
    return render(request, "core/session_list.html", {"sessions": listed})


@login_required
def session_end_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign out one other session, after typing the password again (ASVS 3.3.4)."""
    user: User = request.user  # type: ignore[assignment]
    listed = sessions.active(user, request.session.session_key)
    found = next((s for s in listed if s.row.pk == pk and not s.current), None)
    if found is None:
        raise Http404
    form = forms.PasswordAgainForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        sessions.end_session(user, pk)
        messages.success(request, _("That session is signed out."))
        return redirect("session-list")
    return render(
        request,
        "core/session_end_one.html",
        {"session": found.row, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def person_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    subject = denials.get_or_404(request, visible_people(request.user), pk=pk)
    accounts.reset_second_factor(request.user, subject)  # type: ignore[arg-type]
    messages.success(
        request,
        _("%(name)s's two-step sign-in is reset; they set it up again at their next sign-in.")
        % {"name": subject},
    )
    return redirect("person", pk=subject.pk)


def may_reset(viewer: object, subject: User) -> bool:
    return mfa.enrolled(subject) and may_reset_second_factor(viewer, subject)  # type: ignore[arg-type]
