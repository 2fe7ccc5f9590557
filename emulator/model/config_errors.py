"""Refusals of the configuration database, in the words Junos uses.

All are :class:`~emulator.model.errors.ModelError`, so the faces turn them into ``<rpc-error>``
or ``error:`` lines without knowing the configuration code.
"""

from __future__ import annotations

from emulator.model.errors import ModelError

__all__ = [
    "CHECKOUT_FAILED",
    "CommitCheckError",
    "ConfigError",
    "ConfigLockedError",
    "ConfigSyntaxError",
    "RollbackNotFoundError",
]

#: Junos's summary line after the detail messages of a failed commit check
#: (samples/rpc-error.generic.pyez.xml).
CHECKOUT_FAILED = "configuration check-out failed"


class ConfigError(ModelError):
    """Base of every configuration refusal."""


class ConfigSyntaxError(ConfigError):
    """A load could not be parsed; ``bad_element`` is the offending token.

    Message and ``<bad-element>`` as in samples/load-configuration.error.pyez.xml.
    """

    tag = "invalid-value"

    def __init__(self, bad_element: str, message: str = "syntax error") -> None:
        super().__init__(message)
        self.bad_element = bad_element


class ConfigLockedError(ConfigError):
    """The database is locked by another session (or not locked by this one, on unlock)."""

    tag = "lock-denied"

    def __init__(self, message: str, holder_session: int | None = None) -> None:
        super().__init__(message)
        #: Session id of the lock holder, for ``<error-info><session-id>`` (RFC 6241 7.5).
        self.holder_session = holder_session


class CommitCheckError(ConfigError):
    """A validator refused the candidate; ``messages`` are the details, in validator order.

    ``str()`` is the details joined by newlines; faces add :data:`CHECKOUT_FAILED` after them,
    as Junos does.
    """

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages) or CHECKOUT_FAILED)
        self.messages = tuple(messages)


class RollbackNotFoundError(ConfigError):
    """``rollback N`` for a configuration that is not kept."""

    tag = "invalid-value"

    def __init__(self, index: int) -> None:
        super().__init__(f"Cannot rollback, rollback file {index} does not exist")
        self.index = index
