from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "reol.accounts"
    label = "accounts"
    verbose_name = _("Sign-in")

    def ready(self) -> None:
        from reol.core import signin
        from reol.core.audit import register_actions
        from reol.core.navigation import NavEntry, register
        from reol.core.permissions import Perm

        from . import oidc_logout, saml_logout, selectors, services

        register(
            NavEntry(
                _("Sign-in"),
                "accounts-providers",
                Perm.SIGNIN_MANAGE,
                order=88,
                description=_("UNI-Login, Feide, Google or Entra ID: how people sign in."),
            )
        )
        register_actions(
            {
                "signin.provider_add": _("Sign-in provider added"),
                "signin.provider_change": _("Sign-in provider changed"),
                "signin.provider_refused": _("Sign-in through a provider refused"),
                "signin.provider_tested": _("Sign-in provider tested"),
                "signin.provider_logout": _("Signed out by the provider"),
                "signin.provider_logout_refused": _("Sign-out from a provider refused"),
                "signin.policy": _("Sign-in policy changed"),
                "lti.platform_add": _("Learning platform registered"),
                "lti.platform_change": _("Learning platform changed"),
                "lti.keys_rotated": _("Reol's LTI signing key rotated"),
                "lti.invite": _("Learning platform registration address made"),
                "lti.launch": _("Launched from a learning platform"),
                "lti.launch_refused": _("Launch from a learning platform refused"),
            }
        )
        signin.register_ways(selectors.sign_in_ways)
        signin.register_password_check(services.password_refusal)
        signin.register_sign_out(saml_logout.onward)
        signin.register_sign_out(oidc_logout.onward)
