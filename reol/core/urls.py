from django.contrib.auth import views as auth_views
from django.urls import path

from . import calendar_views, security_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.sign_in, name="login"),
    path(
        "accounts/login/second-step/",
        security_views.sign_in_second_step,
        name="sign-in-second-step",
    ),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/password-reset/", views.ResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="core/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("me/", views.me, name="me"),
    path("me/password/", views.password_change, name="password-change"),
    path("me/email/", views.email_change, name="email-change"),
    path("me/sessions/", security_views.session_list, name="session-list"),
    path(
        "me/sessions/<int:pk>/sign-out/",
        security_views.session_end_one,
        name="session-end-one",
    ),
    path("me/sessions/end-others/", views.sessions_end, name="sessions-end"),
    path("me/two-step/", security_views.mfa_setup, name="mfa-setup"),
    path("accounts/email/<str:token>/", views.email_confirm, name="email-confirm"),
    path("staff/", views.dashboard, name="staff-dashboard"),
    path("staff/switch-school/", views.switch_school, name="switch-school"),
    path("staff/people/", views.people, name="people"),
    path("staff/people/new/", views.person_add, name="person-add"),
    path("staff/people/<int:pk>/", views.person, name="person"),
    path("staff/people/<int:pk>/unlock/", views.person_unlock, name="person-unlock"),
    path(
        "staff/people/<int:pk>/two-step-reset/",
        security_views.person_mfa_reset,
        name="person-mfa-reset",
    ),
    path("staff/school/", views.school_settings, name="school-settings"),
    path("staff/school/calendar/", views.opening_calendar, name="opening-calendar"),
    path("staff/locations/", views.locations, name="locations"),
    path("staff/audit/", views.audit_log, name="audit-log"),
    path("calendar/weeks/", calendar_views.weeks_preview, name="calendar-weeks"),
]
