"""Keepalives over the internal link: loss watches, keepalive failover, split brain.

Chapter: keepalives every second over the internal link (fxp1/fxp2, em0/bcm0); "Every 20
seconds of keepalive loss, a message is added"; with ``failover on-loss-of-keepalives`` the
backup claims mastership after ``keepalive-time``; when the link returns with both REs master,
the one that became master last keeps it.  Timers on the model's clock only.
"""

from __future__ import annotations

from emulator.model.chassis_core import (
    KEEPALIVE_LOG_PERIOD,
    ChassisCore,
    LossWatch,
    Trigger,
)
from emulator.model.mlog import EventCode
from emulator.model.routing_engine import REState

__all__ = ["KEEPALIVE_SEND_PATTERN", "SEND_FAILURE_DELAY", "Keepalives"]

S = REState

#: The chapter's sample: each "failed to receive keepalives" line is followed, 5 s later, by a
#: "failed to send RE info/keepalive" line written twice, whose errno and total cycle through
#: (22, 6), (35, 7), (65, 7) -- EINVAL, EAGAIN, EHOSTUNREACH on the RE's BSD kernel.
KEEPALIVE_SEND_PATTERN = ((22, 6), (35, 7), (65, 7))
SEND_FAILURE_DELAY = 5


class Keepalives(ChassisCore):
    """The keepalive layer of the chassis: who hears whom, and what losing it causes."""

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
        watch = LossWatch(self.clock.now())
        self._loss[slot] = watch
        watch.timers.append(
            self.clock.call_later(KEEPALIVE_LOG_PERIOD, lambda: self._loss_tick(slot),
                                  f"keepalive-log-{slot}")
        )
        settings = self.settings(slot)
        if settings.graceful_switchover or settings.failover_on_loss_of_keepalives:
            wait = (self.timing.gres_keepalive if settings.graceful_switchover
                    else settings.keepalive_time)
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
        errno, total = KEEPALIVE_SEND_PATTERN[watch.ticks % len(KEEPALIVE_SEND_PATTERN)]
        watch.ticks += 1
        watch.timers.append(self.clock.call_later(
            SEND_FAILURE_DELAY, lambda: self._send_failed(slot, errno, total),
            f"keepalive-send-{slot}"))
        watch.timers.append(
            self.clock.call_later(KEEPALIVE_LOG_PERIOD, lambda: self._loss_tick(slot),
                                  f"keepalive-log-{slot}")
        )

    def _send_failed(self, slot: int, errno: int, total: int) -> None:
        """The sample's pair of "failed to send RE info/keepalive" lines (see the pattern)."""
        if slot not in self._loss or not self.res[slot].alive:
            return
        text = (f"failed to send RE info/keepalive: errno={errno}, total={total} "
                f"in the last {KEEPALIVE_LOG_PERIOD} sec")
        self._log(slot, text)
        self._log(slot, text)

    def _keepalive_expired(self, slot: int) -> None:
        """Chapter: "After keepalive-time passes, the backup Routing Engine attempts to claim
        mastership".  The connection is declared lost (E_NO_IPC) and the RE claims; with
        nobody on the other end to refuse the claim it becomes master after the resolution
        time -- unless the other RE already took mastership during this same loss (both were
        backup: "The resulting timeout ... will force one of the Routing Engines to become the
        master", chapter), which the chassis's mastership arbitration refuses (E_NAK_C)."""
        r = self.res[slot]
        watch = self._loss.get(slot)
        if r.state is not S.BACKUP or watch is None:
            return
        self._log_event(slot, EventCode.E_NO_IPC)
        if self._won_during(watch):
            self._log_event(slot, EventCode.E_NAK_C)
            return
        self._assume_mastership(slot, Trigger.PEER_LOST, claim=True)

    def _won_during(self, watch: LossWatch) -> bool:
        """Return True when the other RE claimed, or became master, since ``watch`` began."""
        for s, other in self.res.items():
            if other.state is S.CLAIM or (
                    other.state is S.MASTER and self.master_since.get(s, -1.0) >= watch.since):
                return True
        return False

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
