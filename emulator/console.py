"""The console port of a Routing Engine: a raw TCP listener (as a terminal server offers).

Each accepted connection gets a sans-IO :class:`~emulator.cli.console.ConsoleSession` and a
pump thread; the console works whatever state the RE is in (that is what a console is for:
"Please press any key to reboot." on a halted RE).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Mapping

from emulator.cli.console import ConsoleSession
from emulator.cli_glue import pump
from emulator.model.router import RouterModel

__all__ = ["ConsoleConnection"]

log = logging.getLogger(__name__)


class ConsoleConnection:
    """One client on the console of RE ``slot``."""

    def __init__(self, conn: socket.socket, model: RouterModel, slot: int,
                 users: Mapping[str, str], session_id: int) -> None:
        self.conn = conn
        self.session = ConsoleSession(model, slot, users, session_id=session_id)
        self._stop = threading.Event()

    def close(self) -> None:
        """Disconnect the client."""
        self._stop.set()
        try:
            self.conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already gone
        self.conn.close()

    def run(self) -> None:
        """Serve the console until the client disconnects or :meth:`close` is called."""
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.session.start()
        try:
            pump(self.conn, self.session, self._stop)
        except OSError as exc:
            log.info("console client gone: %s", exc)
        finally:
            self.close()
