"""Views: the data contract between the model and the reply renderers.

A command handler reads the model and builds one of these frozen records; a renderer in
:mod:`emulator.commands.render_chassis` turns the same record into the Junos XML element and
into the CLI text, so the two forms cannot disagree.  Nothing here knows lxml.

Optional fields are ``None`` when Junos leaves the element (and the text line) out: the
dual-RE MX480 sample shows a backup RE without the 1/5/15-minute CPU blocks, and older releases
omit CPU temperature, installed memory and load averages.

Absent and halted REs (choice; the samples show neither): an empty slot is
``MastershipState.EMPTY`` with only ``slot`` set (the T640 hardware guide shows
``Current state Empty``); an RE that is installed but not running Junos (halted, booting,
crashed) is ``MastershipState.PRESENT`` with ``slot``, the election priority and the model
the chassis still reads from its ID EEPROM.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import Enum

from emulator.model.platforms import ModuleSpec, PlatformSpec

__all__ = [
    "CpuUtilization",
    "CraftView",
    "DatabaseState",
    "FpcLeds",
    "InventoryView",
    "MastershipState",
    "ModuleView",
    "PackageView",
    "REBoard",
    "SerialOf",
    "RouteEngineInformationView",
    "RouteEngineLeds",
    "RouteEngineView",
    "SoftwareView",
    "SwitchoverStatus",
    "SwitchoverView",
    "inventory_view",
]


# --------------------------------------------------------------------------- RE status
class MastershipState(Enum):
    """``<mastership-state>`` (XML value) / ``Current state`` (text, capitalised)."""

    MASTER = "master"
    BACKUP = "backup"
    DISABLED = "disabled"
    PRESENT = "present"
    EMPTY = "empty"

    @property
    def text(self) -> str:
        """Return the CLI spelling (``Master``, ``Empty``, ...)."""
        return self.value.capitalize()


@dataclass(frozen=True, slots=True)
class CpuUtilization:
    """One block of ``CPU utilization`` percentages (``cpu-user`` ... ``cpu-idle``)."""

    user: int
    background: int
    system: int
    interrupt: int
    idle: int


@dataclass(frozen=True, slots=True)
class RouteEngineView:
    """One ``<route-engine>`` of get-route-engine-information, field for field.

    ``cpu`` is the current (5-second) block; ``cpu_1min``/``cpu_5min``/``cpu_15min`` are the
    ``cpu-*1``/``*2``/``*3`` elements newer releases add.  ``start_time`` is epoch seconds,
    ``up_time`` seconds.  ``mastership_priority`` is the XML text (``master (default)``).
    """

    slot: int
    mastership_state: MastershipState
    mastership_priority: str | None = None
    status: str | None = None
    temperature_c: int | None = None
    cpu_temperature_c: int | None = None
    memory_dram_size_mb: int | None = None
    memory_installed_size_mb: int | None = None
    memory_buffer_utilization: int | None = None
    cpu: CpuUtilization | None = None
    cpu_1min: CpuUtilization | None = None
    cpu_5min: CpuUtilization | None = None
    cpu_15min: CpuUtilization | None = None
    model: str | None = None
    serial_number: str | None = None
    start_time: float | None = None
    up_time: int | None = None
    last_reboot_reason: str | None = None
    load_averages: tuple[float, float, float] | None = None

    @classmethod
    def empty(cls, slot: int) -> RouteEngineView:
        """Return the view of an empty RE slot (``Current state Empty``)."""
        return cls(slot=slot, mastership_state=MastershipState.EMPTY)

    @classmethod
    def present(cls, slot: int, priority: str | None, model: str | None = None
                ) -> RouteEngineView:
        """Return the view of an installed RE that does not run Junos (halted, booting)."""
        return cls(slot=slot, mastership_state=MastershipState.PRESENT,
                   mastership_priority=priority, model=model)

    @property
    def cpu_intervals(self) -> tuple[CpuUtilization, ...]:
        """Return the 1/5/15-minute blocks that are present, in that order."""
        blocks = (self.cpu_1min, self.cpu_5min, self.cpu_15min)
        return tuple(b for b in blocks if b is not None)


@dataclass(frozen=True, slots=True)
class RouteEngineInformationView:
    """``<route-engine-information>``: the REs of the chassis in slot order."""

    routing_engines: tuple[RouteEngineView, ...]


# --------------------------------------------------------------------------- inventory
#: A ``chassis-module`` (depth 0), ``chassis-sub-module`` (1), ``-sub-sub-`` (2) ...: the
#: catalogue's inventory row is already the view (same fields), so it is used as is.
ModuleView = ModuleSpec


@dataclass(frozen=True, slots=True)
class InventoryView:
    """``<chassis-inventory>``: the chassis row and its module tree."""

    name: str
    serial_number: str
    description: str
    modules: tuple[ModuleView, ...]


#: ``serial_of(template, module path)``: the serial a router shows for a catalogue row.
SerialOf = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class REBoard:
    """What the chassis reads from an installed RE board: model and serial number."""

    model: str
    serial_number: str


def _re_slot(name: str) -> int | None:
    prefix = "Routing Engine "
    tail = name[len(prefix):]
    return int(tail) if name.startswith(prefix) and tail.isdigit() else None


def _serials(module: ModuleView, serial_of: SerialOf, path: str) -> ModuleView:
    """Return ``module`` (and its sub-modules) with the serials ``serial_of`` gives them."""
    here = f"{path}/{module.name}" if path else module.name
    serial = None if module.serial_number is None else serial_of(module.serial_number, here)
    children = tuple(_serials(c, serial_of, here) for c in module.children)
    return replace(module, serial_number=serial, children=children)


def inventory_view(platform: PlatformSpec, boards: Mapping[int, REBoard],
                   *, chassis_serial: str | None = None, serial_of: SerialOf | None = None
                   ) -> InventoryView:
    """Return the inventory of ``platform`` with the RE rows taken from ``boards``.

    A ``Routing Engine N`` row is dropped when slot N has no board (pulled RE) and otherwise
    shows that board's serial number and model as description.  ``serial_of(template,
    path)`` gives the other rows the router's own serials (the catalogue's are templates).
    Raises nothing.
    """
    modules: list[ModuleView] = []
    for spec in platform.modules:
        slot = _re_slot(spec.name)
        view = spec if serial_of is None else _serials(spec, serial_of, "")
        if slot is not None:
            board = boards.get(slot)
            if board is None:
                continue
            view = replace(spec, serial_number=board.serial_number, description=board.model)
        modules.append(view)
    serial = chassis_serial if chassis_serial is not None else platform.chassis_serial
    return InventoryView("Chassis", serial, platform.description, tuple(modules))


# --------------------------------------------------------------------------- craft interface
@dataclass(frozen=True, slots=True)
class RouteEngineLeds:
    """The LEDs of one RE on the craft interface (chapter: "Checking the LEDs")."""

    slot: int
    master: bool
    online: bool
    offline: bool


@dataclass(frozen=True, slots=True)
class FpcLeds:
    """The OK (green) and FAIL (red) LEDs of one FPC slot."""

    slot: int
    green: bool
    red: bool


@dataclass(frozen=True, slots=True)
class CraftView:
    """``show chassis craft-interface``: display text, RE LEDs, alarm LEDs, FPC LEDs."""

    display_lines: tuple[str, ...]
    routing_engines: tuple[RouteEngineLeds, ...]
    fpcs: tuple[FpcLeds, ...] = ()
    red_alarm: bool = False
    yellow_alarm: bool = False

    @property
    def master_slot(self) -> int | None:
        """Return the slot whose MASTER LED is lit, or None (no master)."""
        return next((re.slot for re in self.routing_engines if re.master), None)


# --------------------------------------------------------------------------- software
@dataclass(frozen=True, slots=True)
class PackageView:
    """One ``<package-information>``: package name and its comment line."""

    name: str
    comment: str


@dataclass(frozen=True, slots=True)
class SoftwareView:
    """``<software-information>`` of one RE (``re_name`` is ``re0``/``re1``)."""

    re_name: str
    host_name: str
    product_model: str
    product_name: str
    junos_version: str
    packages: tuple[PackageView, ...] = ()


# --------------------------------------------------------------------------- switchover
class DatabaseState(Enum):
    """State of the configuration or kernel database replica on the backup RE."""

    READY = "ready"
    SYNCHRONIZING = "synchronizing"

    @property
    def text(self) -> str:
        """Return the CLI spelling (``Ready``)."""
        return self.value.capitalize()


class SwitchoverStatus(Enum):
    """``Switchover Status`` line / ``<gresreadiness-status><output>``."""

    READY = "Ready"
    NOT_READY = "Not Ready"


@dataclass(frozen=True, slots=True)
class SwitchoverView:
    """``show system switchover`` on the backup RE.

    ``None`` fields are left out (with graceful switchover off only the first line shows).
    ``peer_state`` is the older releases' ``Peer state: Steady State`` line; 17.x prints
    ``switchover_status`` instead.
    """

    graceful_switchover: bool
    configuration_db: DatabaseState | None = None
    kernel_db: DatabaseState | None = None
    peer_state: str | None = None
    switchover_status: SwitchoverStatus | None = None
