"""Pages of the staff shell and sign-in. Thin: parse, ask permissions, call a service, render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from . import (
    accounts,
    audit,
    auth,
    denials,
    forms,
    navigation,
    security_views,
    selectors,
    services,
    signin,
)
from .languages import language_name
from .middleware import SESSION_KEY, school_for, schools_of
from .models import AuditEvent, ClosedPeriod, Location, Membership, Role, School, User
from .permissions import (
    GRANTABLE_WITH,
    Perm,
    has_perm,
    is_student_only,
    may_grant,
    require,
    scope,
    visible_people,
)
from .text import fold

PAGE_SIZE = 50


def _int_or_404(value: object) -> int:
    """A primary key from a form or URL; anything that is not a whole number is a 404."""
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = forms.SignInForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        next_url = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = ""
        if request.GET.get("from") == "opac" and not is_student_only(form.user):
            next_url = ""  # staff who sign in from the catalogue's link go to their dashboard
        return signin.after_first_factor(request, form.user, next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/sign_in.html", {"form": form}, status=status)


class SignOutView(auth_views.LogoutView):
    """POST signs out. GET (an old link, a bookmark) shows a page with the sign-out button."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, "core/sign_out.html")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Signed out here; then on to the identity provider's logout when a registered
        step asks (reol/accounts/saml_logout.py, oidc_logout.py). That is another origin, where
        the CSP's ``form-action 'self'`` stops a redirect answering this form, so a page sends
        the browser on (a refresh, and a link)."""
        onward = signin.sign_out_onward(request) if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if not onward:
            return response
        return render(request, "core/sign_out_onward.html", {"onward": onward})


def home(request: HttpRequest) -> HttpResponse:
    """The site root: visitors and students land on the public catalogue, staff on their desk."""
    if not request.user.is_authenticated:
        return redirect("opac-home")
    user: User = request.user
    if is_student_only(user):
        return redirect("opac-home")
    if not schools_of(user) and not user.is_superuser:
        return redirect(navigation.landing_for(user) or "me")
    return redirect("staff-dashboard")


def switch_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch (Django's ``set_language``); for someone signed in it is
    also their saved language, so the next sign-in, anywhere, speaks it too (as "My page"
    says)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        request.method == "POST"
        and isinstance(user, User)
        and check_for_language(language)
        and language in dict(settings.LANGUAGES)
        and language != user.preferred_language
    ):
        services.set_preferred_language(user, user, language)
    return response


@login_required
def me(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    current = translation.get_language()
    form = forms.LanguageForm(
        request.POST or None, initial={"preferred_language": user.preferred_language or current}
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["preferred_language"]
        services.set_preferred_language(user, user, language)
        translation.activate(language)  # so the confirmation reads in the language just chosen
        messages.success(request, _("Your language is saved."))
        response = redirect("me")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response
    memberships = Membership.objects.filter(user=user).select_related("school", "municipality")
    return render(
        request,
        "core/me.html",
        {"form": form, "memberships": memberships, "current_language": language_name(current)},
    )


class ResetView(auth_views.PasswordResetView):
    """Ask for a reset mail: rate-limited per account and address, and audited."""

    form_class = forms.ResetRequestForm
    template_name = "core/password_reset.html"
    email_template_name = "core/password_reset_email.txt"
    subject_template_name = "core/password_reset_subject.txt"

    def get_success_url(self) -> str:
        return reverse("password_reset_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "ip_address": auth.client_ip(self.request)}


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a password with a mailed link: ends other sessions, revokes API tokens, audited."""

    form_class = forms.ResetSetPasswordForm
    template_name = "core/password_reset_confirm.html"

    def get_success_url(self) -> str:
        return reverse("password_reset_complete")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password. This session stays; every other one ends."""
    user: User = request.user  # type: ignore[assignment]
    form = forms.OwnPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed. You are signed out elsewhere."))
        return redirect("me")
    return render(request, "core/password_change.html", {"form": form})


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    """Ask for a new e-mail address: it is used once the link mailed to it is opened."""
    user: User = request.user  # type: ignore[assignment]
    form = forms.EmailChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.request_email_change(
                user, user, form.cleaned_data["email"], site=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("We sent a link to %(email)s. Your address changes when you open it.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("me")
    return render(request, "core/email_change.html", {"form": form})


@login_required
def sessions_end(request: HttpRequest) -> HttpResponse:
    """Sign out everywhere else, after typing the password again (ASVS 3.3.4)."""
    user: User = request.user  # type: ignore[assignment]
    form = forms.PasswordAgainForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.end_other_sessions(user)
        update_session_auth_hash(request, user)
        messages.success(request, _("You are signed out everywhere else."))
        return redirect("me")
    return render(request, "core/sessions_end.html", {"form": form})


def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a confirmation mail: GET shows a button, POST uses the new address (a mail
    client that fetches links to preview them must not confirm anything)."""
    if request.method == "POST":
        try:
            person = accounts.confirm_email_change(token)
        except ValidationError as error:
            return render(
                request, "core/email_confirm.html", {"error": " ".join(error.messages)}, status=400
            )
        messages.success(
            request, _("Your e-mail address is now %(email)s.") % {"email": person.email}
        )
        return redirect("me" if request.user.is_authenticated else "login")
    return render(request, "core/email_confirm.html", {"error": ""})


