"""A sans-IO line editor for the Junos CLI: keystrokes in, echo and editing events out.

It understands what a terminal sends: printable text, backspace (DEL 0x7f or BS 0x08), Ctrl-C
(abort the line), Ctrl-D (end of input on an empty line), Ctrl-U (kill the line), TAB and ``?``
(completion and help, as the Junos CLI treats them at once), the command history (up and down
arrows, Ctrl-P and Ctrl-N, as in Junos's Emacs-style editing), and the line ends of every
client: ``\\r`` from a pseudo-terminal (OpenSSH), ``\\n`` or ``\\r\\n`` from paramiko scripts,
``\\r\\0`` from telnet (RFC 854: CR must be followed by LF or NUL).  Other ANSI escape
sequences (left/right arrows) are consumed and ignored.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from enum import Enum

__all__ = ["HISTORY_SIZE", "EditEvent", "EventKind", "LineEditor"]

_CTRL_C = "\x03"
_CTRL_D = "\x04"
_CTRL_N = "\x0e"
_CTRL_P = "\x10"
_CTRL_U = "\x15"
_ESC = "\x1b"
_ERASE = ("\x7f", "\x08")

#: Lines the history keeps (older ones are forgotten).
HISTORY_SIZE = 100

#: Escape sequences of the arrow keys (normal and application cursor mode) that walk the
#: history: up is older, down is newer.
_HISTORY_KEYS = {"\x1b[A": -1, "\x1bOA": -1, "\x1b[B": 1, "\x1bOB": 1}


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
        #: True while text is typed for ``load ... terminal``: ``?`` and TAB are characters.
        self.literal = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._echo: list[str] = []
        self._last_cr = False
        self._escape = ""
        self._history: list[str] = []
        #: Where the history walk is (len(history): the line being typed, not a past one).
        self._at = 0
        self._draft = ""

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

    def remember(self, line: str) -> None:
        """Add an entered line to the history (blank lines and repeats of the last are not
        kept) and start the next walk from the newest line."""
        if line.strip() and (not self._history or self._history[-1] != line):
            self._history = [*self._history, line][-HISTORY_SIZE:]
        self._at = len(self._history)

    @property
    def history(self) -> tuple[str, ...]:
        """Return the remembered lines, oldest first."""
        return tuple(self._history)

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
            self._at = len(self._history)
            return self._take(EventKind.LINE)
        return self._control(ch)

    def _control(self, ch: str) -> EditEvent | None:
        if ch == _CTRL_C:
            self._at = len(self._history)
            return self._take(EventKind.INTERRUPT)
        if ch == _CTRL_D:
            return EditEvent(EventKind.EOF) if not self.buffer else None
        if ch in (_CTRL_P, _CTRL_N):
            self._walk(-1 if ch == _CTRL_P else 1)
        elif ch == "\t" and not self.literal:
            return EditEvent(EventKind.COMPLETE, self.buffer)
        elif ch == "?" and not self.literal and self.echo_on \
                and self.buffer.count('"') % 2 == 0:
            return EditEvent(EventKind.HELP, self.buffer)
        elif ch in _ERASE:
            self._erase(len(self.buffer) - 1)
        elif ch == _CTRL_U:
            self._erase(0)
        elif ch.isprintable() or ch == "\t":
            self.buffer += ch
            self._show(ch)
        return None

    def _escape_key(self, ch: str) -> None:
        """Take ``ESC [ ... final`` and ``ESC O x`` sequences: the up and down arrows walk the
        history, other cursor keys are ignored."""
        self._escape += ch
        seq = self._escape
        if len(seq) >= 2 and seq[1] not in "[O":
            self._escape = ""
        elif len(seq) >= 3 and (seq[1] == "O" or "\x40" <= ch <= "\x7e"):
            self._escape = ""
            if seq in _HISTORY_KEYS and self.echo_on and not self.literal:
                self._walk(_HISTORY_KEYS[seq])

    def _walk(self, step: int) -> None:
        """Show the previous (``step`` -1) or next (+1) line of the history in place of the
        line being typed; past the newest, the line that was being typed comes back."""
        target = self._at + step
        if not 0 <= target <= len(self._history) or self.literal:
            return
        if self._at == len(self._history):
            self._draft = self.buffer
        self._at = target
        line = self._draft if target == len(self._history) else self._history[target]
        self._erase(0)
        self.buffer = line
        self._show(line)

    def _take(self, kind: EventKind) -> EditEvent:
        text, self.buffer = self.buffer, ""
        return EditEvent(kind, text)

    def _erase(self, keep: int) -> None:
        """Cut the line to its first ``keep`` characters, erasing the rest on the screen."""
        count = len(self.buffer) - max(keep, 0)
        if count > 0:
            self.buffer = self.buffer[:-count]
            self._show("\b \b" * count)

    def _show(self, text: str) -> None:
        if self.echo_on:
            self._echo.append(text)
