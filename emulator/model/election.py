"""Mastership election and switchover: the claim / give-up exchange of the chapter.

``request chassis routing-engine master acquire|release|switch``, the election at boot from the
configured roles, role changes by commit, and the chapter's retry schedule (E_TMOUT ...
E_MAXTRY) when the other RE cannot be reached.  Every change is a transition of the state
table, logged with the Table 107 event that caused it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from emulator.model.chassis_core import (
    CFG_EVENT,
    RETRY_SCHEDULE,
    RedundancySettings,
    SwitchMethod,
    SwitchOutcome,
    Trigger,
)
from emulator.model.errors import CommandRefusedError, NotReadyError, UnreachableError
from emulator.model.keepalive import Keepalives
from emulator.model.mlog import EventCode
from emulator.model.routing_engine import REState, Role, RoutingEngine

__all__ = ["Election"]

S = REState


def _bind(retry: Callable[[int, int, Trigger], None], slot: int, attempt: int, why: Trigger
          ) -> Callable[[], None]:
    """Return a timer callback running ``retry(slot, attempt, why)``."""
    return lambda: retry(slot, attempt, why)


class Election(Keepalives):
    """The mastership layer of the chassis: switchover requests, claims, election at boot."""

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
        delay = self._resolution()
        was_master = r.state is S.MASTER
        if was_master:
            done = self._give_up(slot, Trigger.COMMAND)
        elif force:
            done = self._force_master(slot)
        else:
            done = self._claim(slot, Trigger.COMMAND)
        pending = done and self.res[slot].state in (S.GIVEUP, S.CLAIM)
        return SwitchOutcome(method, slot, done, done and not was_master, done and not gres,
                             gres, settles_in=delay if pending else 0.0)

    def _refuse_bad_switch(
        self, r: RoutingEngine, peer: RoutingEngine, method: SwitchMethod
    ) -> None:
        if r.state is S.DISABLED or peer.state is S.DISABLED:
            raise CommandRefusedError("Routing engine is disabled, mastership switch not allowed")
        if r.state in (S.CLAIM, S.GIVEUP) or self._resolving(peer.slot):
            raise CommandRefusedError("Mastership resolution already in progress")
        if method is SwitchMethod.ACQUIRE and r.state is S.MASTER:
            raise CommandRefusedError("Routing Engine is already master")
        if method is SwitchMethod.RELEASE and r.state is not S.MASTER:
            raise CommandRefusedError("Routing Engine is not master, cannot release mastership")
        if r.state is S.MASTER and not peer.alive:
            raise UnreachableError("Backup RE not running")

    def _resolving(self, slot: int) -> bool:
        """Return True while RE ``slot``'s claim or give-up is being resolved with the other RE
        (its resolution timer pending; a claim merely retrying on a cut link is not)."""
        return any(h.name.startswith("resolve-") and not h.cancelled
                   for h in self._pending.get(slot, []))

    def _give_up(self, slot: int, why: Trigger) -> bool:
        """Master ``slot`` hands mastership to the other RE; return True if done at once."""
        peer = self._require_peer(slot).slot
        self._log(slot, 'send "you are the master" request')
        if not self.reachable(slot, peer):
            self._log(slot, "Failed to send RE mastership cmd. err = 65")
        self._set_state(slot, S.GIVEUP, why)
        if self.reachable(slot, peer):
            self._after(slot, self._resolution(),
                        lambda: self._giveup_answered(slot, peer, why), f"resolve-{slot}")
            return True
        self._schedule_retries(slot, why, self._retry_giveup)
        return False

    def _giveup_answered(self, slot: int, peer: int, why: Trigger) -> None:
        """The give-up request reaches the other RE (after the resolution time): it takes
        over; if the link went down meanwhile the request is lost and retried."""
        if self.res[slot].state is not S.GIVEUP:
            return
        if self.reachable(slot, peer) and self.res[peer].state is not S.DISABLED:
            self._peer_takes_over(peer, slot)
            return
        self._log(slot, "Failed to send RE mastership cmd. err = 65")
        self._schedule_retries(slot, why, self._retry_giveup)

    def _peer_takes_over(self, new: int, old: int) -> None:
        self._log_event(new, EventCode.E_REQ_G)
        if self.res[new].state is not S.MASTER:  # it may have taken over while cut off
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
        # The election at boot is part of the boot time ("determined by mastership election
        # upon system boot"); a claim of a running RE takes the resolution time.
        delay = 0.0 if why is Trigger.ELECTION else self._resolution()
        self._after(slot, delay, lambda: self._claim_answered(slot, peer, why),
                    f"resolve-{slot}")
        return True

    def _claim_answered(self, slot: int, peer: int, why: Trigger) -> None:
        """The claim reaches the other RE (after the resolution time); a link lost meanwhile
        loses the request, which is retried."""
        if self.res[slot].state is not S.CLAIM:
            return
        if not self.reachable(slot, peer):
            self._log(slot, "Failed to send RE mastership cmd. err = 65")
            self._schedule_retries(slot, why, self._retry_claim)
            return
        self._claim_resolved(slot, peer, why)

    def _force_master(self, slot: int) -> bool:
        peer = self._require_peer(slot).slot
        self._set_state(slot, S.MASTER, Trigger.COMMAND)
        if self.reachable(slot, peer) and self.res[peer].state is S.MASTER:
            self._set_state(peer, S.BACKUP, Trigger.PEER_REQUEST)
        self._mastership_moved(slot, peer)
        return True

    def _mastership_moved(self, new: int, old: int) -> None:
        """Bookkeeping after ``new`` became master: confirmation, ORE events, PFE, hold-down.

        A claim or giveup of ``old`` still retrying is overtaken when ``old`` hears of it: it
        settles as backup.  Out of reach, ``old`` keeps retrying (and resolves on its own).
        """
        if self.reachable(new, old):
            self._cancel_pending(old)
            if self.res[old].state in (S.CLAIM, S.GIVEUP):
                self._set_state(old, S.BACKUP, Trigger.PEER_REQUEST)
            self._log_event(old, EventCode.E_REQ_Y)
            self._log_event(new, EventCode.E_ACK_Y)
            self._log_event(old, EventCode.E_ORE_M)
            ore = {S.BACKUP: EventCode.E_ORE_B, S.DISABLED: EventCode.E_ORE_D}
            if self.res[old].state in ore:
                self._log_event(new, ore[self.res[old].state])
        self._cancel_pending(new)
        self._became_master(new)

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
        if not self.reachable(slot, peer):
            self._log(slot, "Failed to send RE mastership cmd. err = 65")
        elif self.res[peer].state is not S.DISABLED:  # a disabled RE ignores the request
            self._peer_takes_over(peer, slot)
            return
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
            # Chapter: the current master "will reject this request, and the second Routing
            # Engine will become the backup".
            self._log_event(slot, EventCode.E_NAK_C)
            self._set_state(slot, S.BACKUP, why)
            self._cancel_pending(slot)
            return
        if self.res[peer].state is S.MASTER:
            self._set_state(peer, S.BACKUP, Trigger.PEER_REQUEST)
        self._log_event(slot, EventCode.E_ACK_C)
        self._set_state(slot, S.MASTER, why)
        self._mastership_moved(slot, peer)

    # --------------------------------------------------------------- election
    def _boot_complete(self, slot: int) -> None:
        """RE ``slot`` finished booting: it reads its own configuration and joins the election."""
        r = self.res[slot]
        r.up_since = self._now()
        role = self.settings(slot).role_of(slot)
        self._log_event(slot, CFG_EVENT[role])
        peer = self.other(slot)
        if role is Role.DISABLED:
            self._set_state(slot, S.DISABLED, Trigger.ELECTION)
            if peer is not None and self.reachable(slot, peer.slot):
                self._log_event(peer.slot, EventCode.E_ORE_D)
        elif peer is None or peer.state is S.ABSENT:
            if peer is not None:
                self._log_event(slot, EventCode.E_NO_ORE)
            self._set_state(slot, S.MASTER, Trigger.ELECTION)
            self._pfe_owned(slot)
        elif not peer.alive:
            # Chapter: a backup-configured RE does not take mastership while the other RE is
            # present (both backup -> "neither Routing Engine becomes master").
            nxt = S.MASTER if role is Role.MASTER else S.BACKUP
            self._set_state(slot, nxt, Trigger.ELECTION)
            if nxt is S.MASTER:
                self._pfe_owned(slot)
        elif role is Role.MASTER:
            self._claim(slot, Trigger.ELECTION)
        else:
            self._set_state(slot, S.BACKUP, Trigger.ELECTION)
            if peer.state is S.MASTER and self.reachable(slot, peer.slot):
                self._log_event(peer.slot, EventCode.E_ORE_B)
        if self.res[slot].state is S.BACKUP and self._at is None:
            # The backup that just booted replicates the master's kernel state.
            self.backup_synced_at = self.clock.now() + self.timing.backup_sync_boot
        self._refresh_keepalives()

    def _pfe_owned(self, slot: int) -> None:
        """RE ``slot`` booted into mastership with no other master: FPCs that lost their RE
        are reset by it (not while replaying the initial boot, when they came up with it)."""
        if self._at is None and any(t == math.inf for t in self.fpc_online_at.values()):
            self._reinit_pfe()

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
        self._log_event(slot, CFG_EVENT[new.role_of(slot)])
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
