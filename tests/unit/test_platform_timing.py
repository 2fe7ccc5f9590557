"""The catalogue's timing profiles, eras and serials: data checked against the public budgets
and formats they claim (docs/emulator-model.md, "Timing"; emulator/model/serials.py)."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from emulator.model.platform_data import BUILTIN
from emulator.model.platforms import Era, ModuleSpec, get_platform, resolve_platform
from emulator.model.serials import chassis_serial, module_serial, re_serial
from emulator.model.timing import INSTANT, TimingProfile
from re_contract.platform import PlatformOverride

DUAL = [name for name, spec in BUILTIN.items() if spec.supports_redundancy]
#: OpenConfig featureprofiles gNOI-3.3: the standby primary within 15 min, switchover readiness
#: within 30 min, interfaces up again within 5 min.
CONTROL_BUDGET, READY_BUDGET, DATA_BUDGET = 15 * 60, 30 * 60, 5 * 60


def _rows(modules: tuple[ModuleSpec, ...]) -> list[ModuleSpec]:
    out: list[ModuleSpec] = []
    for m in modules:
        out.append(ModuleSpec(m.name, m.version, m.part_number, m.serial_number, m.description,
                              m.clei_code, m.model_number))
        out += _rows(m.children)
    return out


@pytest.mark.parametrize("name", DUAL)
def test_every_redundant_platform_takes_time_and_gres_is_faster(name: str) -> None:
    t = get_platform(name).timing
    assert 0 < t.resolution_gres < t.resolution <= CONTROL_BUDGET
    assert 0 < t.master_ready_gres < t.master_ready
    fpcs = sum(1 for m in get_platform(name).modules if m.name.startswith("FPC "))
    data_plane = t.resolution + t.master_ready + t.fpc_online_after(fpcs - 1)
    assert data_plane <= DATA_BUDGET
    assert t.master_ready_gres + t.backup_sync_switchover <= READY_BUDGET
    assert 0 < t.backup_sync_boot <= READY_BUDGET and t.boot > 0


def test_profiles_differ_between_generations() -> None:
    profiles = {name: get_platform(name).timing for name in ("M10i", "M160", "T640", "MX960")}
    assert len(set(profiles.values())) == len(profiles)
    assert get_platform("M20").timing.gres_keepalive == 4.0  # Juniper: 4 s on M20 routers
    assert {get_platform(n).timing.gres_keepalive for n in DUAL if n != "M20"} == {2.0}


def test_no_inventory_row_is_shared_between_platforms() -> None:
    seen: dict[ModuleSpec, str] = {}
    for name, spec in BUILTIN.items():
        for row in _rows(spec.modules):
            if row.part_number == "BUILTIN":
                continue
            assert seen.setdefault(row, name) == name, f"{name} copies a row of {seen[row]}"


def test_eras() -> None:
    assert {n for n, s in BUILTIN.items() if s.era is Era.MX} == {"MX240", "MX480", "MX960"}


def test_serial_formats_are_junos_shaped_and_stable() -> None:
    assert re.fullmatch(r"JN1[0-9A-F]{6}AF[ABC]", chassis_serial(Era.MX, "r1"))
    assert re.fullmatch(r"\d{5}", chassis_serial(Era.M_SERIES, "r1"))
    assert re.fullmatch(r"90\d{8}", re_serial(Era.MX, "r1", 0))
    assert re.fullmatch(r"P1\d{10}", re_serial(Era.M_SERIES, "r1", 1))
    assert re_serial(Era.MX, "r1", 0) != re_serial(Era.MX, "r1", 1) != re_serial(Era.MX, "r2", 1)
    assert chassis_serial(Era.MX, "r1") == chassis_serial(Era.MX, "r1")
    derived = module_serial("QCS1441U1AP", "r1", "PEM 0")
    assert re.fullmatch(r"QCS\d{4}U\dAP", derived) and derived != "QCS1441U1AP"
    assert module_serial("BUILTIN", "r1", "FPC 0/PIC 0") == "BUILTIN"


def test_a_timing_override_changes_only_its_keys_over_the_platforms_profile() -> None:
    spec = resolve_platform("M320", PlatformOverride.model_validate(
        {"timing": {"resolution": 1, "fpc_stagger": 0}}))
    base = get_platform("M320").timing
    assert (spec.timing.resolution, spec.timing.fpc_stagger) == (1.0, 0.0)
    assert spec.timing.fpc_boot == base.fpc_boot and spec.timing.boot == base.boot
    assert get_platform("M320").timing == base  # the catalogue is untouched


@pytest.mark.parametrize("bad", [{"resolution": -1}, {"boot": 86401}, {"warp": 3},
                                 {"fpc_boot": "soon"}])
def test_bad_timing_overrides_are_refused_by_the_testbed_schema(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PlatformOverride.model_validate({"timing": bad})


def test_timing_profile_updates_refuse_unknown_or_negative_phases() -> None:
    with pytest.raises(ValueError, match="unknown timing field"):
        INSTANT.updated({"warp": 1})
    with pytest.raises(ValueError, match="expected seconds >= 0"):
        INSTANT.updated({"boot": -1})
    assert INSTANT.updated({"boot": 5}) == TimingProfile(boot=5.0)
