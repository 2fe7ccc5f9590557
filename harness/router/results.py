"""What an HA operation of :class:`~harness.router.DualRERouter` returns: frozen records of what
it did and how long its end state took, in router seconds (virtual on the emulator) and wall
seconds."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OperationResult", "ShutdownResult", "SwitchoverResult"]


@dataclass(frozen=True, slots=True)
class OperationResult:
    """What an HA operation did and how long its end state took (router and wall seconds)."""

    operation: str
    target: str
    master_before: str | None
    master_after: str | None
    duration: float
    wall_duration: float
    text: str = ""


@dataclass(frozen=True, slots=True)
class SwitchoverResult(OperationResult):
    """A switchover's result; ``method`` is switch, acquire or release."""

    method: str = "switch"


@dataclass(frozen=True, slots=True)
class ShutdownResult(OperationResult):
    """A halt's or reboot's result; ``reply_cut_short`` when the session died before the reply
    (the shutdown it caused), which counts as success once the end state was seen."""

    reply_cut_short: bool = False
