"""The REST API at /api/v1/, assembled from each app's ``api.py`` router.

Authentication is either the browser session (with CSRF on writes) or an API token sent as
``Authorization: Bearer reol_…``. A token acts with exactly its owner's roles.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError as RequestInvalid
from ninja.security import HttpBearer, django_auth

import reol
from reol.acquisitions.api import router as acquisitions_router
from reol.bookings.api import router as bookings_router
from reol.catalog.api import router as catalog_router
from reol.circulation.api import router as circulation_router
from reol.competence.api import router as competence_router
from reol.core import audit, denials
from reol.core.api import router as core_router
from reol.core.auth import client_ip
from reol.core.models import ApiToken, User
from reol.core.selectors import token_owner
from reol.core.services import API_TOKEN_PREFIX, token_digest
from reol.external.api import router as external_router
from reol.patrons.api import router as patrons_router
from reol.planning.api import router as planning_router
from reol.reports.api import router as reports_router
from reol.technology.api import router as technology_router
from reol.workshop.api import router as workshop_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token.startswith(API_TOKEN_PREFIX):
            return None
        owner = token_owner(token_digest(token))  # the person and their roles, one statement
        if owner is None:
            return None
        if owner.touch:
            ApiToken.objects.filter(pk=owner.token_id).update(last_used_at=timezone.now())
        request.user = owner.user
        audit.set_origin("api", client_ip(request))
        return owner.user


api = NinjaAPI(
    title="Reol API",
    version=reol.__version__,
    description="Reol's REST API. Authenticate with a session or `Authorization: Bearer <token>` "
    "(create one with `reol token create USERNAME`).",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


class Problem(Schema):
    code: str
    message: str


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    denials.record(request, reason=str(exc))  # ASVS 7.2.2, rate-limited per person
    message = str(exc) or _("You may not do this.")
    return api.create_response(request, {"code": "forbidden", "message": message}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Nothing there, or nothing the caller may know of: ``{"code", "message"}`` in the
    request's language, like every other refusal (ninja's own says "Not Found")."""
    return api.create_response(
        request, {"code": "not_found", "message": _("There is nothing here.")}, status=404
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    message = "; ".join(
        f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in detail.items()
    )
    return api.create_response(
        request, {"code": "invalid", "message": message, "fields": detail}, status=422
    )


def _problem(error: dict[str, object]) -> str:
    """One of pydantic's complaints about a request, in the request's language."""
    kind, context = str(error.get("type", "")), error.get("ctx") or {}
    limit = context.get("le", context.get("ge", "")) if isinstance(context, dict) else ""
    if kind == "missing":
        return _("This is required.")
    if kind in ("int_parsing", "int_from_float", "float_parsing"):
        return _("Give a number.")
    if kind in ("less_than_equal", "less_than"):
        return _("At most %(limit)s.") % {"limit": limit}
    if kind in ("greater_than_equal", "greater_than"):
        return _("At least %(limit)s.") % {"limit": limit}
    if kind.startswith(("date_", "datetime_")):
        return _("Not a date: write it as YYYY-MM-DD, e.g. 2027-10-11.")
    if kind == "bool_parsing":
        return _("Give true or false.")
    if kind in ("string_too_long", "too_long"):
        return _("Too long.")
    return str(error.get("msg", "")) or _("Not valid.")


@api.exception_handler(RequestInvalid)
def request_invalid(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    """A parameter or body the schema refuses: the same 422 as the services' own refusals
    (``{"code": "invalid", "message", "fields"}``), not ninja's ``{"detail": [...]}``."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        # ("query", "size"), ("path", "id"), ("body", "payload", "username"): the field as the
        # client sent it, without where ninja found it or the view's name for the body.
        loc = [str(part) for part in error.get("loc", ())]
        place = loc[2:] if loc[:1] == ["body"] else loc[1:]
        fields.setdefault(".".join(place) or "__all__", []).append(_problem(error))
    return invalid(request, ValidationError(fields))


class Health(Schema):
    status: str
    version: str
    database: str
    migrations: str


@api.get("/health", auth=None, response={200: Health, 503: Health}, tags=["system"])
def health(request: HttpRequest) -> tuple[int, dict[str, str]]:
    """Is the database reachable and are all migrations applied?"""
    result = {
        "status": "ok",
        "version": reol.__version__,
        "database": "ok",
        "migrations": "applied",
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            result.update(status="degraded", migrations="pending")
    except DatabaseError:
        result.update(status="down", database="unreachable", migrations="unknown")
    return (200 if result["status"] == "ok" else 503), result


api.add_router("/", core_router)
api.add_router("/", catalog_router)
api.add_router("/", circulation_router)
api.add_router("/", bookings_router)
api.add_router("/", acquisitions_router)
api.add_router("/", patrons_router)
api.add_router("/", planning_router)
api.add_router("/", reports_router)
api.add_router("/", competence_router)
api.add_router("/", external_router)
api.add_router("/", technology_router)
api.add_router("/", workshop_router)
