"""The one error acquisitions' actions raise for a refused request, with a code for the API."""

from __future__ import annotations


class AcquisitionError(Exception):
    def __init__(self, code: str, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
