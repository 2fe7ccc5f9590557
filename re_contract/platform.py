"""The platform vocabulary a testbed may use to override an emulated router's platform.

The emulator's catalogue (``emulator/model/platforms.py``) holds the platforms themselves; this
module declares the words both sides share -- what is redundant, the companion board, an
inventory row -- and :class:`PlatformOverride`, the testbed's ``emulator.platform`` section,
validated here once with the rest of the testbed.

Sources: the chapter, "Routing Engine, Host Module, and Host Subsystem Redundancy" (M10i: RE +
HCM, M20: RE + SSB, M40e/M160: host module = RE + MCS, M320/T320/T640: host subsystem = RE +
Control Board); MX240/480/960 (dual RE + SCB) are real Junos.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field

from re_contract.schema_types import Expect, Section, Text

__all__ = [
    "Companion",
    "Era",
    "InventoryModule",
    "PlatformOverride",
    "RedundancyKind",
    "TimingOverride",
]


class RedundancyKind(Enum):
    """What is redundant on the platform (chapter, "Host Redundancy Overview")."""

    ROUTING_ENGINE = "routing-engine"
    HOST_MODULE = "host-module"
    HOST_SUBSYSTEM = "host-subsystem"
    NONE = "none"


class Companion(Enum):
    """The board that pairs with each RE (HCM, SSB, MCS, Control Board, Switch Control Board)."""

    HCM = "HCM"
    SSB = "SSB"
    MCS = "MCS"
    CB = "CB"
    SCB = "SCB"


class Era(Enum):
    """The generation a platform's replies look like: the chapter's M/T-series layout of
    ``show chassis routing-engine`` and serial formats, or the MX one (real Junos 15.1 samples).
    """

    M_SERIES = "m-series"
    MX = "mx"


def _number_to_text(value: Any) -> Any:
    """Return a number as text: YAML reads a bare serial such as ``65565`` as an int."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


#: A string; a bare YAML number is taken as its text (serials, revisions).
Label = Annotated[
    str,
    BeforeValidator(_number_to_text, json_schema_input_type=str | int | float),
    Expect("a string"),
]
Interfaces = Annotated[
    tuple[Annotated[str, Field(min_length=1)], ...],
    Field(strict=False),
    Expect("a list of interface names"),
]

Megabytes = Annotated[int, Field(ge=1, le=1 << 22), Expect("an integer in 1..4194304")]
#: Router time of one phase: zero (instant) up to a day.
Phase = Annotated[float, Field(ge=0, le=86400, allow_inf_nan=False),
                  Expect("a number of seconds in 0..86400")]


class TimingOverride(Section):
    """``emulator.platform.timing``: seconds of router time each phase of a switchover, a
    failover and a boot takes on this router (the catalogue's profile for the keys not given;
    docs/emulator-model.md, "Timing", says what each one is and where the defaults come from).
    """

    model_config = ConfigDict(title="Timing")

    resolution: Phase | None = Field(
        None, description="mastership change, request to new master (without GRES)")
    resolution_gres: Phase | None = Field(None, description="the same with graceful switchover")
    master_ready: Phase | None = Field(
        None, description="new master to its chassis process resetting the FPCs (without GRES)")
    master_ready_gres: Phase | None = Field(
        None, description="new master ready with graceful switchover (backup resync starts)")
    fpc_boot: Phase | None = Field(None, description="an FPC's boot after a reset")
    fpc_stagger: Phase | None = Field(None, description="each next FPC comes up this much later")
    backup_sync_switchover: Phase | None = Field(
        None, description="backup's kernel database Synchronizing after a switchover")
    backup_sync_boot: Phase | None = Field(
        None, description="backup's kernel database Synchronizing after it boots")
    boot: Phase | None = Field(None, description="an RE's boot (emulator.boot_time wins)")
    gres_keepalive: Phase | None = Field(
        None, description="keepalive loss before failover with graceful switchover")

    def given(self) -> dict[str, float]:
        """Return the phases the testbed gave."""
        return {name: getattr(self, name) for name in type(self).model_fields
                if name in self.model_fields_set}


class InventoryModule(Section):
    """One row of ``show chassis hardware`` (``<chassis-module>`` and its sub-modules)."""

    model_config = ConfigDict(title="Inventory module")

    name: Annotated[str, Field(pattern=r"\S"), Expect("a non-empty string")]
    version: Label | None = None
    part_number: Label | None = None
    serial_number: Label | None = None
    description: Label | None = None
    clei_code: Label | None = None
    model_number: Label | None = None
    #: The sub-modules (``<chassis-sub-module>``).
    modules: Annotated[
        tuple[InventoryModule, ...], Field(strict=False), Expect("a list of modules")
    ] = ()


class PlatformOverride(Section):
    """``emulator.platform``: catalogue fields that override this router's platform entry, or
    with ``base:`` define a new platform from a catalogue one.  Only the keys given change."""

    model_config = ConfigDict(title="Platform override")

    base: Annotated[Text, Expect("a platform name such as 'MX480'")] | None = Field(
        None, description="start from this catalogue platform (a new platform name)")
    product_model: Annotated[Text, Expect("a non-empty string")] | None = None
    description: Annotated[Text, Expect("a non-empty string")] | None = None
    re_slots: Annotated[int, Field(ge=1, le=2), Expect("an integer in 1..2")] | None = None
    redundancy: Annotated[RedundancyKind, Field(strict=False)] | None = None
    companion: Annotated[Companion, Field(strict=False)] | None = None
    re_model: Annotated[Text, Expect("a non-empty string")] | None = None
    dram_mb: Megabytes | None = None
    keepalive_interfaces: Interfaces | None = None
    default_version: Annotated[Text, Expect("a Junos version such as '15.1F5.15'")] | None = None
    chassis_serial: Label | None = None
    fpc_slots: Annotated[int, Field(ge=0, le=64), Expect("an integer in 0..64")] | None = None
    modules: Annotated[
        tuple[InventoryModule, ...], Field(strict=False), Expect("a list of modules")
    ] | None = None
    dram_usable_mb: Megabytes | None = None
    re_model_keepalives: Annotated[
        dict[str, Interfaces], Expect("a mapping of RE models to interface lists")
    ] | None = None
    era: Annotated[Era, Field(strict=False)] | None = Field(
        None, description="m-series or mx: the layout of replies and serial numbers")
    timing: TimingOverride | None = None

    def given(self) -> dict[str, Any]:
        """Return the fields the testbed gave, except ``base``, in declaration order."""
        return {name: getattr(self, name) for name in type(self).model_fields
                if name in self.model_fields_set and name != "base"}

