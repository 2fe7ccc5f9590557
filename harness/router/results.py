"""What an HA operation of :class:`~harness.router.DualRERouter` returns: frozen records of what
it did, the end state it waited for, and when each part of the router came back, in router
seconds (virtual on the emulator) and wall seconds.

Three times are measured from the command, each on the router's clock and each from what the
router reported (never assumed):

- **control plane**: the new (or remaining) master answers NETCONF and reports itself the only
  master (``show chassis routing-engine``);
- **data plane**: every FPC of the master reports Online (``show chassis fpc``, the Packet
  Forwarding Engine is back; with graceful switchover the FPCs stay online and this is 0);
- **backup ready**: the backup reports itself ready to take over (``show system switchover``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["OperationResult", "Phases", "Seen", "ShutdownResult", "SwitchoverResult", "Until"]


class Until(Enum):
    """The end state an HA operation waits for before it returns, each including the ones
    before it."""

    #: The new master answers as the only master (the control plane is back).
    MASTER = "master"
    #: ... and every FPC of the master is Online (the data plane is back).
    FORWARDING = "forwarding"
    #: ... and the backup reports it could take over (``show system switchover``).
    REDUNDANT = "redundant"

    @classmethod
    def of(cls, value: Until | str) -> Until:
        """Return the end state named ``value``.  Raises ValueError naming the choices."""
        if isinstance(value, Until):
            return value
        for member in cls:
            if member.value == str(value).strip().lower():
                return member
        raise ValueError(f"until: expected one of {', '.join(m.value for m in cls)}, "
                         f"got {value!r}")

    def includes(self, other: Until) -> bool:
        """Return True when waiting for this end state also waits for ``other``."""
        order = list(Until)
        return order.index(self) >= order.index(other)


@dataclass(frozen=True, slots=True)
class Seen:
    """A state the router reported: ``lane`` (``re0``, ``fpc1``) was in ``state`` from router
    time ``at``; ``via`` says who said so (``re1: show chassis fpc``).  ``at`` is the time the
    router gave for the state's start where it gave one (an FPC's up-time), else when asked."""

    at: float
    lane: str
    state: str
    via: str


@dataclass(frozen=True, slots=True)
class Phases:
    """When the parts of the router came back, in router seconds from the command (None: not
    waited for, or never reached).  ``fpcs_stayed_online``: True when every FPC reported being
    online since before the command (its up-time), False when one was seen offline or came
    online after it, None when not known."""

    control_plane: float | None = None
    data_plane: float | None = None
    backup_ready: float | None = None
    fpcs_stayed_online: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationResult:
    """What an HA operation did and how long its end state took (router and wall seconds).

    ``started`` is the router time of the command; ``duration`` runs from it to the end state
    ``until`` waited for; ``phases`` holds the control-, data-plane and backup-ready times;
    ``seen`` what the router reported while the harness waited (state changes only).
    """

    operation: str
    target: str
    master_before: str | None
    master_after: str | None
    duration: float
    wall_duration: float
    text: str = ""
    started: float | None = None
    until: str = Until.MASTER.value
    phases: Phases = Phases()
    seen: tuple[Seen, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchoverResult(OperationResult):
    """A switchover's result; ``method`` is switch, acquire or release."""

    method: str = "switch"


@dataclass(frozen=True, slots=True, kw_only=True)
class ShutdownResult(OperationResult):
    """A halt's or reboot's result; ``reply_cut_short`` when the session died before the reply
    (the shutdown it caused), which counts as success once the end state was seen."""

    reply_cut_short: bool = False
