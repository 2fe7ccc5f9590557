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

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from emulator.model.clock import TimerHandle, VirtualClock
from emulator.model.errors import (
    CommandRefusedError,
    NotReadyError,
    UnknownTargetError,
    UnreachableError,
)
from emulator.model.mlog import EventCode
from emulator.model.routing_engine import (
    ALIVE_STATES,
    REHardware,
    REState,
    Role,
    RoutingEngine,
)

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

#: Real Junos refuses a mastership switch within 240 s of the previous one, or of an RE boot.
HOLD_DOWN = 240.0
#: Chapter sample: seconds between "you are the master" retries (E_TMOUT), then E_MAXTRY.
RETRY_SCHEDULE = (2, 2, 3, 2, 3, 2, 2, 3)
#: Chapter: "Every 20 seconds of keepalive loss, a message is added".
KEEPALIVE_LOG_PERIOD = 20
#: Real Junos: with graceful-switchover configured, keepalive failover is on with a 2 s timer.
GRES_KEEPALIVE_TIME = 2
#: Seconds the PFE takes to come back after a switchover without graceful-switchover.
PFE_REINIT_TIME = 45.0
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


_CFG_EVENT = {Role.MASTER: EventCode.E_CFG_M, Role.BACKUP: EventCode.E_CFG_B,
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
    #: True when mastership moved at once; False when requests are still outstanding.
    completed: bool
    local_became_master: bool
    pfe_reinitialised: bool
    gres: bool


@dataclass(frozen=True, slots=True)
class ChassisParams:
    """Construction parameters of a chassis (from the platform and the testbed)."""

    hostname: str
    hardware: dict[int, REHardware]
    boot_time: float = 180.0
    uptime: float = 6 * 86400 + 3 * 3600
    boot_order: tuple[int, ...] = (0, 1)
    fpc_slots: tuple[int, ...] = (0, 1)


@dataclass(slots=True)
class _LossWatch:
    since: float
    timers: list[TimerHandle] = field(default_factory=list)


SettingsSource = Callable[[int], RedundancySettings]


def _bind(retry: Callable[[int, int, Trigger], None], slot: int, attempt: int, why: Trigger
          ) -> Callable[[], None]:
    """Return a timer callback running ``retry(slot, attempt, why)``."""
    return lambda: retry(slot, attempt, why)


class Chassis:
    """A router with one or two Routing Engines and the internal link between them."""

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
        self.fpc_online_at: dict[int, float] = {}
        self._loss: dict[int, _LossWatch] = {}
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
        for slot in params.boot_order:
            if slot in self.res:
                self._at = booted + 60 + slot
                self._boot_complete(slot)
        self._at = None

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
        starts = [r.up_since for r in self.res.values() if r.alive]
        if self.last_switch is not None:
            starts.append(self.last_switch)
        if not starts:
            return 0
        left = max(starts) + HOLD_DOWN - self.clock.now()
        return max(0, int(left + 0.999))

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

    # ------------------------------------------------------- mastership moves
    def switchover(
        self, slot: int, method: SwitchMethod, *, check: bool = False, force: bool = False
    ) -> SwitchOutcome:
        """Run ``request chassis routing-engine master <method>`` on RE ``slot``.

        Returns the outcome.  Raises CommandRefusedError (wrong state, single RE, disabled RE),
        NotReadyError (the 240 s hold-down) or UnreachableError (no other RE to hand over to).
        With ``check`` nothing changes: readiness is checked and reported.
        """
        r = self.re(slot)
        peer = self._require_peer(slot)
        self._refuse_bad_switch(r, peer, method)
        remaining = self.hold_down_remaining()
        if remaining and not force:
            raise NotReadyError(remaining)
        gres = self.gres()
        if check:
            return SwitchOutcome(method, slot, False, False, False, gres)
        code = {
            SwitchMethod.ACQUIRE: EventCode.E_CMD_F if force else EventCode.E_CMD_A,
            SwitchMethod.RELEASE: EventCode.E_CMD_R,
            SwitchMethod.SWITCH: EventCode.E_CMD_S,
        }[method]
        self._log_event(slot, code)
        if r.state is S.MASTER:
            done = self._give_up(slot, Trigger.COMMAND)
        elif force:
            done = self._force_master(slot)
        else:
            done = self._claim(slot, Trigger.COMMAND)
        became = self.res[slot].state is S.MASTER
        return SwitchOutcome(method, slot, done, became, done and not gres, gres)

    def _require_peer(self, slot: int) -> RoutingEngine:
        peer = self.other(slot)
        if peer is None:
            raise CommandRefusedError("Routing engine redundancy is not supported on this platform")
        return peer

    def _refuse_bad_switch(
        self, r: RoutingEngine, peer: RoutingEngine, method: SwitchMethod
    ) -> None:
        if r.state is S.DISABLED or peer.state is S.DISABLED:
            raise CommandRefusedError("Routing engine is disabled, mastership switch not allowed")
        if r.state in (S.CLAIM, S.GIVEUP):
            raise CommandRefusedError("Mastership resolution already in progress")
        if method is SwitchMethod.ACQUIRE and r.state is S.MASTER:
            raise CommandRefusedError("Routing Engine is already master")
        if method is SwitchMethod.RELEASE and r.state is not S.MASTER:
            raise CommandRefusedError("Routing Engine is not master, cannot release mastership")
        if r.state is S.MASTER and not peer.alive:
            raise UnreachableError("Backup RE not running")

    def _give_up(self, slot: int, why: Trigger) -> bool:
        """Master ``slot`` hands mastership to the other RE; return True if done at once."""
        peer = self._require_peer(slot).slot
        self._log(slot, 'send "you are the master" request')
        if not self.reachable(slot, peer):
            self._log(slot, "Failed to send RE mastership cmd. err = 65")
        self._set_state(slot, S.GIVEUP, why)
        if self.reachable(slot, peer):
            self._peer_takes_over(peer, slot)
            return True
        self._schedule_retries(slot, why, self._retry_giveup)
        return False

    def _peer_takes_over(self, new: int, old: int) -> None:
        self._log_event(new, EventCode.E_REQ_G)
        self._set_state(new, S.MASTER, Trigger.PEER_REQUEST)
        self._log_event(old, EventCode.E_ACK_G)
        self._set_state(old, S.BACKUP, Trigger.PEER_REQUEST)
        self._mastership_moved(new, old)

    def _claim(self, slot: int, why: Trigger) -> bool:
        """Backup ``slot`` claims mastership; return True if resolved at once."""
        peer = self._require_peer(slot).slot
        self._set_state(slot, S.CLAIM, why)
        if not self.reachable(slot, peer):
            self._log(slot, "Failed to send RE mastership cmd. err = 65")
            self._schedule_retries(slot, why, self._retry_claim)
            return False
        self._log_event(peer, EventCode.E_REQ_C)
        if self.res[peer].state is S.MASTER and why is not Trigger.COMMAND:
            # Chapter: the current master "will reject this request, and the second Routing
            # Engine will become the backup".
            self._log_event(slot, EventCode.E_NAK_C)
            self._set_state(slot, S.BACKUP, why)
            return True
        if self.res[peer].state is S.MASTER:
            self._set_state(peer, S.BACKUP, Trigger.PEER_REQUEST)
        self._log_event(slot, EventCode.E_ACK_C)
        self._set_state(slot, S.MASTER, why)
        self._mastership_moved(slot, peer)
        return True

    def _force_master(self, slot: int) -> bool:
        peer = self._require_peer(slot).slot
        self._set_state(slot, S.MASTER, Trigger.COMMAND)
        if self.reachable(slot, peer) and self.res[peer].state is S.MASTER:
            self._set_state(peer, S.BACKUP, Trigger.PEER_REQUEST)
        self._mastership_moved(slot, peer)
        return True

    def _mastership_moved(self, new: int, old: int) -> None:
        """Bookkeeping after ``new`` became master: confirmation, ORE events, PFE, hold-down."""
        if self.reachable(new, old):
            self._log_event(old, EventCode.E_REQ_Y)
            self._log_event(new, EventCode.E_ACK_Y)
            self._log_event(old, EventCode.E_ORE_M)
            ore = {S.BACKUP: EventCode.E_ORE_B, S.DISABLED: EventCode.E_ORE_D}
            if self.res[old].state in ore:
                self._log_event(new, ore[self.res[old].state])
        self.last_switch = self.clock.now()
        self._cancel_pending(new)
        self._cancel_pending(old)
        if not self.settings(new).graceful_switchover:
            self._reinit_pfe()

    def _reinit_pfe(self) -> None:
        # Chapter: "the Packet Forwarding Engine components are rebooted to reestablish
        # communication links and download the microkernel to each component".
        self.pfe_resets += 1
        back = self.clock.now() + PFE_REINIT_TIME
        for slot in self.fpc_online_at:
            self.fpc_online_at[slot] = back

    def _schedule_retries(
        self, slot: int, why: Trigger, retry: Callable[[int, int, Trigger], None]
    ) -> None:
        """Schedule the chapter's retry times; each retry logs with the original reason_code
        (the chapter's sample keeps ``reason_code: 1`` from E_CMD_R to E_MAXTRY)."""
        self._cancel_pending(slot)
        at = self.clock.now()
        handles = []
        for attempt, gap in enumerate(RETRY_SCHEDULE):
            at += gap
            handles.append(self.clock.call_at(
                at, _bind(retry, slot, attempt, why), f"retry-{slot}-{attempt}"))
        self._pending[slot] = handles

    def _cancel_pending(self, slot: int) -> None:
        for handle in self._pending.pop(slot, []):
            handle.cancel()

    def _retry_giveup(self, slot: int, attempt: int, why: Trigger) -> None:
        peer = self._require_peer(slot).slot
        if self.res[slot].state is not S.GIVEUP:
            return
        if attempt == len(RETRY_SCHEDULE) - 1:
            # Chapter: "... until the Routing Engine reaches the maximum number of attempts
            # permitted (E_MAXTRY). The output then shows ... giveup back to master."
            self._log_event(slot, EventCode.E_MAXTRY)
            self._set_state(slot, S.MASTER, why)
            self._pending.pop(slot, None)
            return
        self._log_event(slot, EventCode.E_TMOUT)
        self._log(slot, 'send "you are the master" request')
        if self.reachable(slot, peer):
            self._peer_takes_over(peer, slot)
            return
        self._log(slot, "Failed to send RE mastership cmd. err = 65")
        self._set_state(slot, S.GIVEUP, why)

    def _retry_claim(self, slot: int, attempt: int, why: Trigger) -> None:
        peer = self._require_peer(slot).slot
        if self.res[slot].state is not S.CLAIM:
            return
        if attempt == len(RETRY_SCHEDULE) - 1:
            # Nobody refused the claim: the chapter's "If the connection is broken, you can
            # switch mastership by entering the switchover command".
            self._log_event(slot, EventCode.E_MAXTRY)
            self._set_state(slot, S.MASTER, why)
            self._pending.pop(slot, None)
            self._mastership_moved(slot, peer)
            return
        self._log_event(slot, EventCode.E_TMOUT)
        if self.reachable(slot, peer):
            self._claim_resolved(slot, peer, why)
            return
        self._log(slot, "Failed to send RE mastership cmd. err = 65")
        self._set_state(slot, S.CLAIM, why)

    def _claim_resolved(self, slot: int, peer: int, why: Trigger) -> None:
        self._log_event(peer, EventCode.E_REQ_C)
        if self.res[peer].state is S.MASTER and why is not Trigger.COMMAND:
            self._log_event(slot, EventCode.E_NAK_C)
            self._set_state(slot, S.BACKUP, why)
            self._pending.pop(slot, None)
            return
        if self.res[peer].state is S.MASTER:
            self._set_state(peer, S.BACKUP, Trigger.PEER_REQUEST)
        self._log_event(slot, EventCode.E_ACK_C)
        self._set_state(slot, S.MASTER, why)
        self._pending.pop(slot, None)
        self._mastership_moved(slot, peer)

    # --------------------------------------------------------------- election
    def _boot_complete(self, slot: int) -> None:
        """RE ``slot`` finished booting: it reads its own configuration and joins the election."""
        r = self.res[slot]
        r.up_since = self._now()
        role = self.settings(slot).role_of(slot)
        self._log_event(slot, _CFG_EVENT[role])
        peer = self.other(slot)
        if role is Role.DISABLED:
            self._set_state(slot, S.DISABLED, Trigger.ELECTION)
            if peer is not None and self.reachable(slot, peer.slot):
                self._log_event(peer.slot, EventCode.E_ORE_D)
        elif peer is None or peer.state is S.ABSENT:
            if peer is not None:
                self._log_event(slot, EventCode.E_NO_ORE)
            self._set_state(slot, S.MASTER, Trigger.ELECTION)
        elif not peer.alive:
            # Chapter: a backup-configured RE does not take mastership while the other RE is
            # present (both backup -> "neither Routing Engine becomes master").
            nxt = S.MASTER if role is Role.MASTER else S.BACKUP
            self._set_state(slot, nxt, Trigger.ELECTION)
        elif role is Role.MASTER:
            self._claim(slot, Trigger.ELECTION)
        else:
            self._set_state(slot, S.BACKUP, Trigger.ELECTION)
            if peer.state is S.MASTER and self.reachable(slot, peer.slot):
                self._log_event(peer.slot, EventCode.E_ORE_B)
        self._refresh_keepalives()

    def config_committed(self, slot: int, old: RedundancySettings) -> None:
        """RE ``slot`` committed a configuration: log role changes (E_CFG_*) and apply them.

        A role change does not move mastership by itself (the chapter: the running state "is
        determined by mastership election upon system boot"), except that a backup configured
        ``disabled`` leaves the election at once and a disabled RE configured ``backup`` joins it.
        """
        new = self.settings(slot)
        if new.role_of(slot) is old.role_of(slot):
            self._refresh_keepalives()
            return
        self._log_event(slot, _CFG_EVENT[new.role_of(slot)])
        r = self.res[slot]
        peer = self.other(slot)
        if new.role_of(slot) is Role.DISABLED and r.state is S.BACKUP:
            self._set_state(slot, S.DISABLED, Trigger.CONFIG)
            if peer is not None and self.reachable(slot, peer.slot):
                self._log_event(peer.slot, EventCode.E_ORE_D)
        elif new.role_of(slot) is not Role.DISABLED and r.state is S.DISABLED:
            self._set_state(slot, S.BACKUP, Trigger.CONFIG)
            if peer is not None and self.reachable(slot, peer.slot):
                self._log_event(peer.slot, EventCode.E_ORE_B)
        self._refresh_keepalives()

    # ------------------------------------------------------------ keepalives
    def _refresh_keepalives(self) -> None:
        """Start or stop loss watches after anything that changes who hears whom."""
        for slot, r in self.res.items():
            peer = self.other(slot)
            lost = peer is not None and r.alive and not self.reachable(slot, peer.slot)
            if lost and slot not in self._loss:
                self._start_loss_watch(slot)
            elif not lost and slot in self._loss:
                for handle in self._loss.pop(slot).timers:
                    handle.cancel()
        if self.dual and all(r.alive for r in self.res.values()) and self.link_up:
            self._resolve_split_brain()

    def _start_loss_watch(self, slot: int) -> None:
        watch = _LossWatch(self.clock.now())
        self._loss[slot] = watch
        watch.timers.append(
            self.clock.call_later(KEEPALIVE_LOG_PERIOD, lambda: self._loss_tick(slot),
                                  f"keepalive-log-{slot}")
        )
        settings = self.settings(slot)
        if settings.graceful_switchover or settings.failover_on_loss_of_keepalives:
            wait = GRES_KEEPALIVE_TIME if settings.graceful_switchover else settings.keepalive_time
            watch.timers.append(
                self.clock.call_later(wait, lambda: self._keepalive_expired(slot),
                                      f"keepalive-failover-{slot}")
            )

    def _loss_tick(self, slot: int) -> None:
        watch = self._loss.get(slot)
        if watch is None or not self.res[slot].alive:
            return
        lost_for = int(self.clock.now() - watch.since)
        self._log(slot, f"failed to receive keepalives from other RE for the last {lost_for} sec")
        self._log(slot, "failed to send RE info/keepalive: errno=65, total=20 in the last 20 sec")
        watch.timers.append(
            self.clock.call_later(KEEPALIVE_LOG_PERIOD, lambda: self._loss_tick(slot),
                                  f"keepalive-log-{slot}")
        )

    def _keepalive_expired(self, slot: int) -> None:
        """Chapter: "After keepalive-time passes, the backup Routing Engine attempts to claim
        mastership".  The connection is declared lost (E_NO_IPC), the RE goes to claim, and with
        nobody on the other end to refuse the claim it becomes master at once."""
        r = self.res[slot]
        if r.state is not S.BACKUP:
            return
        self._log_event(slot, EventCode.E_NO_IPC)
        self._set_state(slot, S.CLAIM, Trigger.PEER_LOST)
        self._set_state(slot, S.MASTER, Trigger.PEER_LOST)
        self.last_switch = self.clock.now()
        if not self.settings(slot).graceful_switchover:
            self._reinit_pfe()

    def _resolve_split_brain(self) -> None:
        """Both REs master when the link comes back: the one that became master last keeps
        mastership (chapter: the RE that claimed "continues to be master even after the other
        Routing Engine configured as master has successfully resumed operation").  The returning
        master asks for confirmation of its mastership (E_REQ_Y on the keeper), is not
        acknowledged (E_NAK_Y) and steps down to backup.  Ties go to the higher slot."""
        masters = [s for s, r in self.res.items() if r.state is S.MASTER]
        if len(masters) < 2:
            return
        keeper = max(masters, key=lambda s: (self.master_since.get(s, 0.0), s))
        loser = next(s for s in masters if s != keeper)
        self._log_event(keeper, EventCode.E_REQ_Y)
        self._log_event(loser, EventCode.E_NAK_Y)
        self._set_state(loser, S.BACKUP, Trigger.PEER_REQUEST)
        self._log_event(keeper, EventCode.E_ORE_B)
        self._log_event(loser, EventCode.E_ORE_M)

    # ------------------------------------------------------------ power, faults
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
        if r.state is S.MASTER and peer is not None and peer.state is S.BACKUP \
                and self.reachable(slot, peer.slot):
            self._log(slot, 'send "you are the master" request')
            self._set_state(slot, S.GIVEUP, Trigger.POWER)
            self._peer_takes_over(peer.slot, slot)
        self._cancel_pending(slot)
        self._set_state(slot, state, Trigger.POWER, log=False)
        if peer is not None and peer.alive and self.link_up:
            self._log_event(peer.slot, EventCode.E_NO_IPC)
        self._refresh_keepalives()

    def _schedule_boot(self, slot: int, reason: str) -> None:
        def booted() -> None:
            r = self.res[slot]
            if r.state is not S.BOOTING:
                return
            r.start_time = self.clock.now()
            r.last_reboot_reason = reason
            self._boot_complete(slot)

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
        was_master = r.state is S.MASTER
        self._cancel_pending(slot)
        self._set_state(slot, S.ABSENT, Trigger.POWER, log=False)
        peer = self.other(slot)
        if peer is not None and peer.alive:
            self._log_event(peer.slot, EventCode.E_NO_ORE)
            if was_master and peer.state in (S.BACKUP, S.CLAIM):
                self._take_over(peer.slot, Trigger.PEER_LOST)
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
        was_master = r.state is S.MASTER
        self._cancel_pending(slot)
        self._set_state(slot, S.BOOTING, Trigger.POWER, log=False)
        self._schedule_boot(slot, "0x2:watchdog")
        peer = self.other(slot)
        if peer is not None and peer.alive and self.link_up:
            self._log_event(peer.slot, EventCode.E_NO_IPC)
            if was_master and peer.state is S.BACKUP:
                self._take_over(peer.slot, Trigger.PEER_LOST)
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
                or peer is None or not peer.alive:
            self._log(slot, f"process {name} exited abnormally, restarted")
            return False
        self._log(slot, f"process {name} failed, failover to other routing engine")
        return self._give_up(slot, Trigger.PROCESS)

    def _take_over(self, slot: int, why: Trigger) -> None:
        self._set_state(slot, S.MASTER, why)
        self.last_switch = self.clock.now()
        if not self.settings(slot).graceful_switchover:
            self._reinit_pfe()

    def fpc_states(self) -> Iterator[tuple[int, bool, float]]:
        """Yield (fpc slot, online, online since) for each FPC."""
        now = self.clock.now()
        for slot, since in sorted(self.fpc_online_at.items()):
            yield slot, since <= now and self.master_slot() is not None, since
