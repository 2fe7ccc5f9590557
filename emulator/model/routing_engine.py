"""One Routing Engine: its hardware identity, its running state and what it keeps on disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from emulator.model.mlog import MastershipLog

__all__ = ["ALIVE_STATES", "REHardware", "REState", "Role", "RoutingEngine"]


class REState(Enum):
    """Running state of a Routing Engine (the chapter's master / backup / disabled, plus the
    transient claim / giveup states of the mastership log, plus power states)."""

    MASTER = "master"
    BACKUP = "backup"
    CLAIM = "claim"
    GIVEUP = "giveup"
    DISABLED = "disabled"
    HALTED = "halted"
    BOOTING = "booting"
    ABSENT = "absent"


#: States in which the RE runs Junos: it answers on its management port and sends keepalives.
ALIVE_STATES = frozenset(
    {REState.MASTER, REState.BACKUP, REState.CLAIM, REState.GIVEUP, REState.DISABLED}
)


class Role(Enum):
    """Configured role: ``chassis redundancy routing-engine N (master|backup|disabled)``."""

    MASTER = "master"
    BACKUP = "backup"
    DISABLED = "disabled"


@dataclass(slots=True)
class REHardware:
    """What ``show chassis routing-engine`` and ``show version`` report about the board."""

    model: str
    serial: str
    version: str
    dram_mb: int = 2048
    temperature_c: int = 29
    cpu_temperature_c: int = 31


@dataclass(slots=True)
class RoutingEngine:
    """A Routing Engine in ``slot``; mutable, owned by its chassis."""

    slot: int
    hardware: REHardware
    state: REState
    start_time: float
    last_reboot_reason: str = "Router rebooted after a normal shutdown."
    log: MastershipLog = field(default_factory=MastershipLog)
    files: dict[str, bytes] = field(default_factory=dict)
    file_mtimes: dict[str, float] = field(default_factory=dict)
    #: ``file list`` suffixes: "*" executable, "=" socket, "/" directory, "@" link.
    file_kinds: dict[str, str] = field(default_factory=dict)
    #: ``file list detail`` owners of the files users wrote (``root`` when absent).
    file_owners: dict[str, str] = field(default_factory=dict)
    #: Virtual time when the RE last finished booting (hold-down counts from it).
    up_since: float = 0.0

    @property
    def name(self) -> str:
        """Return ``re0`` / ``re1``."""
        return f"re{self.slot}"

    @property
    def alive(self) -> bool:
        """Return True when the RE runs Junos (answers, sends keepalives)."""
        return self.state in ALIVE_STATES
