"""The REs a shell is logged in to: the one it started on, then each ``request routing-engine
login`` (chapter, "Log In To Backup Routing Engine If graceful-switchover is Configured").

A login lives as long as its RE stays up on the same boot: a halt, a crash or a reboot of that
RE ends it (its ``rlogin`` connection closes).  An RE of the chapter's era asks the user's
password first (the chapter's sample: ``Password: #####`` then ``{backup}``); the 12.3 and 17.3
transcripts ask none and print the ``--- JUNOS`` line.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from emulator.model.errors import UnreachableError
from emulator.model.platforms import junos_release
from emulator.model.router import RouterModel
from emulator.model.routing_engine import REState

__all__ = ["PASSWORD_RELEASES", "Hops", "asks_password", "login_target"]

#: Releases older than this ask the password at ``request routing-engine login`` (the
#: chapter's sample does; the first release that stopped is not known: 12.3 and 17.3 do not).
PASSWORD_RELEASES = (8, 0)


@dataclass(frozen=True, slots=True)
class _Hop:
    """An RE the shell is logged in to, and the boot it was logged in on."""

    slot: int
    boot_stamp: float


class Hops:
    """The stack of logins of one shell on ``model``, innermost last."""

    def __init__(self, model: RouterModel, slot: int) -> None:
        self._model = model
        self._hops = [self._hop(slot)]

    def _hop(self, slot: int) -> _Hop:
        return _Hop(slot, self._model.chassis.re(slot).start_time)

    @property
    def slot(self) -> int:
        """Return the slot of the RE the shell is on now."""
        return self._hops[-1].slot

    @property
    def nested(self) -> bool:
        """Return True while the shell is logged in to another RE (``exit`` goes back)."""
        return len(self._hops) > 1

    def login(self, slot: int) -> None:
        """Continue on RE ``slot`` until ``exit``."""
        self._hops.append(self._hop(slot))

    def leave(self) -> None:
        """Go back to the previous RE (``exit`` from a login)."""
        self._hops.pop()

    def first_alive(self) -> bool:
        """Return True while the RE the shell started on is up on the same boot."""
        return self._alive(self._hops[0])

    def drop_dead(self) -> list[int]:
        """Drop the innermost logins whose RE went down; return their slots."""
        dead: list[int] = []
        while len(self._hops) > 1 and not self._alive(self._hops[-1]):
            dead.append(self._hops.pop().slot)
        return dead

    def _alive(self, hop: _Hop) -> bool:
        r = self._model.chassis.re(hop.slot)
        return r.alive and r.start_time == hop.boot_stamp


def login_target(model: RouterModel, here: int, words: Collection[str]) -> int:
    """Return the slot ``request routing-engine login <words>`` names, seen from RE ``here``.

    Raises UnreachableError when the named RE is unreachable or there is none.
    """
    if "re0" in words or "re1" in words:
        target = 0 if "re0" in words else 1
    elif "master" in words or "backup" in words:
        want = REState.MASTER if "master" in words else REState.BACKUP
        found = [slot for slot, r in model.chassis.res.items() if r.state is want]
        if not found:
            raise UnreachableError(f"Could not connect to {want.value} : No route to host")
        target = found[0]
    else:
        target = model.require_reachable_other(here)
    if target != here and not model.chassis.reachable(here, target):
        raise UnreachableError(f"Could not connect to re{target} : No route to host")
    return target


def asks_password(model: RouterModel, slot: int) -> bool:
    """Return True when RE ``slot`` runs a release of the chapter's era, whose login from the
    other RE asks for the user's password (the chapter: ``Password: #####``)."""
    return junos_release(model.chassis.re(slot).hardware.version) < PASSWORD_RELEASES
