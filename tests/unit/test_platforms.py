"""The platform catalogue: lookups, the chapter's facts, and per-router overrides."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from emulator.model.platform_data import BUILTIN
from emulator.model.platforms import (
    Companion,
    ModuleSpec,
    PlatformSpecError,
    RedundancyKind,
    UnknownPlatformError,
    get_platform,
    platform_names,
    resolve_platform,
    software_packages,
)
from re_contract.platform import InventoryModule, PlatformOverride

ALL = ("M5", "M7i", "M10", "M10i", "M20", "M40", "M40e", "M160", "M320", "T320", "T640",
       "MX240", "MX480", "MX960")


def test_every_platform_of_the_brief_is_known() -> None:
    assert set(platform_names()) == set(ALL)


def test_names_are_sorted_by_family_then_number() -> None:
    names = platform_names()
    assert names.index("M5") < names.index("M10") < names.index("M160") < names.index("M320")
    assert names.index("M320") < names.index("MX240") < names.index("MX960") < names.index("T320")


@pytest.mark.parametrize("spelling", ["mx480", "MX480", "Mx480", "mX480"])
def test_lookup_is_case_insensitive(spelling: str) -> None:
    assert get_platform(spelling).name == "MX480"


def test_unknown_platform_lists_the_known_names() -> None:
    with pytest.raises(UnknownPlatformError) as info:
        get_platform("MX9999")
    assert info.value.name == "MX9999"
    assert set(info.value.known) == set(ALL)
    assert "MX480" in str(info.value) and "M10i" in str(info.value)


@pytest.mark.parametrize("name", ["M5", "M10", "M7i", "M40"])
def test_chapter_single_re_platforms_have_no_redundancy(name: str) -> None:
    # Chapter: "The M5, M10, M7i, and M40 routers do not support Routing Engine, host module,
    # or host subsystem redundancy".
    spec = get_platform(name)
    assert spec.re_slots == 1
    assert spec.redundancy is RedundancyKind.NONE
    assert spec.companion is None
    assert not spec.supports_redundancy
    assert spec.re_module(1) is None


@pytest.mark.parametrize(
    ("name", "kind", "companion"),
    [
        ("M10i", RedundancyKind.ROUTING_ENGINE, Companion.HCM),
        ("M20", RedundancyKind.ROUTING_ENGINE, Companion.SSB),
        ("M40e", RedundancyKind.HOST_MODULE, Companion.MCS),
        ("M160", RedundancyKind.HOST_MODULE, Companion.MCS),
        ("M320", RedundancyKind.HOST_SUBSYSTEM, Companion.CB),
        ("T320", RedundancyKind.HOST_SUBSYSTEM, Companion.CB),
        ("T640", RedundancyKind.HOST_SUBSYSTEM, Companion.CB),
        ("MX240", RedundancyKind.ROUTING_ENGINE, Companion.SCB),
        ("MX480", RedundancyKind.ROUTING_ENGINE, Companion.SCB),
        ("MX960", RedundancyKind.ROUTING_ENGINE, Companion.SCB),
    ],
)
def test_redundant_platforms(name: str, kind: RedundancyKind, companion: Companion) -> None:
    spec = get_platform(name)
    assert (spec.re_slots, spec.redundancy, spec.companion) == (2, kind, companion)
    assert spec.supports_redundancy
    # Both RE rows are in the inventory, so show chassis hardware lists them.
    assert spec.re_module(0) is not None and spec.re_module(1) is not None


@pytest.mark.parametrize(
    ("name", "interfaces"),
    [("M40e", ("fxp1", "fxp2")), ("M160", ("fxp1", "fxp2")), ("M320", ("em0", "bcm0")),
     ("T320", ("fxp1", "fxp2")), ("T640", ("fxp1", "fxp2")), ("MX480", ("em0",))],
)
def test_keepalive_interfaces_per_redundancy_connections(
    name: str, interfaces: tuple[str, ...]
) -> None:
    spec = get_platform(name)
    assert spec.keepalive_interfaces == interfaces
    assert spec.keepalive_for(spec.re_model) == interfaces


def test_t640_keepalive_path_depends_on_the_re_model() -> None:
    # Chapter figures 191/192: the T640 path differs between RE-600 and RE-1600.
    spec = get_platform("T640")
    assert spec.re_model == "RE-600"
    assert spec.keepalive_for("RE-600") == ("fxp1", "fxp2")
    assert spec.keepalive_for("re-1600") == ("em0", "bcm0")


def test_m320_inventory_follows_the_chapter_sample() -> None:
    spec = get_platform("M320")
    names = [m.name for m in spec.modules]
    assert names[:13] == ["Midplane", "FPM GBUS", "FPM Display", "CIP", "PEM 0", "PEM 1",
                          "PEM 2", "PEM 3", "Routing Engine 0", "Routing Engine 1", "CB 0",
                          "CB 1", "FPC 0"]
    re0 = spec.re_module(0)
    assert re0 is not None
    assert (re0.version, re0.part_number, re0.serial_number, re0.description) == (
        "REV 05", "740-008883", "P11123900322", "RE-4.0")
    assert spec.re_model == "RE-4.0" and spec.chassis_serial == "65565"


def test_mx480_defaults_match_the_samples() -> None:
    spec = get_platform("MX480")
    assert (spec.product_model, spec.description, spec.re_model) == ("mx480", "MX480",
                                                                      "RE-S-1800x4")
    assert (spec.dram_mb, spec.dram_usable_mb) == (32768, 32719)
    assert spec.chassis_serial == "JN1249018AFB"
    fpc0 = next(m for m in spec.modules if m.name == "FPC 0")
    assert [c.name for c in fpc0.children][:2] == ["CPU", "PIC 0"]
    assert fpc0.children[1].children[0].name == "Xcvr 0"


def test_every_platform_is_self_consistent() -> None:
    for name in platform_names():
        spec = get_platform(name)
        fpcs = [m for m in spec.modules if m.name.startswith("FPC ")]
        assert len(fpcs) <= spec.fpc_slots, name
        re_rows = [m for m in spec.modules if m.name.startswith("Routing Engine ")]
        assert len(re_rows) == spec.re_slots, name
        assert spec.default_version and spec.product_model == spec.product_model.lower()


# --------------------------------------------------------------------------- overrides
def _new_platform(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "product_model": "mx10003", "description": "MX10003", "re_slots": 2,
        "redundancy": "routing-engine", "companion": "SCB", "re_model": "RE-S-2X00x6",
        "dram_mb": 65536, "keepalive_interfaces": ["em0"], "default_version": "17.3R3.10",
        "fpc_slots": 2, "chassis_serial": 12345,
        "modules": [{"name": "Routing Engine 0"}, {"name": "Routing Engine 1"}],
    }
    data.update(changes)
    return data


def _override(data: dict[str, Any]) -> PlatformOverride:
    return PlatformOverride.model_validate(data)


def test_an_override_defines_a_new_platform_for_its_router_only() -> None:
    spec = resolve_platform("MX10003", _override(_new_platform()))
    assert (spec.name, spec.redundancy) == ("MX10003", RedundancyKind.ROUTING_ENGINE)
    assert spec.chassis_serial == "12345"  # YAML reads bare serials as ints
    assert [m.name for m in spec.modules] == ["Routing Engine 0", "Routing Engine 1"]
    assert "MX10003" not in platform_names()  # the catalogue is not extended
    with pytest.raises(UnknownPlatformError):
        get_platform("MX10003")


def test_an_override_replaces_only_the_given_keys() -> None:
    spec = resolve_platform("mx480", _override({"re_model": "RE-S-X6-64G",
                                                "default_version": "19.4R3.11"}))
    assert (spec.re_model, spec.default_version) == ("RE-S-X6-64G", "19.4R3.11")
    assert spec.companion is Companion.SCB and spec.chassis_serial == "JN1249018AFB"
    assert spec.name == "MX480"  # the override keeps the catalogue's spelling
    assert get_platform("MX480").re_model == "RE-S-1800x4"  # the catalogue is unchanged


def test_an_override_from_a_base_platform() -> None:
    spec = resolve_platform("lab-mx", _override({"base": "MX960", "default_version": "18.4R1.8"}))
    assert spec.name == "lab-mx"
    assert spec.fpc_slots == get_platform("MX960").fpc_slots
    assert spec.default_version == "18.4R1.8"


def test_two_routers_overriding_one_platform_do_not_see_each_other() -> None:
    one = resolve_platform("MX480", _override({"fpc_slots": 2}))
    two = resolve_platform("MX480", _override({"fpc_slots": 11}))
    assert (one.fpc_slots, two.fpc_slots, get_platform("MX480").fpc_slots) == (2, 11, 6)


def test_the_catalogue_is_read_only() -> None:
    with pytest.raises(TypeError):
        BUILTIN["MX10003"] = get_platform("MX480")  # type: ignore[index]
    with pytest.raises(AttributeError):
        get_platform("MX480").re_slots = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "entry", "field", "fragment"),
    [
        ("MX10003", _new_platform(re_slots=1), "redundancy", "single-RE"),
        ("MX10003", _new_platform(redundancy="none"), "redundancy", "two RE slots"),
        ("MX10003", _new_platform(keepalive_interfaces=[]), "keepalive_interfaces", "at least"),
        ("MX10003", _new_platform(dram_usable_mb=70000), "dram_usable_mb", "at most"),
        ("MX10003", {"product_model": "x"}, "description", "required"),
        ("MX480", {"re_slots": 1}, "redundancy", "single-RE"),
    ],
)
def test_an_override_that_makes_no_platform_names_its_key(
    name: str, entry: dict[str, Any], field: str, fragment: str
) -> None:
    with pytest.raises(PlatformSpecError) as info:
        resolve_platform(name, _override(entry))
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: expected ")
    assert fragment in str(info.value)


def test_an_override_with_an_unknown_base() -> None:
    with pytest.raises(UnknownPlatformError) as info:
        resolve_platform("x", _override({"base": "MX5000"}))
    assert (info.value.name, info.value.field) == ("MX5000", "base")


def test_software_packages_follow_the_release_generation() -> None:
    old = software_packages("12.3R6.6")
    assert old[0] == ("junos", "JUNOS Base OS boot [12.3R6.6]")
    new = dict(software_packages("15.1F5.15"))
    assert "os-kernel" in new and "junos" not in new


def test_a_testbed_inventory_row_has_the_fields_of_the_models_row() -> None:
    # The testbed's InventoryModule (schema) and the model's ModuleSpec are one concept:
    # the same fields, so from_testbed loses nothing.
    schema = [f.alias or name for name, f in InventoryModule.model_fields.items()]
    record = [f.name for f in dataclasses.fields(ModuleSpec)]
    assert schema == [*record[:-1], "modules"]
    row = InventoryModule.model_validate(
        {"name": "FPC 0", "serial_number": 7, "modules": [{"name": "CPU", "version": "REV 1"}]})
    assert ModuleSpec.from_testbed(row) == ModuleSpec(
        "FPC 0", serial_number="7", children=(ModuleSpec("CPU", version="REV 1"),))
