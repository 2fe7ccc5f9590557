"""What an emulated router listens on, by name, and what an address is.

The emulator opens one listener per Routing Engine (``re0``, ``re1``), optionally one that
always reaches the master (:data:`MASTER`) and one for the control user (:data:`CONTROL`); the
harness finds them by these names in what the emulator returns.
"""

from __future__ import annotations

import ipaddress

__all__ = ["CONTROL", "MASTER", "NETCONF_PORT", "RE_NAMES", "is_loopback"]

#: The Routing Engine slots a router can have, in order.
RE_NAMES: tuple[str, ...] = ("re0", "re1")
#: The listener that always reaches the current master RE (the testbed's ``master_only``).
MASTER = "master"
#: The listener of the emulator's control user (control RPCs: virtual time, faults).
CONTROL = "control"
#: RFC 6242 section 3: the IANA port for NETCONF over SSH.
NETCONF_PORT = 830


def is_loopback(host: str) -> bool:
    """Return True when ``host`` names this machine only: ``localhost``, 127.0.0.0/8 or ::1.

    Any other name or address (``0.0.0.0`` binds every interface) returns False, so a server
    may ask for an explicit opt-in before it listens there.
    """
    name = host.strip().rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).is_loopback
    except ValueError:
        return False
