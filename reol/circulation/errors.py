"""Every refusal of the desk, as an exception with a stable ``code`` and a sentence.

The code is for machines (the API, the SIP2 server, tests); the message, translated into the
active language when raised, is for the librarian at the desk. ``status`` is the HTTP status the
API answers with: 422 when what was sent names nothing we know, 409 when the library's state or
rules say no. ``overridable`` refusals may be overridden by a librarian (and the override is
audited).
"""

from __future__ import annotations

from typing import Any


class CirculationError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 409,
        overridable: bool = False,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.overridable = overridable
        self.details = details

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}
