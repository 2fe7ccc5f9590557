"""How long things take on a platform: the timing profile of the Routing Engine model.

A :class:`TimingProfile` is data in the platform catalogue (one per platform, overridable per
router in the testbed: ``emulator.platform.timing``).  The chassis reads it to schedule timers on
the virtual clock, so a switchover takes router time (control plane, data plane, backup
readiness) while virtual time keeps the wall-clock cost near zero.

What each field means, and the public figures the defaults stay within (the sources and the
per-platform choices are in ``docs/emulator-model.md``, "Timing"):

* ``resolution`` / ``resolution_gres``: a mastership change, from the request (or the failure
  detected) to the new master in state master -- the "Resolving mastership..." of the chapter.
  During it the old master is in ``giveup`` (or gone) and the new one in ``claim``.
* ``master_ready`` / ``master_ready_gres``: from the new master taking mastership to its chassis
  process owning the hardware.  Without graceful switchover the FPCs are reset then: "All
  physical interfaces are taken offline, Packet Forwarding Engines restart ... The switchover
  takes several minutes" (Juniper, "Effects of a Routing Engine Switchover").  With it "the
  Packet Forwarding Engine does not reboot, and traffic is not interrupted" (Juniper, GRES
  concepts): the FPCs stay online.
* ``fpc_boot`` / ``fpc_stagger``: an FPC's boot after the reset, and how much later each next
  populated FPC comes online (chassisd brings the FPCs up one after another).
* ``backup_sync_switchover`` / ``backup_sync_boot``: the kernel database of the backup is
  "Synchronizing" in ``show system switchover`` for this long after a switchover (the old master
  becoming backup) and after the backup boots; then "Ready".
* ``boot``: an RE's boot, power-on to login prompt and election.
* ``gres_keepalive``: with graceful switchover, the backup takes over "if [it] does not receive a
  keepalive from the master Routing Engine after 2 seconds (4 seconds on M20 routers)" (Juniper,
  "Understanding Graceful Routing Engine Switchover").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["INSTANT", "TimingProfile"]


@dataclass(frozen=True, slots=True)
class TimingProfile:
    """Seconds of router time for each phase of a switchover, a failover and a boot."""

    resolution: float = 0.0
    resolution_gres: float = 0.0
    master_ready: float = 0.0
    master_ready_gres: float = 0.0
    fpc_boot: float = 45.0
    fpc_stagger: float = 0.0
    backup_sync_switchover: float = 0.0
    backup_sync_boot: float = 0.0
    boot: float = 180.0
    gres_keepalive: float = 2.0

    def resolution_for(self, gres: bool) -> float:
        """Return the mastership resolution time with or without graceful switchover."""
        return self.resolution_gres if gres else self.resolution

    def master_ready_for(self, gres: bool) -> float:
        """Return the new master's readiness time with or without graceful switchover."""
        return self.master_ready_gres if gres else self.master_ready

    def fpc_online_after(self, rank: int) -> float:
        """Return the seconds from the new master being ready to the ``rank``-th populated FPC
        (0 first) being online again after a reset."""
        return self.fpc_boot + rank * self.fpc_stagger

    def updated(self, changes: Mapping[str, Any]) -> TimingProfile:
        """Return a copy with ``changes`` (field name -> seconds) applied.

        Raises ValueError for an unknown field or a negative value.
        """
        known = {f.name for f in dataclasses.fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown timing field {name!r}")
            if float(value) < 0:
                raise ValueError(f"{name}: expected seconds >= 0, got {value!r}")
        return dataclasses.replace(self, **{k: float(v) for k, v in changes.items()})


#: The profile a bare :class:`~emulator.model.chassis_core.ChassisParams` gets: mastership
#: moves at once and the PFE is back 45 s after a reset (the state machine on its own, as its
#: unit tests drive it).  Routers built from the catalogue get their platform's profile.
INSTANT = TimingProfile()
