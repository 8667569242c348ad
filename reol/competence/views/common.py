"""What every competence page needs: the signed-in person, a network they may see."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from reol.core.models import User
from reol.core.permissions import Perm, is_student_only

from .. import access
from ..models import Network


def me(request: HttpRequest) -> User:
    """The signed-in person; a student (only student roles) has no competence work here."""
    user = request.user
    if not isinstance(user, User) or is_student_only(user):
        raise PermissionDenied
    return user


def as_int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise Http404 from None


def network_for(request: HttpRequest, pk: int, perm: Perm = Perm.COMPETENCE) -> Network:
    """A network the person has ``perm`` in; another network is a 404 (it is not theirs)."""
    network = get_object_or_404(Network, pk=pk)
    if not access.may(me(request), perm, network):
        raise Http404
    return network


def form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def run(form: Any, call: Any) -> bool:
    """Validate ``form`` and ``call(cleaned_data)`` (a service); True when it was done."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        form_errors(form, error)
        return False
    return True
