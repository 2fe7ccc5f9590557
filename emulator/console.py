"""The console port of a Routing Engine: a raw TCP listener (as a terminal server offers).

Each accepted connection gets a sans-IO :class:`~emulator.cli.console.ConsoleSession` behind a
:class:`~emulator.cli_glue.TerminalPump`; the console works whatever state the RE is in (that is
what a console is for: "Please press any key to reboot." on a halted RE).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Mapping

from emulator.cli.console import ConsoleSession
from emulator.cli_glue import TerminalPump
from emulator.incidents import ErrorLog
from emulator.runtime import RouterRuntime

__all__ = ["ConsoleProtocol", "TransportLink"]

log = logging.getLogger(__name__)


class TransportLink:
    """A face's view of an asyncio TCP transport."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    @property
    def writable(self) -> bool:
        """Return True: the transport's own flow control reaches the face directly."""
        return True

    def write(self, data: bytes) -> None:
        """Queue ``data`` for the client (dropped once the connection is closing)."""
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        """Send what is queued, then close."""
        self._transport.close()

    def abort(self) -> None:
        """Close at once, discarding what is queued."""
        self._transport.abort()

    def close_connection(self) -> None:
        """Close the connection (it is the link itself)."""
        self._transport.close()

    def pause_reading(self) -> None:
        """Stop reading from the client."""
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        """Read from the client again."""
        if not self._transport.is_closing():
            self._transport.resume_reading()


class ConsoleProtocol(asyncio.Protocol):
    """One client on the console of RE ``slot``."""

    def __init__(self, runtime: RouterRuntime, slot: int, users: Mapping[str, str],
                 session_id: int, errors: ErrorLog) -> None:
        self._runtime = runtime
        self._slot = slot
        self._users = users
        self._session_id = session_id
        self._errors = errors
        self._pump: TerminalPump | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport.set_write_buffer_limits(high=self._runtime.limits.send_high_water)
        session = ConsoleSession(self._runtime.model, self._slot, self._users,
                                 session_id=self._session_id)
        self._pump = TerminalPump(TransportLink(transport), self._runtime, session,
                                  slot=self._slot, reap=False)
        self._guard("start", self._pump.start)

    def data_received(self, data: bytes) -> None:
        pump = self._pump
        if pump is not None:
            self._guard("data", lambda: pump.data_received(data))

    def eof_received(self) -> bool:
        if self._pump is not None:
            self._guard("eof", self._pump.close)
        return False

    def pause_writing(self) -> None:
        if self._pump is not None:
            self._pump.pause_writing()

    def resume_writing(self) -> None:
        if self._pump is not None:
            self._guard("resume", self._pump.resume_writing)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._pump is not None:
            self._pump.close()
            self._pump = None

    def _guard(self, what: str, run: Callable[[], None]) -> None:
        """Run ``run``; a crash is recorded as a server error and ends this console client."""
        try:
            run()
        except Exception as exc:  # recorded for the test that caused it, never lost
            self._errors.record(f"{self._runtime.name} console re{self._slot}: {what}", exc)
            if self._pump is not None:
                self._pump.close()
