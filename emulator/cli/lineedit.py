"""A sans-IO line editor for the Junos CLI: keystrokes in, echo and editing events out.

It understands what a terminal sends: printable text, backspace (DEL 0x7f or BS 0x08), Ctrl-C
(abort the line), Ctrl-D (end of input on an empty line), Ctrl-U (kill the line), TAB and ``?``
(completion and help, as the Junos CLI treats them at once), and the line ends of every client:
``\\r`` from a pseudo-terminal (OpenSSH), ``\\n`` or ``\\r\\n`` from paramiko scripts, ``\\r\\0``
from telnet (RFC 854: CR must be followed by LF or NUL).  ANSI escape sequences (arrow keys) are
consumed and ignored.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from enum import Enum

__all__ = ["EditEvent", "EventKind", "LineEditor"]

_CTRL_C = "\x03"
_CTRL_D = "\x04"
_CTRL_U = "\x15"
_ESC = "\x1b"
_ERASE = ("\x7f", "\x08")


class EventKind(Enum):
    """What the user asked for with a key."""

    LINE = "line"  # Enter: the line in ``text``
    COMPLETE = "complete"  # TAB: complete the word at the end of ``text``
    HELP = "help"  # ?: list the possible completions of ``text``
    INTERRUPT = "interrupt"  # Ctrl-C: the line is abandoned
    EOF = "eof"  # Ctrl-D on an empty line


@dataclass(frozen=True, slots=True)
class EditEvent:
    """One event and the line buffer at the moment it happened."""

    kind: EventKind
    text: str = ""


class LineEditor:
    """Keeps the line being typed; :meth:`feed` returns events, :meth:`echo` what to show."""

    def __init__(self) -> None:
        self.buffer = ""
        #: False while a password is typed: keys are not echoed.
        self.echo_on = True
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._echo: list[str] = []
        self._last_cr = False
        self._escape = ""

    def echo(self) -> str:
        """Return and forget the text to echo back for the keys fed so far."""
        out = "".join(self._echo)
        self._echo.clear()
        return out

    def set_buffer(self, text: str) -> None:
        """Replace the line (after a completion) and echo the added characters."""
        added = text[len(self.buffer):] if text.startswith(self.buffer) else text
        self.buffer = text
        self._show(added)

    def feed(self, data: bytes) -> list[EditEvent]:
        """Consume raw bytes; return the events they complete, in order."""
        events: list[EditEvent] = []
        for ch in self._decoder.decode(data):
            event = self._key(ch)
            if event is not None:
                events.append(event)
        return events

    # ------------------------------------------------------------------ keys
    def _key(self, ch: str) -> EditEvent | None:
        if self._escape or ch == _ESC:
            self._escape_key(ch)
            return None
        after_cr, self._last_cr = self._last_cr, ch == "\r"
        if ch in ("\n", "\0") and after_cr:
            return None  # the second half of CR LF / CR NUL
        if ch in ("\r", "\n"):
            return self._take(EventKind.LINE)
        return self._control(ch)

    def _control(self, ch: str) -> EditEvent | None:
        if ch == _CTRL_C:
            return self._take(EventKind.INTERRUPT)
        if ch == _CTRL_D:
            return EditEvent(EventKind.EOF) if not self.buffer else None
        if ch == "\t":
            return EditEvent(EventKind.COMPLETE, self.buffer)
        if ch == "?" and self.echo_on and self.buffer.count('"') % 2 == 0:
            return EditEvent(EventKind.HELP, self.buffer)
        if ch in _ERASE:
            self._erase(1)
        elif ch == _CTRL_U:
            self._erase(len(self.buffer))
        elif ch.isprintable():
            self.buffer += ch
            self._show(ch)
        return None

    def _escape_key(self, ch: str) -> None:
        """Swallow ``ESC [ ... final`` and ``ESC O x`` sequences (cursor keys)."""
        self._escape += ch
        seq = self._escape
        if len(seq) >= 2 and seq[1] not in "[O":
            self._escape = ""
        elif len(seq) >= 3 and (seq[1] == "O" or "\x40" <= ch <= "\x7e"):
            self._escape = ""

    def _take(self, kind: EventKind) -> EditEvent:
        text, self.buffer = self.buffer, ""
        return EditEvent(kind, text)

    def _erase(self, count: int) -> None:
        count = min(count, len(self.buffer))
        if count:
            self.buffer = self.buffer[:-count]
            self._show("\b \b" * count)

    def _show(self, text: str) -> None:
        if self.echo_on:
            self._echo.append(text)
