"""Server-side errors, recorded so that the test during which one happened fails.

An exception nobody expected (a handler crash answered as "internal error", an exception in a
channel callback, in an event-loop callback or task, or in the server's thread) is logged and
kept in an :class:`ErrorLog`; ``EmulatorServer.take_errors()`` hands them to the in-process
fixture, which fails the test (the shape of pytest-httpserver's ``check_assertions``).
"""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass

__all__ = ["ErrorLog", "ServerError"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServerError:
    """One unexpected exception: where it happened, the exception and its formatted traceback."""

    where: str
    exception: BaseException
    traceback: str

    def format(self) -> str:
        """Return ``where`` and the traceback, for a test report."""
        return f"emulator error in {self.where}:\n{self.traceback}"


class ErrorLog:
    """The unexpected exceptions of one server, safe to read from another thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the server's loop thread records, a test thread takes
        self._errors: list[ServerError] = []

    def record(self, where: str, exc: BaseException) -> ServerError:
        """Log ``exc`` with its traceback, keep it, and return the record."""
        text = "".join(traceback.format_exception(exc))
        log.error("emulator error in %s:\n%s", where, text.rstrip())
        error = ServerError(where, exc, text)
        with self._lock:
            self._errors.append(error)
        return error

    def take(self) -> list[ServerError]:
        """Return the errors recorded since the last call, and forget them."""
        with self._lock:
            errors, self._errors = self._errors, []
        return errors
