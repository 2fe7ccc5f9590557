"""Refusals of the configuration database, in the words Junos uses.

All are :class:`~emulator.model.errors.ModelError`, so the faces turn them into ``<rpc-error>``
or ``error:`` lines without knowing the configuration code.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.model.errors import ModelError

__all__ = [
    "CHECKOUT_FAILED",
    "MISSING_STATEMENTS",
    "CommitCheckError",
    "ConfigError",
    "ConfigLockedError",
    "ConfigSyntaxError",
    "ConfigValueError",
    "LoadProblem",
    "MissingStatement",
    "RollbackNotFoundError",
]

#: Junos's summary line after the detail messages of a failed commit check
#: (samples/rpc-error.generic.pyez.xml).
CHECKOUT_FAILED = "configuration check-out failed"

#: What Junos adds to the summary when mandatory statements are missing (a commit of a
#: configuration without ``root-authentication``: "error: commit failed: (missing mandatory
#: statements)" in the CLI, "configuration check-out failed: (missing mandatory statements)"
#: over NETCONF).
MISSING_STATEMENTS = "(missing mandatory statements)"


class ConfigError(ModelError):
    """Base of every configuration refusal."""


class ConfigSyntaxError(ConfigError):
    """A statement is not in the schema (or a load could not be parsed); ``bad_element`` is
    the offending token, ``column``/``end``/``line`` where it was (-1 / 0: unknown).

    Message and ``<bad-element>`` as in samples/load-configuration.error.pyez.xml;
    ``completions`` are the ``(word, help)`` pairs of an ambiguous abbreviation.
    """

    tag = "invalid-value"

    def __init__(self, bad_element: str, message: str = "syntax error", *, column: int = -1,
                 line: int = 0, end: int = -1,
                 completions: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.bad_element = bad_element
        self.message = message
        self.column = column
        self.line = line
        self.end = end
        self.completions = completions

    def cli_text(self) -> str:
        """Return the line the CLI prints under the caret (Junos 25.4 captures: a bare
        ``syntax error.`` for an unknown word, ``error: syntax error, expecting <data>:
        receive-buffer`` when a value is missing)."""
        if self.message == "syntax error":
            return "syntax error."
        if self.message.endswith("."):
            return self.message
        return f"error: {self.message}: {self.bad_element}"


class ConfigValueError(ConfigSyntaxError):
    """A value is not one of its statement's type (``Value 1 is not within range
    (2..10000)``, ``Invalid numeric value: 'x'``)."""

    def cli_text(self) -> str:
        """Return Junos's CLI line: the message, then ``at '<value>'`` (Junos 25.4 capture:
        "Value 4294967296 is not within range (0..4294967295) at '4294967296'")."""
        return f"{self.message} at '{self.bad_element}'"


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """One refused statement of a load: the error and the statement's text and level, for
    the CLI's ``terminal:4:(18) syntax error: metric`` report."""

    error: ConfigSyntaxError
    #: ``[edit protocols ospf]``: where the refused statement was.
    edit_path: str = "[edit]"
    #: The statement as written (``'metric 65450;'``), '' for a ``set`` line.
    statement: str = ""


class ConfigLockedError(ConfigError):
    """The database is locked by another session (or not locked by this one, on unlock)."""

    tag = "lock-denied"

    def __init__(self, message: str, holder_session: int | None = None) -> None:
        super().__init__(message)
        #: Session id of the lock holder, for ``<error-info><session-id>`` (RFC 6241 7.5).
        self.holder_session = holder_session


@dataclass(frozen=True, slots=True)
class MissingStatement:
    """A statement missing where the schema requires it: ``'user bob'`` under ``[edit system
    login]`` lacks ``class``."""

    edit_path: str
    statement: str
    missing: str

    def message(self) -> str:
        """Return Junos's message (``Missing mandatory statement: 'class'``)."""
        return f"Missing mandatory statement: '{self.missing}'"


class CommitCheckError(ConfigError):
    """The candidate was refused; ``messages`` are the details, in check order.

    ``missing`` lists mandatory statements that are absent (the commit then fails with
    :data:`MISSING_STATEMENTS`).  ``str()`` is the details joined by newlines; faces add
    :data:`CHECKOUT_FAILED` after them, as Junos does.
    """

    def __init__(self, messages: list[str],
                 missing: tuple[MissingStatement, ...] = ()) -> None:
        every = [m.message() for m in missing] + list(messages)
        super().__init__("\n".join(every) or CHECKOUT_FAILED)
        self.messages = tuple(every)
        self.missing = missing

    def summary(self) -> str:
        """Return the last line Junos prints over NETCONF."""
        if self.missing:
            return f"{CHECKOUT_FAILED}: {MISSING_STATEMENTS}"
        return CHECKOUT_FAILED


class RollbackNotFoundError(ConfigError):
    """``rollback N`` for a configuration that is not kept."""

    tag = "invalid-value"

    def __init__(self, index: int) -> None:
        super().__init__(f"Cannot rollback, rollback file {index} does not exist")
        self.index = index