@dataclass(frozen=True)
class Count:
    label: str
    value: int
    href: str = ""


# The shell's own administration pages stay in the menu only; the dashboard's links are the
# library's work (desk, catalogue, import, rules, reading lists, the catalogue and my loans).
SHELL_PAGES = frozenset(
    {"staff-dashboard", "people", "locations", "opening-calendar", "school-settings", "audit-log"}
)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What the signed-in person can do here (the modules' menu entries, as big links) and a
    few live counts: each only for people with its permission, each from its app's selector."""
    school = school_for(request, Perm.STAFF_SHELL)
    user = request.user
    counts: list[Count] = []
    for figure in navigation.figures():
        if has_perm(user, figure.perm, school):
            href = reverse(figure.url_name) if figure.url_name else ""
            counts.append(Count(str(figure.label), figure.count(school), href))
    if has_perm(user, Perm.PEOPLE_VIEW, school):
        students = Membership.objects.filter(school=school, role=Role.STUDENT).count()
        counts.append(Count(_("students"), students, reverse("people") + "?role=student"))
    shown = [e for e in navigation.entries() if has_perm(user, e.perm, school)]
    work = [
        link for link in navigation.links(shown, request.path) if link.url_name not in SHELL_PAGES
    ]
    return render(
        request, "core/dashboard.html", {"school": school, "counts": counts, "work": work}
    )


@login_required
@require_POST
def switch_school(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("school", "")
    school = next((s for s in schools_of(request.user) if str(s.pk) == wanted), None)
    if school is None:
        raise PermissionDenied(_("You do not work at that school."))
    request.session[SESSION_KEY] = school.pk
    return redirect("staff-dashboard")


@login_required
def people(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_VIEW)
    query = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    members = Membership.objects.filter(school=school)
    if role in Role.values:
        members = members.filter(role=role)
    people = (
        visible_people(request.user, Perm.PEOPLE_VIEW)
        .filter(pk__in=members.values("user"))
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(school=school))
        )
        .order_by("last_name", "first_name", "username")
    )
    people = selectors.search_people(people, query)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/people.html",
        {
            "school": school,
            "page": page,
            "query": query,
            "role": role,
            "roles": Role.choices,
            "can_add": has_perm(request.user, Perm.PEOPLE_MANAGE, school),
        },
    )


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_VIEW)
    # 404, not 403, for people outside the viewer's schools: their existence is not revealed.
    subject = denials.get_or_404(request, visible_people(request.user, Perm.PEOPLE_VIEW), pk=pk)
    memberships = (
        scope(Membership.objects.filter(user=subject), request.user, Perm.PEOPLE_VIEW)
        .select_related("school")
        .order_by("school__name", "role")
    )
    services.record_person_view(request.user, subject, school)  # type: ignore[arg-type]
    can_manage = visible_people(request.user, Perm.PEOPLE_MANAGE).filter(pk=subject.pk).exists()
    return render(
        request,
        "core/person.html",
        {
            "subject": subject,
            "memberships": memberships,
            "locked_until": auth.account_locked_until(subject),
            "can_manage": can_manage,
            "can_reset_mfa": security_views.may_reset(request.user, subject),
        },
    )


@login_required
@require_POST
def person_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    subject = denials.get_or_404(request, visible_people(request.user, Perm.PEOPLE_MANAGE), pk=pk)
    services.unlock_sign_in(request.user, subject, school)  # type: ignore[arg-type]
    messages.success(request, _("%(name)s can sign in again.") % {"name": subject})
    return redirect("person", pk=subject.pk)


