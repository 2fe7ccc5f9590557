"""The one harness module that imports the emulator: it starts emulated routers in-process.

An emulated router of the testbed is served by an :class:`emulator.server.EmulatorServer` of its
own, on free loopback ports; the harness then talks to it over SSH/NETCONF only, as to a lab
router.  Everything else in the harness knows the emulator only through ``re_contract``.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from re_contract.listeners import CONTROL, MASTER
from re_contract.testbed import Endpoint, RouterSpec

__all__ = ["EmulatedRouter", "start_emulated"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmulatedRouter:
    """A started emulated router: its testbed entry with the real ports, the control user's
    endpoint, and the server to stop (``stop()``)."""

    spec: RouterSpec
    control: Endpoint
    server: Any

    def stop(self) -> None:
        """Stop the emulator serving this router (its listeners and sessions)."""
        self.server.stop()

    def take_errors(self) -> list[Any]:
        """Return the unexpected exceptions the emulator recorded since the last call
        (``emulator.incidents.ServerError``: ``.format()`` gives where and the traceback)."""
        return list(self.server.take_errors())


def start_emulated(spec: RouterSpec) -> EmulatedRouter:
    """Start the in-process emulator serving router ``spec``; return it with the real ports.

    Raises TestbedError when the emulator refuses the entry (an unknown platform, a bad
    platform override), and OSError when it cannot listen.
    """
    # Imported here: a run against lab routers never loads the emulator.
    from emulator.server import EmulatorServer
    from emulator.testbed_bridge import router_entry

    mode = spec.emulator.time.value if spec.emulator is not None else "virtual"
    server = EmulatorServer([router_entry(spec)], time_mode=mode)
    endpoints = {ep.re: Endpoint(ep.host, ep.port) for ep in server.start()}
    log.info("emulated router %s listening on %s", spec.name, endpoints)
    res = {name: endpoints[name] for name in spec.endpoints}
    started = dataclasses.replace(spec, endpoints=res, master_only=endpoints.get(MASTER))
    return EmulatedRouter(started, endpoints[CONTROL], server)
