"""Client secrets and Reol's LTI private keys are encrypted at rest, keyed from SECRET_KEY; a
rotated-out key (SECRET_KEY_FALLBACKS) still opens them; another installation's key does not."""

from __future__ import annotations

import pytest

from reol.accounts import lti_services, sealed
from reol.accounts.models import IdentityProvider, LtiToolKey

from .helpers import make_provider

pytestmark = pytest.mark.django_db


def test_a_client_secret_is_stored_sealed_and_read_back(world):
    make_provider("https://idp.example", world.school_a, client_secret="s3cret-value")
    stored = IdentityProvider.objects.get().client_secret
    assert stored.startswith(sealed.PREFIX) and "s3cret-value" not in stored
    assert sealed.unseal(stored) == "s3cret-value"


def test_reols_lti_private_key_is_stored_sealed(world):
    key = lti_services.signing_key()
    stored = LtiToolKey.objects.get(kid=key.kid).private_jwk
    assert stored.startswith(sealed.PREFIX) and '"d"' not in stored


def test_a_rotated_secret_key_still_opens_what_it_sealed(settings):
    value = sealed.seal("abc")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-installation-0123456789"
    assert sealed.unseal(value) == "abc"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ValueError, match="another SECRET_KEY"):
        sealed.unseal(value)
    assert sealed.unseal("typed-before-sealing") == "typed-before-sealing"
