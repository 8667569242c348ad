"""Filters for Reol's logging (``settings.LOGGING``)."""

from __future__ import annotations

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A 403 is an answer, not a fault: Django logs "Forbidden (Permission denied)" with the
    PermissionDenied's traceback, forty lines in the server's log for a librarian who opened
    a page meant for administrators. The line stays; the traceback goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info, record.exc_text = None, None
        return True
