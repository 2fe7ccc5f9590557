"""An emulator served in a child process that answers questions about itself: its endpoints,
its census (sessions, connections, locks, tasks), its resident memory and its server errors.

The benchmarks measure the server apart from the clients that hammer it (their memory and CPU
are not the server's); every question waits at most :data:`ANSWER_TIMEOUT` seconds.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from tests.fuzz.wire import WireTimeout, rss_kib

__all__ = ["ChildServer"]

ANSWER_TIMEOUT = 60.0


def _serve(conn: Connection, limits: dict[str, Any], testbed: str | None) -> None:
    """The child: serve the testbed's first router until told to stop."""
    import os

    from emulator.limits import Limits
    from emulator.server import EmulatorServer
    from emulator.testbed_bridge import router_entry
    from re_contract.testbed import default_testbed_path, load_testbed

    spec = next(iter(load_testbed(testbed or default_testbed_path()).routers.values()))
    entry = router_entry(spec)
    entry.limits = dataclasses.replace(entry.limits or Limits(), **limits)
    server = EmulatorServer([entry])
    conn.send({ep.re: (ep.host, ep.port) for ep in server.start()})
    while True:
        request = conn.recv()
        if request == "stop":
            server.stop()
            conn.send("stopped")
            return
        gc.collect()
        census = dataclasses.asdict(server.census())
        census["rss_kib"] = rss_kib(os.getpid())
        census["errors"] = [e.format() for e in server.take_errors()]
        conn.send(census)


class ChildServer:
    """The default testbed's router (or ``testbed``'s first), with ``limits`` (field names of
    ``emulator.limits.Limits``), served by a child process."""

    def __init__(self, limits: dict[str, Any] | None = None, testbed: str | None = None
                 ) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.proc = context.Process(target=_serve, args=(child, limits or {}, testbed),
                                    daemon=True)
        self.proc.start()
        self.endpoints: dict[str, tuple[str, int]] = self._answer()
        self.errors: list[str] = []

    def _answer(self) -> Any:
        if not self._conn.poll(ANSWER_TIMEOUT):
            raise WireTimeout(f"the server process did not answer within {ANSWER_TIMEOUT:g} s")
        return self._conn.recv()

    def census(self) -> dict[str, Any]:
        """Return the census, ``rss_kib`` and the server errors since the last call."""
        self._conn.send("census")
        census: dict[str, Any] = self._answer()
        self.errors += census["errors"]
        return census

    def stop(self) -> None:
        """Stop the server and the process."""
        if self.proc.is_alive():
            self._conn.send("stop")
            self._answer()
        self.proc.join(ANSWER_TIMEOUT)
        if self.proc.is_alive():
            self.proc.kill()
