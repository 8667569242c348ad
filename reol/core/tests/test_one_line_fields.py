"""Every one-line input at every front door is one line: each text field of every form of
every app, and each text field of every input schema of the API, is fed a line break and a
control character. A one-line field must refuse them or give back one line without them; a
many-line field (a textarea, goals, notes) keeps its line breaks but refuses NUL and ESC.

The fields are found, not listed, so a form or schema added later is tried too."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Annotated, Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from ninja import Schema
from pydantic import TypeAdapter
from pydantic import ValidationError as SchemaError

import reol

BREAKS = "Anna\r\nBcc: x@example.org\n\tHansen"
CONTROLS = "Anna\x00\x1b[31mHansen"
# fields of API schemas that hold many lines by nature (the pages give them a textarea)
MANY_LINES = {
    "goals",
    "materials",
    "notes",
    "description",
    "evaluation",
    "why",
    "problem",
    "note",
    "details",
}


def _modules(name: str) -> list[Any]:
    found = []
    for info in pkgutil.iter_modules(reol.__path__):
        try:
            found.append(importlib.import_module(f"reol.{info.name}.{name}"))
        except ModuleNotFoundError:
            continue
    return found


def _form_fields() -> list[Any]:
    params = []
    for module in _modules("forms"):
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for name, field in cls.base_fields.items():
                if not isinstance(field, forms.CharField):
                    continue
                if isinstance(field.widget, forms.PasswordInput):
                    continue  # a password is taken as typed
                many = isinstance(field.widget, forms.Textarea)
                ident = f"{module.__name__.split('.')[1]}.{cls_name}.{name}"
                params.append(pytest.param(field, many, id=ident))
    return params


def _schema_fields() -> list[Any]:
    params = []
    for module in _modules("api"):
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Schema) or cls.__module__ != module.__name__:
                continue
            if not cls_name.endswith(("In", "Patch")):
                continue
            for name, info in cls.model_fields.items():
                if "str" not in repr(info.annotation) or name == "password":
                    continue  # a password is taken as typed
                ident = f"{module.__name__.split('.')[1]}.{cls_name}.{name}"
                params.append(pytest.param(cls, name, id=ident))
    return params


def _cleaned(field: forms.Field, value: str) -> str | None:
    try:
        return str(field.clean(value))
    except ValidationError:
        return None  # refused: fine


@pytest.mark.parametrize(("field", "many"), _form_fields())
def test_every_form_field(field, many):
    cleaned = _cleaned(field, BREAKS)
    if cleaned is not None and not many:
        assert "\n" not in cleaned and "\r" not in cleaned and "\t" not in cleaned, repr(cleaned)
    cleaned = _cleaned(field, CONTROLS)
    assert cleaned is None or ("\x00" not in cleaned and "\x1b" not in cleaned), repr(cleaned)


def _validated(cls: type[Schema], name: str, value: str) -> Any:
    info = cls.model_fields[name]
    kind = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    adapter: TypeAdapter[Any] = TypeAdapter(kind)
    origin = repr(info.annotation)
    given: Any = [value] if origin.startswith("list[") or "list[" in origin else value
    try:
        return adapter.validate_python(given)
    except SchemaError:
        return None


@pytest.mark.parametrize(("cls", "name"), _schema_fields())
def test_every_schema_field(cls, name):
    found = _validated(cls, name, BREAKS)
    text = "".join(found) if isinstance(found, list) else (found or "")
    if name not in MANY_LINES:
        assert "\n" not in text and "\r" not in text and "\t" not in text, repr(text)
    found = _validated(cls, name, CONTROLS)
    text = "".join(found) if isinstance(found, list) else (found or "")
    assert "\x00" not in text and "\x1b" not in text, repr(text)


def test_the_fields_were_found():
    assert len(_form_fields()) > 50 and len(_schema_fields()) > 30
