"""The terminal face: bytes between a link (an SSH shell channel, a console connection) and a
sans-IO terminal session (the Junos CLI, or an RE's serial console).

The CLI and console (``emulator.cli``) never touch a socket; this face feeds them what the
client types, writes what they answer, and ticks them when their RE changes state (the router's
runtime says when), so a halt from elsewhere ends an idle shell without anyone polling.
"""

from __future__ import annotations

from typing import Protocol

from emulator.face import Face
from emulator.runtime import Link, RouterRuntime

__all__ = ["Pumpable", "TerminalPump"]


class Pumpable(Protocol):
    """What :class:`TerminalPump` drives: a sans-IO terminal session."""

    @property
    def closed(self) -> bool:
        """Return True once the session is over."""
        ...

    def start(self) -> None:
        """Queue the greeting (banner and prompt, or the console's login)."""

    def receive_data(self, data: bytes) -> None:
        """Consume bytes from the client."""

    def data_to_send(self) -> bytes:
        """Return the bytes for the client."""
        ...

    def tick(self) -> None:
        """Look at the model again (an RE changed state)."""

    def resize(self, width: int, height: int) -> None:
        """The client's terminal is ``width`` x ``height`` (the CLI pages on it)."""


class TerminalPump(Face):
    """Runs one terminal session over one link.

    ``reap``: a CLI shell is closed when RE ``slot`` goes down or reboots, as sshd goes with
    it; a console (``reap=False``) works whatever state its RE is in.
    """

    kind = "terminal"

    def __init__(self, link: Link, runtime: RouterRuntime, session: Pumpable, *, slot: int,
                 reap: bool) -> None:
        super().__init__(link, runtime, slot)
        self.session = session
        self._reap = reap
        self._pending = bytearray()

    def start(self) -> None:
        """Show the greeting; follow the RE from now on."""
        self.runtime.terminals.add(self)
        if self._reap:
            self.runtime.attach(self)
        self.runtime.run(self.session.start)
        self._flush()
        self._touch()

    def data_received(self, data: bytes) -> None:
        """Feed keystrokes (held while the router is held or the client reads nothing)."""
        self._touch()
        self._pending += data
        self.pump()
        if not self.closed:
            self._hold_input(len(self._pending))

    def eof_received(self) -> None:
        """The client will type nothing more: the session ends."""
        self.close()

    def pump(self) -> None:
        """Run the held keystrokes unless the client or the router holds them back."""
        if self.closed or self._held():
            return
        if self._pending:
            data = bytes(self._pending)
            self._pending.clear()
            self.runtime.run(lambda: self.session.receive_data(data))
            self._acknowledge(self._flush)
            if self._saving:
                return
        self._read_again()

    def resize(self, width: int, height: int) -> None:
        """The client's window changed size: the session pages on the new height."""
        self.session.resize(width, height)

    def tick(self) -> None:
        """The RE changed state: let the session redraw (or end)."""
        if not self.closed:
            self.session.tick()
            self._flush()

    def close(self) -> None:
        """End the terminal: the client sees the channel (or connection) close."""
        self.runtime.terminals.discard(self)
        super().close()

    def _flush(self) -> None:
        out = self.session.data_to_send()
        if out:
            self.link.write(out)
        if self.session.closed:
            self.close()
