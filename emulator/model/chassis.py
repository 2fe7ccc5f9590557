"""The dual-RE chassis: mastership election, switchover, keepalives, failover, power.

This is the Routing Engine model of the chapter ("Host Redundancy Overview"), driven only by
method calls (from the faces) and by timers on the :class:`VirtualClock`.  Every mastership
change is an explicit transition of :data:`TRANSITIONS` and is written to the mastership log of
the RE that makes it, in the chapter's format, with the Table 107 event that caused it.

Message exchange between the REs (claim, give-up, confirm) is modelled as instantaneous while the
internal link is up and both REs run; when it is not, requests time out on the chapter's retry
schedule (E_TMOUT ... E_MAXTRY).  It holds no lock: one caller at a time (the server's loop).
"""

from __future__ import annotations

from emulator.model.chassis_core import (
    HOLD_DOWN,
    PROCESS_NAMES,
    TRANSITIONS,
    ChassisParams,
    IllegalTransitionError,
    RedundancySettings,
    Scope,
    SettingsSource,
    SwitchMethod,
    SwitchOutcome,
    Trigger,
)
from emulator.model.clock import VirtualClock
from emulator.model.election import Election
from emulator.model.errors import CommandRefusedError, UnreachableError
from emulator.model.mlog import EventCode
from emulator.model.routing_engine import REState

__all__ = [
    "HOLD_DOWN",
    "PROCESS_NAMES",
    "TRANSITIONS",
    "Chassis",
    "ChassisParams",
    "IllegalTransitionError",
    "RedundancySettings",
    "Scope",
    "SwitchMethod",
    "SwitchOutcome",
]

S = REState


