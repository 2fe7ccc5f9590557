"""Junos's ``---(more)---`` pager, sans-IO: a command's output one screen at a time.

The CLI shows a screen less one line, then ``---(more N%)---`` (N: how much of the output was
shown, as Junos shows it for a complete output); space shows the next screen, Enter one more
line, ``q`` (or Ctrl-C) ends the output.  The prompt is erased by a carriage return, forty
blanks and a carriage return, as a Junos 12.x capture shows ("---(more 87%)---" then
"\\r" + 40 blanks + "\\r").
"""

from __future__ import annotations

__all__ = ["ERASE", "Pager"]

#: What Junos sends to erase the ``---(more ...)---`` line.
ERASE = "\r" + " " * 40 + "\r"

_QUIT = frozenset({"q", "Q", "\x03"})
_LINE = frozenset({"\r", "\n"})


class Pager:
    """Pages ``text`` on a screen of ``length`` lines."""

    def __init__(self, text: str, length: int) -> None:
        self._lines = text.splitlines(keepends=True)
        self._total = max(len(text), 1)
        self._page = max(length - 1, 1)
        self._next = 0
        self._shown = 0

    @staticmethod
    def needed(text: str, length: int) -> bool:
        """Return True when ``text`` does not fit on a screen of ``length`` lines (0: the
        pager is off, ``set cli screen-length 0``)."""
        return length > 0 and len(text.splitlines()) > length - 1

    @property
    def done(self) -> bool:
        """Return True once every line was shown or the user quit."""
        return self._next >= len(self._lines)

    def start(self) -> str:
        """Return the first screen and the more prompt."""
        return self._show(self._page)

    def key(self, ch: str) -> str:
        """Return what a key at the more prompt shows (the pager is done after ``q``)."""
        if ch in _QUIT:
            self._next = len(self._lines)
            return ERASE
        if ch == " ":
            return ERASE + self._show(self._page)
        if ch in _LINE:
            return ERASE + self._show(1)
        return ""

    def _show(self, count: int) -> str:
        chunk = self._lines[self._next:self._next + count]
        self._next += len(chunk)
        self._shown += sum(len(line) for line in chunk)
        text = "".join(chunk)
        if self.done:
            return text
        return text + f"---(more {self._shown * 100 // self._total}%)---"
