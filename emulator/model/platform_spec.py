"""What a platform is to the emulator: the :class:`PlatformSpec` record and its errors.

The words a testbed shares with the emulator (redundancy kind, companion board, an inventory
row) are declared once in :mod:`re_contract.platform`; this module adds the complete record the
model builds a chassis from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from emulator.model.errors import ModelError
from emulator.model.timing import INSTANT, TimingProfile
from re_contract.platform import Companion, Era, InventoryModule, RedundancyKind

__all__ = [
    "Companion",
    "Era",
    "ModuleSpec",
    "PlatformError",
    "PlatformSpec",
    "PlatformSpecError",
    "RedundancyKind",
    "TimingProfile",
    "UnknownPlatformError",
]

@dataclass(frozen=True, slots=True)
class ModuleSpec:
    """One row of ``show chassis hardware`` (``<chassis-module>`` and its sub-modules).

    The model's record of a row; a testbed writes one as a
    :class:`re_contract.platform.InventoryModule` (the same fields, validated from YAML),
    which :meth:`from_testbed` converts.
    """

    name: str
    version: str | None = None
    part_number: str | None = None
    serial_number: str | None = None
    description: str | None = None
    clei_code: str | None = None
    model_number: str | None = None
    children: tuple[ModuleSpec, ...] = ()

    @classmethod
    def from_testbed(cls, row: InventoryModule) -> ModuleSpec:
        """Return the record of a testbed's inventory row (and of its sub-modules)."""
        return cls(row.name, row.version, row.part_number, row.serial_number, row.description,
                   row.clei_code, row.model_number,
                   tuple(cls.from_testbed(child) for child in row.modules))


class PlatformError(ModelError):
    """Base of the catalogue's errors (a testbed asked for something the catalogue lacks).

    ``field`` is the key of the testbed's platform override at fault (``"base"``,
    ``"redundancy"``), or None when the platform name itself is.
    """

    tag = "invalid-value"
    field: str | None = None


class UnknownPlatformError(PlatformError):
    """No platform of that name; ``known`` lists the names that exist."""

    def __init__(self, name: str, known: Iterable[str], field: str | None = None) -> None:
        self.name = name
        self.known = tuple(known)
        self.field = field
        super().__init__(f"unknown platform {name!r}; known platforms: {', '.join(self.known)}")


class PlatformSpecError(PlatformError):
    """A platform, as overridden, is not a platform (single RE with redundancy, a required
    field missing from a new one); ``field`` is the override key at fault."""

    field: str

    def __init__(self, field: str, expected: str, found: object) -> None:
        self.field = field
        self.expected = expected
        self.found = found
        super().__init__(f"{field}: expected {expected}, found {found!r}")


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """A router model: REs, redundancy, keepalive path, default software and inventory."""

    name: str
    product_model: str
    description: str
    re_slots: int
    redundancy: RedundancyKind
    re_model: str
    dram_mb: int
    default_version: str
    fpc_slots: int
    companion: Companion | None = None
    keepalive_interfaces: tuple[str, ...] = ()
    chassis_serial: str = ""
    modules: tuple[ModuleSpec, ...] = ()
    #: DRAM the kernel reports when newer REs print "(N MB installed)"; None on older REs.
    dram_usable_mb: int | None = None
    #: Keepalive interfaces that differ by RE model (chapter: T320/T640 with RE-600 vs RE-1600).
    re_model_keepalives: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The generation its replies look like (``show chassis routing-engine`` layout, serials).
    era: Era = Era.M_SERIES
    #: How long switchovers, failovers and boots take on this platform.
    timing: TimingProfile = INSTANT
    #: Part number of its RE board, per RE model (``show chassis hardware``).
    re_part_numbers: tuple[tuple[str, str], ...] = ()

    @property
    def supports_redundancy(self) -> bool:
        """Return True when the platform has two RE slots and a redundancy kind."""
        return self.re_slots == 2 and self.redundancy is not RedundancyKind.NONE

    def keepalive_for(self, re_model: str) -> tuple[str, ...]:
        """Return the internal keepalive interfaces used with ``re_model`` on this platform."""
        for model, interfaces in self.re_model_keepalives:
            if model.casefold() == re_model.casefold():
                return interfaces
        return self.keepalive_interfaces

    def re_module(self, slot: int) -> ModuleSpec | None:
        """Return the inventory row ``Routing Engine <slot>``, or None if the data has none."""
        wanted = f"Routing Engine {slot}"
        return next((m for m in self.modules if m.name == wanted), None)
