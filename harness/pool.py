"""The routers of a test session: started (emulated) or reached (lab), one object per router.

Emulated routers of the testbed are served by an in-process emulator started on first use, on
free loopback ports; their endpoints are then written back into the testbed records.  This is the
only harness module that imports ``emulator``: the harness talks to the result over SSH.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from harness.router import DualRERouter
from harness.testbed import Endpoint, RouterSpec, Testbed

__all__ = ["RouterPool"]

log = logging.getLogger(__name__)


class RouterPool:
    """Lazily built :class:`DualRERouter` objects for the routers of one testbed."""

    def __init__(self, testbed: Testbed) -> None:
        self.testbed = testbed
        self._routers: dict[str, DualRERouter] = {}
        self._servers: list[Any] = []

    def names(self) -> list[str]:
        """Return the router names of the testbed, in file order."""
        return list(self.testbed.routers)

    def spec(self, name: str) -> RouterSpec:
        """Return the testbed entry of router ``name``.  Raises TestbedError if unknown."""
        return self.testbed.router(name)

    def get(self, name: str) -> DualRERouter:
        """Return the router ``name``, starting its emulator first if it is emulated."""
        if name not in self._routers:
            spec = self.spec(name)
            control = None
            if spec.emulated:
                spec, control = self._start_emulated(spec)
            self._routers[name] = DualRERouter(spec, control=control)
        return self._routers[name]

    def _start_emulated(self, spec: RouterSpec) -> tuple[RouterSpec, Endpoint]:
        from emulator.server import CONTROL, EmulatorServer
        from emulator.testbed_bridge import router_entry

        server = EmulatorServer([router_entry(spec)])
        endpoints = {ep.re: Endpoint(ep.host, ep.port) for ep in server.start()}
        self._servers.append(server)
        log.info("emulated router %s listening on %s", spec.name, endpoints)
        res = {name: endpoints[name] for name in spec.endpoints}
        spec = replace(spec, endpoints=res, master_only=endpoints.get("master"))
        return spec, endpoints[CONTROL]

    def started(self) -> Iterator[DualRERouter]:
        """Yield the routers built so far."""
        yield from self._routers.values()

    def close(self) -> None:
        """Close every session and stop the in-process emulators."""
        for router in self._routers.values():
            router.close()
        for server in self._servers:
            server.stop()
        self._routers.clear()
        self._servers.clear()
