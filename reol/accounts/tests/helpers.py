from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from django.urls import reverse

from reol.accounts import oidc, services
from reol.accounts.models import IdentityProvider, MatchField
from reol.core.permissions import SYSTEM


def make_provider(issuer: str, school: Any, **fields: Any) -> IdentityProvider:
    oidc.forget_cache()
    values: dict[str, Any] = {
        "name": "Skolelogin",
        "slug": "skolelogin",
        "issuer": issuer,
        "client_id": "reol-client",
        "client_secret": "s3cret",
        "scopes": "openid profile",
        "match_claim": "preferred_username",
        "match_field": MatchField.USERNAME,
        "enabled": True,
    }
    values.update(fields)
    return services.save_provider(SYSTEM, IdentityProvider(), school=school, **values)


def begin(client: Any, provider: IdentityProvider, fake: Any, **query: str) -> dict[str, str]:
    """Start the flow; the authorisation request's parameters (state, nonce, challenge …)."""
    response = client.get(reverse("accounts-sso-start", args=[provider.slug]), query)
    assert response.status_code == 302, response.content
    params = {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}
    assert response["Location"].startswith(fake.issuer + "/authorize?")
    return params


def sign_in(client: Any, provider: IdentityProvider, fake: Any, make_token: Any = None) -> Any:
    """A whole sign-in: ``make_token(nonce)`` gives the claims (or signed token) to hand back."""
    params = begin(client, provider, fake)
    token = make_token(params["nonce"]) if make_token else fake.claims(params["nonce"])
    fake.queued.append(token)
    fake.challenges["code-1"] = params["code_challenge"]
    url = reverse("accounts-sso-callback", args=[provider.slug])
    return client.get(url, {"code": "code-1", "state": params["state"]})
