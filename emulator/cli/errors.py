"""The CLI's exception tree: what the Junos CLI refuses as you type, in its words."""

from __future__ import annotations

__all__ = ["CliError", "CliSyntaxError"]


class CliError(Exception):
    """Base of every refusal of the interactive CLI; ``str()`` is the message Junos prints."""


class CliSyntaxError(CliError):
    """The words do not form a command.

    ``column`` is where the ``^`` goes (an index into the typed line); ``completions`` are the
    ``(word, help)`` pairs Junos lists under "Possible completions:" (ambiguous words).
    """

    def __init__(self, message: str, column: int,
                 completions: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.column = column
        self.completions = completions