class Chassis(Election):
    """A router with one or two Routing Engines and the internal link between them.

    Built in layers: :class:`~emulator.model.chassis_core.ChassisCore` (state, queries, log),
    :class:`~emulator.model.keepalive.Keepalives`, :class:`~emulator.model.election.Election`
    (mastership), and here power and faults.  The REs boot in ``params.boot_order`` on
    construction, their log lines dated as if the chassis had been up ``params.uptime``.
    """

    def __init__(
        self, params: ChassisParams, clock: VirtualClock, settings: SettingsSource
    ) -> None:
        super().__init__(params, clock, settings)
        booted = clock.now() - params.uptime
        for slot in params.boot_order:
            if slot in self.res:
                self._at = booted + 60 + slot
                self._boot_complete(slot)
        self._at = None
        if self.master_slot() is None:
            # No RE took mastership at boot (both configured backup): none brought the FPCs
            # up, and the first RE to become master resets them, however it gets there.
            self._pfe_lost()

    def _targets(self, slot: int, scope: Scope) -> list[int]:
        if scope is Scope.LOCAL:
            return [slot]
        peer = self.other(slot)
        if peer is None:
            raise CommandRefusedError("There is no other routing engine on this platform")
        if scope is Scope.OTHER:
            return [peer.slot]
        return [peer.slot, slot]

    def _require_reachable(self, slot: int, target: int) -> None:
        """Raise when ``target`` cannot be acted on from ``slot``: a local RE that is not
        running (a control RPC on a halted RE), or another RE that cannot be reached (Junos:
        "Could not connect to re1 : No route to host", as in the invoke-on samples)."""
        if target == slot and not self.res[slot].alive:
            state = self.res[slot].state.value
            raise CommandRefusedError(f"re{slot} is not running (state {state})")
        if target != slot and not self.reachable(slot, target):
            raise UnreachableError(f"Could not connect to re{target} : No route to host")

    def halt(self, slot: int, scope: Scope = Scope.LOCAL) -> list[int]:
        """``request system halt`` on RE ``slot``; return the slots halted.

        Raises CommandRefusedError (no other RE on the platform, local RE not running) and
        UnreachableError (another RE addressed that cannot be reached); nothing changes then.
        """
        targets = self._targets(slot, scope)
        for t in targets:
            self._require_reachable(slot, t)
        for t in targets:
            self._go_down(t, S.HALTED)
        return targets

    def reboot(self, slot: int, scope: Scope = Scope.LOCAL) -> list[int]:
        """``request system reboot`` on RE ``slot``; return the slots rebooting.

        Raises as :meth:`halt`.
        """
        targets = self._targets(slot, scope)
        for t in targets:
            self._require_reachable(slot, t)
        for t in targets:
            self._go_down(t, S.BOOTING)
            self._schedule_boot(t, "Router rebooted after a normal shutdown.")
        return targets

    def power_on(self, slot: int) -> None:
        """Power on (or press a key on the console of) a halted RE ``slot``; it boots and is
        back after the boot time.  Raises CommandRefusedError when it is not halted.
        """
        r = self.re(slot)
        if r.state is not S.HALTED:
            raise CommandRefusedError(f"re{slot} is not halted (state {r.state.value})")
        self._set_state(slot, S.BOOTING, Trigger.POWER, log=False)
        self._schedule_boot(slot, "Router rebooted after a normal shutdown.")

    def _go_down(self, slot: int, state: REState) -> None:
        """RE ``slot`` shuts down (halt or reboot).  A master with a reachable backup first
        hands mastership over with the give-up exchange, as chassisd does on shutdown (the
        issue: failover "when the master is ... halted"); the other RE then loses its peer."""
        r = self.res[slot]
        peer = self.other(slot)
        was_master = r.state in (S.MASTER, S.GIVEUP)
        handing_over = False
        if r.state is S.MASTER and peer is not None and peer.state is S.BACKUP \
                and self.reachable(slot, peer.slot):
            self._log(slot, 'send "you are the master" request')
            self._set_state(slot, S.GIVEUP, Trigger.POWER)
            if self._resolution() <= 0:
                self._peer_takes_over(peer.slot, slot)
            else:  # the RE goes down before the other one has taken over
                self._log_event(peer.slot, EventCode.E_REQ_G)
                handing_over = True
        self._cancel_pending(slot)
        self._set_state(slot, state, Trigger.POWER, log=False)
        if peer is not None and peer.alive and self.link_up:
            self._log_event(peer.slot, EventCode.E_NO_IPC)
        if was_master and self.master_slot() is None:
            self._pfe_lost()
        if handing_over and peer is not None:
            self._assume_mastership(peer.slot, Trigger.PEER_REQUEST)
        self._refresh_keepalives()

    def _schedule_boot(self, slot: int, reason: str) -> None:
        def booted() -> None:
            r = self.res[slot]
            if r.state is not S.BOOTING:
                return
            r.start_time = self.clock.now()
            r.last_reboot_reason = reason
            self._boot_complete(slot)

        # Slot seconds apart: two REs booting together come up in a deterministic order.
        self.clock.call_later(self.params.boot_time + slot, booted, f"boot-{slot}")

    def sever_link(self) -> None:
        """Fault: cut the internal keepalive link (fxp1/fxp2, em0/bcm0) between the REs."""
        self.link_up = False
        self._refresh_keepalives()

    def restore_link(self) -> None:
        """Fault cleared: the internal link carries keepalives again."""
        self.link_up = True
        self._refresh_keepalives()

    def pull(self, slot: int) -> None:
        """Fault: RE ``slot`` is hot-swapped out.  The other RE sees E_NO_ORE and, if backup,
        takes over at once (chapter: "If the master Routing Engine is hot-swapped out of the
        system, the backup takes over").  Raises CommandRefusedError if the slot is empty."""
        r = self.re(slot)
        if r.state is S.ABSENT:
            raise CommandRefusedError(f"re{slot} is not present")
        was_master = r.state in (S.MASTER, S.GIVEUP)
        self._cancel_pending(slot)
        self._set_state(slot, S.ABSENT, Trigger.POWER, log=False)
        if was_master:
            self._pfe_lost()
        peer = self.other(slot)
        if peer is not None and peer.alive:
            self._log_event(peer.slot, EventCode.E_NO_ORE)
            # Real Junos: "if at any time one of the Routing Engines is not present, the other
            # Routing Engine becomes master automatically, regardless of how redundancy is
            # configured" -- also when both were configured backup (chapter).
            if peer.state is S.CLAIM and was_master:
                self._cancel_pending(peer.slot)
                self._take_over(peer.slot, Trigger.PEER_LOST)
            elif peer.state is S.BACKUP and (was_master or self.master_slot() is None):
                self._assume_mastership(peer.slot, Trigger.PEER_LOST)
        self._refresh_keepalives()

    def insert(self, slot: int) -> None:
        """Fault cleared: RE ``slot`` is inserted again and boots.

        Raises CommandRefusedError if an RE is already in the slot."""
        if self.re(slot).state is not S.ABSENT:
            raise CommandRefusedError(f"re{slot} is present")
        self._set_state(slot, S.BOOTING, Trigger.POWER, log=False)
        self._schedule_boot(slot, "0x1:power cycle/failure")

    def crash(self, slot: int) -> None:
        """Fault: the kernel of RE ``slot`` panics and it reboots (chapter, "Determining Why
        Mastership Switched": "a Routing Engine kernel crash").  The other RE sees the internal
        connection drop (E_NO_IPC) and, if backup, takes over.  With the link already cut the
        other RE notices nothing more (its keepalive watch is already running).

        Raises CommandRefusedError when the RE is not running.
        """
        r = self.re(slot)
        if not r.alive:
            raise CommandRefusedError(f"re{slot} is not running (state {r.state.value})")
        was_master = r.state in (S.MASTER, S.GIVEUP)
        self._cancel_pending(slot)
        self._set_state(slot, S.BOOTING, Trigger.POWER, log=False)
        self._schedule_boot(slot, "0x2:watchdog")
        if was_master:
            self._pfe_lost()
        peer = self.other(slot)
        if peer is not None and peer.alive and self.link_up:
            self._log_event(peer.slot, EventCode.E_NO_IPC)
            if was_master and peer.state is S.BACKUP:
                self._assume_mastership(peer.slot, Trigger.PEER_LOST)
        self._refresh_keepalives()

    def kill_process(self, slot: int, name: str) -> bool:
        """Fault: process ``name`` (daemon name ``rpd`` or configuration name ``routing``) dies
        on RE ``slot``; return True if it caused a failover (chapter: ``system processes <name>
        failover other-routing-engine`` on the master).  Otherwise the process is restarted.

        Raises CommandRefusedError when the RE is not running or ``name`` is empty.
        """
        r = self.re(slot)
        if not r.alive:
            raise CommandRefusedError(f"re{slot} is not running (state {r.state.value})")
        if not name:
            raise CommandRefusedError("a process name is required")
        names = {name, PROCESS_NAMES.get(name, name)}
        peer = self.other(slot)
        if r.state is not S.MASTER or not names & self.settings(slot).process_failover \
                or peer is None or not peer.alive or peer.state is S.DISABLED:
            self._log(slot, f"process {name} exited abnormally, restarted")
            return False
        self._log(slot, f"process {name} failed, failover to other routing engine")
        return self._give_up(slot, Trigger.PROCESS)