@login_required
def person_add(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    grantable = [r for r in GRANTABLE_WITH if may_grant(request.user, r, school)]
    form = forms.PersonForm(request.POST or None, roles=forms.role_choices(grantable))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.create_person(
                request.user,  # type: ignore[arg-type]
                school,
                username=data["username"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password"] or None,
                card_barcode=data["card_barcode"] or None,
                pin=data["pin"] or None,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": new})
            if new.pin_hash and not new.card_barcode:
                messages.warning(
                    request,
                    _("%(name)s has a PIN but no card number, so cannot sign in with a PIN yet.")
                    % {"name": new},
                )
            return redirect("person", pk=new.pk)
    return render(request, "core/person_add.html", {"form": form, "school": school})


@login_required
def school_settings(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    form = forms.SchoolSettingsForm(request.POST or None, instance=School.objects.get(pk=school.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_school(request.user, school, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The school's settings are saved."))
            return redirect("school-settings")
    return render(request, "core/school_settings.html", {"form": form, "school": school})


@login_required
def locations(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_VIEW)
    can_manage = has_perm(request.user, Perm.SCHOOL_MANAGE, school)
    form = forms.LocationForm(request.POST or None, school=school)
    if request.method == "POST":
        require(request.user, Perm.SCHOOL_MANAGE, school)
        if form.is_valid():
            try:
                services.create_location(request.user, school, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The location is added."))
                return redirect("locations")
    rows = Location.objects.filter(school=school).select_related("parent")
    return render(
        request,
        "core/locations.html",
        {"school": school, "locations": rows, "form": form, "can_manage": can_manage},
    )


@login_required
def opening_calendar(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    current = {h.weekday: h for h in school.opening_hours.all()}
    action = request.POST.get("action") if request.method == "POST" else None
    hours_form = forms.OpeningHoursForm(
        request.POST if action == "hours" else None, current=current
    )
    # Two forms on one page: each its own ids (auto_id), so every label names its own field.
    closed_form = forms.ClosedPeriodForm(
        request.POST if action == "closed" else None, auto_id="id_closed_%s"
    )
    year_form = forms.SchoolYearForm(
        request.POST if action == "year" else None, auto_id="id_year_%s"
    )
    user = request.user
    try:
        if action == "hours" and hours_form.is_valid():
            services.set_opening_hours(user, school, hours_form.hours())  # type: ignore[arg-type]
            messages.success(request, _("Opening hours are saved."))
            return redirect("opening-calendar")
        if action == "closed" and closed_form.is_valid():
            services.add_closed_period(user, school, **closed_form.cleaned_data)  # type: ignore[arg-type]
            messages.success(request, _("The closed period is added."))
            return redirect("opening-calendar")
        if action == "year" and year_form.is_valid():
            services.add_school_year(user, school, **year_form.cleaned_data)  # type: ignore[arg-type]
            messages.success(request, _("The school year is added."))
            return redirect("opening-calendar")
        if action == "remove-closed":
            period_pk = _int_or_404(request.POST.get("period"))
            period = denials.get_or_404(
                request, ClosedPeriod.objects.filter(school=school), pk=period_pk
            )
            services.remove_closed_period(user, period)  # type: ignore[arg-type]
            messages.success(request, _("The closed period is removed."))
            return redirect("opening-calendar")
    except ValidationError as error:
        target = {"hours": hours_form, "closed": closed_form, "year": year_form}.get(action or "")
        if target is None:
            raise Http404 from error
        _form_errors(target, error)
    return render(
        request,
        "core/opening_calendar.html",
        {
            "school": school,
            "hours_form": hours_form,
            "closed_form": closed_form,
            "year_form": year_form,
            "closed_periods": school.closed_periods.all(),
            "school_years": school.school_years.prefetch_related("terms"),
        },
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.AUDIT_VIEW)
    events = scope(AuditEvent.objects.all(), request.user, Perm.AUDIT_VIEW).filter(school=school)
    action = request.GET.get("action", "").strip()[:64]
    who = request.GET.get("who", "").strip()[:150]
    subject = request.GET.get("object", "").strip()[:200]
    if action:
        events = events.filter(action__startswith=action)
    if who:
        events = events.filter(actor_name__icontains=who)
    if subject:
        events = events.filter(object_key__contains=fold(subject))
    page = Paginator(events.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {
            "school": school,
            "page": page,
            "action": action,
            "actions": audit.action_choices(),
            "who": who,
            "object": subject,
        },
    )
