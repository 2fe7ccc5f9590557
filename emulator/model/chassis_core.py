"""The chassis's state and vocabulary: RE states and their transition table, the redundancy
settings, the log lines every part writes, and the queries the faces ask.

:class:`ChassisCore` holds the state of the chassis and the primitives every part of the model
uses (:meth:`ChassisCore._set_state` refuses a transition outside :data:`TRANSITIONS`); the parts
build on it in layers: keepalives (:mod:`emulator.model.keepalive`), mastership election and
switchover (:mod:`emulator.model.election`), power and faults (:mod:`emulator.model.chassis`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from emulator.model.clock import TimerHandle, VirtualClock
from emulator.model.errors import CommandRefusedError, UnknownTargetError
from emulator.model.mlog import EventCode
from emulator.model.routing_engine import (
    ALIVE_STATES,
    REHardware,
    REState,
    Role,
    RoutingEngine,
)
from emulator.model.timing import INSTANT, TimingProfile

__all__ = [
    "CFG_EVENT",
    "GRES_KEEPALIVE_TIME",
    "HOLD_DOWN",
    "KEEPALIVE_LOG_PERIOD",
    "PFE_REINIT_TIME",
    "PROCESS_NAMES",
    "RETRY_SCHEDULE",
    "TRANSITIONS",
    "ChassisCore",
    "ChassisParams",
    "IllegalTransitionError",
    "LossWatch",
    "RedundancySettings",
    "Scope",
    "SettingsSource",
    "SwitchMethod",
    "SwitchOutcome",
    "Trigger",
]

#: Real Junos refuses a mastership switch within 240 s of the previous one, or of an RE boot.
HOLD_DOWN = 240.0
#: Chapter sample: seconds between "you are the master" retries (E_TMOUT), then E_MAXTRY.
RETRY_SCHEDULE = (2, 2, 3, 2, 3, 2, 2, 3)
#: Chapter: "Every 20 seconds of keepalive loss, a message is added".
KEEPALIVE_LOG_PERIOD = 20
#: Real Junos: with graceful-switchover configured, keepalive failover is on with a 2 s timer
#: (the default; a platform's timing profile may say otherwise: 4 s on the M20).
GRES_KEEPALIVE_TIME = INSTANT.gres_keepalive
#: Seconds the PFE takes to come back after a reset, in the profile of a bare chassis.
PFE_REINIT_TIME = INSTANT.fpc_boot
#: Daemon name -> ``[edit system processes]`` name, so a fault may name either.
PROCESS_NAMES = {
    "rpd": "routing", "dcd": "interface-control", "chassisd": "chassis-control",
    "mgd": "management", "snmpd": "snmp", "ppmd": "ppm", "mib2d": "mib-process",
}

S = REState


class Trigger(Enum):
    """What makes an RE change state (the reason_code in the log is the value)."""

    COMMAND = 1
    PEER_REQUEST = 2
    PEER_LOST = 3
    ELECTION = 4
    TIMEOUT = 5
    CONFIG = 6
    POWER = 7
    PROCESS = 8


CFG_EVENT = {Role.MASTER: EventCode.E_CFG_M, Role.BACKUP: EventCode.E_CFG_B,
              Role.DISABLED: EventCode.E_CFG_D}

#: Allowed (state, next state) pairs.  Anything else is a bug in the model, not a user error.
TRANSITIONS: frozenset[tuple[REState, REState]] = frozenset(
    {
        (S.MASTER, S.GIVEUP), (S.MASTER, S.BACKUP), (S.MASTER, S.DISABLED),
        (S.GIVEUP, S.GIVEUP), (S.GIVEUP, S.BACKUP), (S.GIVEUP, S.MASTER),
        (S.BACKUP, S.CLAIM), (S.BACKUP, S.MASTER), (S.BACKUP, S.DISABLED),
        (S.CLAIM, S.CLAIM), (S.CLAIM, S.MASTER), (S.CLAIM, S.BACKUP),
        (S.DISABLED, S.BACKUP),
        (S.BOOTING, S.MASTER), (S.BOOTING, S.BACKUP), (S.BOOTING, S.CLAIM),
        (S.BOOTING, S.DISABLED),
    }
    | {(alive, down) for alive in (S.MASTER, S.BACKUP, S.CLAIM, S.GIVEUP, S.DISABLED)
       for down in (S.HALTED, S.BOOTING, S.ABSENT)}
    | {(S.HALTED, S.BOOTING), (S.ABSENT, S.BOOTING), (S.HALTED, S.ABSENT),
       (S.BOOTING, S.HALTED), (S.BOOTING, S.ABSENT)}
)


class IllegalTransitionError(RuntimeError):
    """The model tried a transition outside :data:`TRANSITIONS` (a model bug)."""


class Scope(Enum):
    """Which RE a halt / reboot / power command addresses, relative to the one running it."""

    LOCAL = "local"
    OTHER = "other"
    BOTH = "both"


class SwitchMethod(Enum):
    """The three forms of ``request chassis routing-engine master``."""

    ACQUIRE = "acquire"
    RELEASE = "release"
    SWITCH = "switch"


@dataclass(frozen=True, slots=True)
class RedundancySettings:
    """The redundancy statements in effect on one RE (read from its effective configuration)."""

    roles: dict[int, Role] = field(default_factory=dict)
    failover_on_loss_of_keepalives: bool = False
    keepalive_time: int = 300
    graceful_switchover: bool = False
    process_failover: frozenset[str] = frozenset()

    def role_of(self, slot: int) -> Role:
        """Return the configured role of ``slot`` (default RE0 master, others backup)."""
        return self.roles.get(slot, Role.MASTER if slot == 0 else Role.BACKUP)


@dataclass(frozen=True, slots=True)
class SwitchOutcome:
    """What a switchover request did, for the faces to word."""

    method: SwitchMethod
    issued_on: int
    #: True when the other RE took the request (mastership moves, after ``settles_in``
    #: seconds); False when it could not be reached and the request is being retried.
    completed: bool
    local_became_master: bool
    pfe_reinitialised: bool
    gres: bool
    #: Seconds of router time until the roles have moved (the resolution time; 0: moved).
    settles_in: float = 0.0


@dataclass(frozen=True, slots=True)
class ChassisParams:
    """Construction parameters of a chassis (from the platform and the testbed)."""

    hostname: str
    hardware: dict[int, REHardware]
    boot_time: float = 180.0
    uptime: float = 6 * 86400 + 3 * 3600
    boot_order: tuple[int, ...] = (0, 1)
    fpc_slots: tuple[int, ...] = (0, 1)
    #: How long each phase takes (the platform's profile; :data:`INSTANT` for a bare chassis).
    timing: TimingProfile = INSTANT


@dataclass(slots=True)
class LossWatch:
    """Keepalives from the other RE are missed since ``since``; its log and failover timers."""

    since: float
    timers: list[TimerHandle] = field(default_factory=list)
    #: Log periods written so far (the sample's errno/total pattern cycles with it).
    ticks: int = 0


SettingsSource = Callable[[int], RedundancySettings]


class ChassisCore:
    """The state of a chassis with one or two Routing Engines and the link between them."""

    def __init__(
        self, params: ChassisParams, clock: VirtualClock, settings: SettingsSource
    ) -> None:
        self.clock = clock
        self.params = params
        self.hostname = params.hostname
        self._settings = settings
        self.link_up = True
        self.last_switch: float | None = None
        self.pfe_resets = 0
        self.timing = params.timing
        #: Virtual time each FPC is (or comes back) online; ``math.inf``: offline, no return due.
        self.fpc_online_at: dict[int, float] = {}
        #: Virtual time the backup's kernel database is synchronised with the master's.
        self.backup_synced_at = clock.now() - params.uptime
        self._loss: dict[int, LossWatch] = {}
        self._pending: dict[int, list[TimerHandle]] = {}
        #: Virtual time each RE last became master (split-brain resolution keeps the latest).
        self.master_since: dict[int, float] = {}
        #: Set while replaying the initial boot, so its log lines carry the boot time.
        self._at: float | None = None
        booted = clock.now() - params.uptime
        self.res: dict[int, RoutingEngine] = {
            slot: RoutingEngine(slot, hw, S.BOOTING, booted, up_since=booted)
            for slot, hw in sorted(params.hardware.items())
        }
        for slot in params.fpc_slots:
            self.fpc_online_at[slot] = booted

    # ----------------------------------------------------------------- queries
    @property
    def dual(self) -> bool:
        """Return True when the chassis has two RE slots."""
        return len(self.res) > 1

    def re(self, slot: int) -> RoutingEngine:
        """Return the RE in ``slot``.  Raises UnknownTargetError for a slot that does not exist."""
        if slot not in self.res:
            raise UnknownTargetError(f"invalid routing engine slot {slot}")
        return self.res[slot]

    def other(self, slot: int) -> RoutingEngine | None:
        """Return the other RE of a dual chassis, or None on a single-RE chassis."""
        return next((r for s, r in self.res.items() if s != slot), None)

    def master_slot(self) -> int | None:
        """Return the slot of the (first) RE in state master, or None when there is none."""
        return next((s for s, r in self.res.items() if r.state is S.MASTER), None)

    def settings(self, slot: int) -> RedundancySettings:
        """Return the redundancy settings in effect on ``slot`` (its own configuration)."""
        return self._settings(slot)

    def gres(self) -> bool:
        """Return True when the master (or RE0 without one) has graceful-switchover."""
        slot = self.master_slot()
        return self.settings(0 if slot is None else slot).graceful_switchover

    def reachable(self, a: int, b: int) -> bool:
        """Return True when RE ``a`` can exchange messages with RE ``b`` over the link."""
        return self.link_up and self.res[a].alive and self.res[b].alive

    def hold_down_remaining(self) -> int:
        """Return the seconds left before a mastership switch is accepted (0 when ready)."""
        ends = self._hold_down_ends()
        if ends is None:
            return 0
        return max(0, int(ends - self.clock.now() + 0.999))

    def _hold_down_ends(self) -> float | None:
        """Return when the hold-down after the last mastership change or boot ends (None: no
        RE runs and nothing switched)."""
        starts = [r.up_since for r in self.res.values() if r.alive]
        if self.last_switch is not None:
            starts.append(self.last_switch)
        return max(starts) + HOLD_DOWN if starts else None

    def next_change(self) -> float | None:
        """Return the next virtual time at which this chassis changes by itself, or None when
        nothing will until it is told to: the next timer, or the next time a threshold that a
        reply compares the clock with is passed (an FPC coming online, the backup's database
        catching up, the hold-down ending).

        Between now and then every reply reads the same discrete state; only continuous
        readings (up-times, seconds left, time stamps) move.  ``advance-clock`` with
        ``until-change`` relies on this to skip the polls of a wait that cannot see a change.
        """
        now = self.clock.now()
        thresholds = [t for t in (*self.fpc_online_at.values(), self.backup_synced_at,
                                  self._hold_down_ends()) if t is not None and now < t < math.inf]
        timer = self.clock.next_deadline()
        times = thresholds + ([] if timer is None else [timer])
        return min(times) if times else None

    def uptime(self, slot: int) -> float:
        """Return the seconds RE ``slot`` has been up (0 when it is not running)."""
        r = self.re(slot)
        return self.clock.now() - r.start_time if r.alive else 0.0

    # ---------------------------------------------------------------- logging
    def _now(self) -> float:
        """Return the time log lines carry (the boot time while replaying the initial boot)."""
        return self.clock.now() if self._at is None else self._at

    def _log_event(self, slot: int, code: EventCode, param: int = 0) -> None:
        r = self.res[slot]
        r.log.event(self._now(), code, r.state.value, param)

    def _log(self, slot: int, text: str) -> None:
        self.res[slot].log.write(self._now(), text)

    def _set_state(self, slot: int, new: REState, why: Trigger, log: bool = True) -> None:
        """Move RE ``slot`` to ``new``, logging the chapter's Currentstate/NextState block
        for every change between running states.  Raises IllegalTransitionError (a model bug)."""
        r = self.res[slot]
        if (r.state, new) not in TRANSITIONS:
            raise IllegalTransitionError(f"{r.name}: {r.state.value} -> {new.value}")
        if log and (r.alive or new in ALIVE_STATES):
            r.log.transition(self._now(), r.state.value, new.value, why.value)
        if new is S.MASTER and r.state is not S.MASTER:
            self.master_since[slot] = self._now()
        r.state = new

    def fpc_states(self) -> Iterator[tuple[int, bool, float]]:
        """Yield (fpc slot, online, online since) for each FPC.

        An FPC is online once its time has come while an RE holds mastership (master, or
        giving it up), or, with graceful switchover, while any RE runs: the PFE keeps
        forwarding through a mastership change (Juniper, GRES concepts).
        """
        now = self.clock.now()
        held = any(r.state in (S.MASTER, S.GIVEUP) for r in self.res.values())
        kept = self.gres() and any(r.alive for r in self.res.values())
        for slot, since in sorted(self.fpc_online_at.items()):
            yield slot, since <= now and (held or kept), since

    def keepalive_loss_since(self, slot: int) -> float | None:
        """Return the virtual time RE ``slot`` stopped hearing the other RE's keepalives (the
        other RE down or the internal link cut), or None while it hears them."""
        watch = self._loss.get(slot)
        return None if watch is None else watch.since

    def backup_synced(self) -> bool:
        """Return True when the backup's kernel database has caught up with the master's."""
        return self.clock.now() >= self.backup_synced_at

    # ------------------------------------------------------- shared primitives
    def _require_peer(self, slot: int) -> RoutingEngine:
        peer = self.other(slot)
        if peer is None:
            raise CommandRefusedError("Routing engine redundancy is not supported on this platform")
        return peer

    def _reinit_pfe(self) -> None:
        """Reset every FPC: each is offline now and back after the new master is ready, one
        after another (the timing profile's ``master_ready``, ``fpc_boot``, ``fpc_stagger``).

        Chapter: "the Packet Forwarding Engine components are rebooted to reestablish
        communication links and download the microkernel to each component".
        """
        self.pfe_resets += 1
        ready = self.clock.now() + self.timing.master_ready_for(False)
        for rank, slot in enumerate(sorted(self.fpc_online_at)):
            self.fpc_online_at[slot] = ready + self.timing.fpc_online_after(rank)

    def _pfe_lost(self) -> None:
        """The master went away without handing over, and without graceful switchover or with
        no other RE running to take over under it: the FPCs lose their RE and go offline until
        a new master resets them."""
        if not self.gres() or not any(r.alive for r in self.res.values()):
            for slot in self.fpc_online_at:
                self.fpc_online_at[slot] = math.inf

    def _resolution(self) -> float:
        """Return the mastership resolution time now (none while replaying the initial boot)."""
        return 0.0 if self._at is not None else self.timing.resolution_for(self.gres())

    def _after(self, slot: int, delay: float, action: Callable[[], None], name: str) -> None:
        """Run ``action`` now when ``delay`` is 0, else after ``delay`` seconds as a timer
        pending on RE ``slot`` (cancelled when that RE goes down or mastership moves)."""
        if delay <= 0:
            action()
            return
        handle = self.clock.call_later(delay, action, name)
        self._pending.setdefault(slot, []).append(handle)

    def _cancel_pending(self, slot: int) -> None:
        for handle in self._pending.pop(slot, []):
            handle.cancel()

    def _became_master(self, slot: int) -> None:
        """Bookkeeping once ``slot`` holds mastership after a change: the hold-down starts,
        the PFE is reset without graceful switchover, and the backup resynchronises (after
        the new master is ready)."""
        self.last_switch = self.clock.now()
        gres = self.settings(slot).graceful_switchover
        if not gres:
            self._reinit_pfe()
        self.backup_synced_at = (self.clock.now() + self.timing.master_ready_for(gres)
                                 + self.timing.backup_sync_switchover)

    def _take_over(self, slot: int, why: Trigger) -> None:
        self._set_state(slot, S.MASTER, why)
        self._became_master(slot)

    def _assume_mastership(self, slot: int, why: Trigger, *, claim: bool = False) -> None:
        """Backup ``slot`` takes the mastership the other RE lost (pulled, crashed, halted):
        through ``claim`` for the resolution time, then master.  With no resolution time and
        ``claim`` False it becomes master at once, as the chapter's log shows."""
        delay = self._resolution()
        if delay <= 0 and not claim:
            self._take_over(slot, why)
            return
        self._set_state(slot, S.CLAIM, why)

        def resolved() -> None:
            if self.res[slot].state is not S.CLAIM:
                return
            peer = self.other(slot)
            if (claim and peer is not None and peer.state is S.MASTER
                    and self.reachable(slot, peer.slot)):
                # The keepalive link came back during the resolution: the claim reaches a
                # master that is up, which rejects it (chapter: the current master "will
                # reject this request, and the second Routing Engine will become the backup").
                self._log_event(peer.slot, EventCode.E_REQ_C)
                self._log_event(slot, EventCode.E_NAK_C)
                self._set_state(slot, S.BACKUP, why)
                return
            self._take_over(slot, why)

        self._after(slot, delay, resolved, f"resolve-{slot}")
