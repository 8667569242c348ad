from django.urls import path

from . import lti_views, views

urlpatterns = [
    path("accounts/sso/<slug:slug>/", views.start, name="accounts-sso-start"),
    path("accounts/sso/<slug:slug>/callback/", views.callback, name="accounts-sso-callback"),
    path(
        "accounts/sso/<slug:slug>/backchannel-logout/",
        views.backchannel_logout,
        name="accounts-sso-backchannel-logout",
    ),
    path(
        "accounts/sso/<slug:slug>/frontchannel-logout/",
        views.frontchannel_logout,
        name="accounts-sso-frontchannel-logout",
    ),
    path("accounts/saml/<slug:slug>/acs/", views.saml_acs, name="accounts-saml-acs"),
    path("accounts/saml/<slug:slug>/slo/", views.saml_slo, name="accounts-saml-slo"),
    path("accounts/saml/<slug:slug>/metadata/", views.saml_metadata, name="accounts-saml-metadata"),
    path("staff/sign-in/", views.providers, name="accounts-providers"),
    path("staff/sign-in/new/", views.edit, name="accounts-provider-new"),
    path("staff/sign-in/<int:pk>/", views.detail, name="accounts-provider"),
    path("staff/sign-in/<int:pk>/edit/", views.edit, name="accounts-provider-edit"),
    path("staff/sign-in/<int:pk>/test/", views.test, name="accounts-provider-test"),
    path("lti/login/", lti_views.login_initiation, name="lti-login"),
    path("lti/launch/", lti_views.launch, name="lti-launch"),
    path("lti/jwks.json", lti_views.jwks, name="lti-jwks"),
    path("lti/register/<str:token>/", lti_views.register, name="lti-register"),
    path("staff/sign-in/lti/", lti_views.platforms, name="lti-platforms"),
    path("staff/sign-in/lti/new/", lti_views.platform_edit, name="lti-platform-new"),
    path("staff/sign-in/lti/<int:pk>/", lti_views.platform_edit, name="lti-platform-edit"),
]
