"""The platform catalogue: lookups, the chapter's facts, and extend_catalogue validation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.model.platforms import (
    Companion,
    PlatformSpecError,
    RedundancyKind,
    UnknownPlatformError,
    builtin_catalogue,
    extend_catalogue,
    get_platform,
    platform_names,
    restore_builtin_catalogue,
    software_packages,
)

ALL = ("M5", "M7i", "M10", "M10i", "M20", "M40", "M40e", "M160", "M320", "T320", "T640",
       "MX240", "MX480", "MX960")


@pytest.fixture(autouse=True)
def _builtin_catalogue() -> Iterator[None]:
    restore_builtin_catalogue()
    yield
    restore_builtin_catalogue()


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


# --------------------------------------------------------------------------- extend
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


def test_extend_adds_a_platform_from_plain_dicts() -> None:
    assert extend_catalogue({"MX10003": _new_platform()}) == ("MX10003",)
    spec = get_platform("mx10003")
    assert spec.redundancy is RedundancyKind.ROUTING_ENGINE
    assert spec.chassis_serial == "12345"  # YAML reads bare serials as ints
    assert "MX10003" in platform_names()


def test_extend_overrides_only_the_given_keys() -> None:
    extend_catalogue({"mx480": {"re_model": "RE-S-X6-64G", "default_version": "19.4R3.11"}})
    spec = get_platform("MX480")
    assert (spec.re_model, spec.default_version) == ("RE-S-X6-64G", "19.4R3.11")
    assert spec.companion is Companion.SCB and spec.chassis_serial == "JN1249018AFB"
    assert spec.name == "MX480"  # the override keeps the catalogue's spelling
    assert "mx480" not in platform_names()


def test_extend_from_a_base_platform() -> None:
    extend_catalogue({"lab-mx": {"base": "MX960", "default_version": "18.4R1.8"}})
    spec = get_platform("LAB-MX")
    assert spec.fpc_slots == get_platform("MX960").fpc_slots
    assert spec.default_version == "18.4R1.8"


def test_restore_drops_the_extensions() -> None:
    extend_catalogue({"MX10003": _new_platform()})
    restore_builtin_catalogue()
    with pytest.raises(UnknownPlatformError):
        get_platform("MX10003")


@pytest.mark.parametrize(
    ("entry", "path", "fragment"),
    [
        (_new_platform(re_slots=3), "MX10003.re_slots", "1..2"),
        (_new_platform(re_slots="2"), "MX10003.re_slots", "integer"),
        (_new_platform(redundancy="hot"), "MX10003.redundancy", "host-module"),
        (_new_platform(companion="FEB"), "MX10003.companion", "HCM"),
        (_new_platform(re_slots=1), "MX10003.redundancy", "single-RE"),
        (_new_platform(redundancy="none"), "MX10003.redundancy", "two RE slots"),
        (_new_platform(keepalive_interfaces=[]), "MX10003.keepalive_interfaces", "at least"),
        (_new_platform(keepalive_interfaces="em0"), "MX10003.keepalive_interfaces", "list"),
        (_new_platform(dram_usable_mb=70000), "MX10003.dram_usable_mb", "at most"),
        (_new_platform(colour="red"), "MX10003.colour", "a key among"),
        (_new_platform(modules=[{"name": "CB 0", "serial": "x"}]), "MX10003.modules[0].serial",
         "a key among"),
        (_new_platform(modules=[{"name": "FPC 0", "modules": [{"version": "REV 1"}]}]),
         "MX10003.modules[0].modules[0].name", "non-empty string"),
        (_new_platform(modules={"name": "CB 0"}), "MX10003.modules", "list"),
        ({"product_model": "x"}, "MX10003.description", "required"),
        ("MX", "MX10003", "mapping"),
    ],
)
def test_extend_errors_name_the_key_path(entry: Any, path: str, fragment: str) -> None:
    before = platform_names()
    with pytest.raises(PlatformSpecError) as info:
        extend_catalogue({"MX10003": entry})
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}: expected ")
    assert fragment in str(info.value)
    assert platform_names() == before  # all-or-nothing


def test_extend_with_an_unknown_base() -> None:
    with pytest.raises(UnknownPlatformError) as info:
        extend_catalogue({"x": {"base": "MX5000"}})
    assert info.value.name == "MX5000"


def test_a_bad_entry_leaves_the_good_ones_out_too() -> None:
    with pytest.raises(PlatformSpecError):
        extend_catalogue({"GOOD": _new_platform(), "BAD": _new_platform(dram_mb=0)})
    with pytest.raises(UnknownPlatformError):
        get_platform("GOOD")


def test_catalogue_objects_are_independent() -> None:
    base = builtin_catalogue()
    bigger = base.extended({"MX10003": _new_platform()})
    assert "MX10003" in bigger.names() and "MX10003" not in base.names()


def test_software_packages_follow_the_release_generation() -> None:
    old = software_packages("12.3R6.6")
    assert old[0] == ("junos", "JUNOS Base OS boot [12.3R6.6]")
    new = dict(software_packages("15.1F5.15"))
    assert "os-kernel" in new and "junos" not in new
