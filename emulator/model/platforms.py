"""The platform catalogue: which routers the emulator can be, as data.

Each platform is a :class:`PlatformSpec` (frozen) parsed from a plain ``dict``.  The built-in
entries below and the entries a testbed adds with :func:`extend_catalogue` go through the same
validation, so a testbed may write a platform in YAML exactly as the built-ins are written here.

Sources (the chapter is ``../shared/seed/junos-host-redundancy-chapter.txt``, "Host Redundancy
Overview"):

* Redundancy kinds and companions: chapter, "Routing Engine, Host Module, and Host Subsystem
  Redundancy" (M10i: RE + HCM, M20: RE + SSB, M40e/M160: host module = RE + MCS,
  M320/T320/T640: host subsystem = RE + Control Board).  MX240/480/960 (dual RE + SCB) are real
  Junos, not in the chapter.
* Single-RE platforms: chapter, "The M5, M10, M7i, and M40 routers do not support Routing
  Engine, host module, or host subsystem redundancy".
* Keepalive interfaces: chapter, "Redundancy Connections" sections.  M10i and M20 name no
  interface (keepalives cross the HCM / SSB switch); we use ``fxp1``, the internal Ethernet of
  those REs.  T320/T640 with RE-1600: the chapter shows a figure only; we use ``em0`` + ``bcm0``
  as on the M320, which carries the same RE generation.
* Inventories: the M320 rows are the chapter's "Hardware inventory:" sample; the MX480 rows are
  ``get-chassis-inventory.mx480-dual-re.pyez.xml``.  The other platforms' part and serial
  numbers are plausible inventions (same shapes), not copied from a device.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from emulator.model.errors import ModelError

__all__ = [
    "Companion",
    "ModuleSpec",
    "PlatformCatalogue",
    "PlatformError",
    "PlatformSpec",
    "PlatformSpecError",
    "RedundancyKind",
    "UnknownPlatformError",
    "builtin_catalogue",
    "extend_catalogue",
    "get_platform",
    "junos_release",
    "parse_platform",
    "platform_names",
    "restore_builtin_catalogue",
    "software_packages",
]

log = logging.getLogger(__name__)

_E = TypeVar("_E", bound=Enum)


# --------------------------------------------------------------------------- vocabulary
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


# --------------------------------------------------------------------------- errors
class PlatformError(ModelError):
    """Base of the catalogue's errors (a testbed asked for something the catalogue lacks)."""

    tag = "invalid-value"


class UnknownPlatformError(PlatformError):
    """No platform of that name; ``known`` lists the names that exist."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"unknown platform {name!r}; known platforms: {', '.join(self.known)}")


class PlatformSpecError(PlatformError):
    """A platform definition is invalid; ``path`` is the key path (``MX999.modules[2].name``)."""

    def __init__(self, path: str, expected: str, found: object) -> None:
        self.path = path
        self.expected = expected
        self.found = found
        super().__init__(f"{path}: expected {expected}, found {found!r}")


# --------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class ModuleSpec:
    """One row of ``show chassis hardware`` (``<chassis-module>`` and its sub-modules)."""

    name: str
    version: str | None = None
    part_number: str | None = None
    serial_number: str | None = None
    description: str | None = None
    clei_code: str | None = None
    model_number: str | None = None
    children: tuple[ModuleSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """A router model: REs, redundancy, keepalive path, default software and inventory."""

    name: str
    product_model: str
    description: str
    re_slots: int
    redundancy: RedundancyKind
    companion: Companion | None
    re_model: str
    dram_mb: int
    keepalive_interfaces: tuple[str, ...]
    default_version: str
    chassis_serial: str
    fpc_slots: int
    modules: tuple[ModuleSpec, ...]
    #: DRAM the kernel reports when newer REs print "(N MB installed)"; None on older REs.
    dram_usable_mb: int | None = None
    #: Keepalive interfaces that differ by RE model (chapter: T320/T640 with RE-600 vs RE-1600).
    re_model_keepalives: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

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


# --------------------------------------------------------------------------- parsing
_PLATFORM_KEYS: dict[str, bool] = {  # key -> required for a new platform
    "product_model": True, "description": True, "re_slots": True, "redundancy": True,
    "companion": False, "re_model": True, "dram_mb": True, "keepalive_interfaces": False,
    "default_version": True, "chassis_serial": False, "fpc_slots": True, "modules": False,
    "dram_usable_mb": False, "re_model_keepalives": False, "base": False,
}
_MODULE_KEYS = (
    "name", "version", "part_number", "serial_number", "description", "clei_code",
    "model_number", "modules",
)


def _fail(path: str, expected: str, found: object) -> PlatformSpecError:
    return PlatformSpecError(path, expected, found)


def _as_mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, "a mapping", value)
    for key in value:
        if not isinstance(key, str):
            raise _fail(path, "string keys", key)
    return value


def _str(raw: Mapping[str, Any], key: str, path: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{path}.{key}", "a non-empty string", value)
    return value


def _opt_str(raw: Mapping[str, Any], key: str, path: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(f"{path}.{key}", "a string", value)
    return str(value)  # YAML reads a bare serial such as 65565 as an int


def _int(raw: Mapping[str, Any], key: str, path: str, low: int, high: int) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(f"{path}.{key}", f"an integer in {low}..{high}", value)
    return value


def _names(value: object, path: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, str) and v for v in value
    ):
        raise _fail(path, "a list of interface names", value)
    return tuple(value)


def _enum_value(kind: type[_E], value: object, path: str) -> _E:
    for member in kind:
        if isinstance(value, str) and value.casefold() in (
            str(member.value).casefold(), member.name.casefold()
        ):
            return member
    choices = ", ".join(str(m.value) for m in kind)
    raise _fail(path, f"one of {choices}", value)


def _module(value: object, path: str) -> ModuleSpec:
    raw = _as_mapping(value, path)
    unknown = sorted(set(raw) - set(_MODULE_KEYS))
    if unknown:
        raise _fail(f"{path}.{unknown[0]}", f"a key among {', '.join(_MODULE_KEYS)}", unknown[0])
    return ModuleSpec(
        name=_str(raw, "name", path),
        version=_opt_str(raw, "version", path),
        part_number=_opt_str(raw, "part_number", path),
        serial_number=_opt_str(raw, "serial_number", path),
        description=_opt_str(raw, "description", path),
        clei_code=_opt_str(raw, "clei_code", path),
        model_number=_opt_str(raw, "model_number", path),
        children=_modules(raw.get("modules", ()), f"{path}.modules"),
    )


def _modules(value: object, path: str) -> tuple[ModuleSpec, ...]:
    if not isinstance(value, list | tuple):
        raise _fail(path, "a list of modules", value)
    return tuple(_module(item, f"{path}[{i}]") for i, item in enumerate(value))


def _re_model_keepalives(value: object, path: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = _as_mapping(value if value is not None else {}, path)
    return tuple((model, _names(names, f"{path}.{model}")) for model, names in raw.items())


def _check_keys(raw: Mapping[str, Any], path: str, *, new: bool) -> None:
    for key in raw:
        if key not in _PLATFORM_KEYS:
            raise _fail(f"{path}.{key}", f"a key among {', '.join(_PLATFORM_KEYS)}", key)
    if new:
        for key, required in _PLATFORM_KEYS.items():
            if required and key not in raw:
                raise _fail(f"{path}.{key}", "a value (required key is missing)", None)


def _check_consistency(spec: PlatformSpec, path: str) -> None:
    # Chapter: one RE means no redundancy of any kind, and redundancy needs two RE slots.
    if spec.re_slots == 1 and spec.redundancy is not RedundancyKind.NONE:
        raise _fail(f"{path}.redundancy", "none for a single-RE platform", spec.redundancy.value)
    if spec.re_slots == 2 and spec.redundancy is RedundancyKind.NONE:
        raise _fail(f"{path}.redundancy", "a redundancy kind for two RE slots", "none")
    if spec.re_slots == 2 and not spec.keepalive_interfaces:
        raise _fail(f"{path}.keepalive_interfaces", "at least one interface", [])
    if spec.dram_usable_mb is not None and spec.dram_usable_mb > spec.dram_mb:
        raise _fail(f"{path}.dram_usable_mb", f"at most dram_mb ({spec.dram_mb})",
                    spec.dram_usable_mb)


def parse_platform(name: str, raw: Mapping[str, Any], *, new: bool = True) -> PlatformSpec:
    """Return the :class:`PlatformSpec` that the plain ``raw`` dict describes.

    ``name`` is also the first element of every key path in errors.
    Raises PlatformSpecError naming the key path, what was expected and what was found.
    """
    _check_keys(raw, name, new=new)
    companion = raw.get("companion")
    spec = PlatformSpec(
        name=name,
        product_model=_str(raw, "product_model", name),
        description=_str(raw, "description", name),
        re_slots=_int(raw, "re_slots", name, 1, 2),
        redundancy=_enum_value(RedundancyKind, raw.get("redundancy"), f"{name}.redundancy"),
        companion=None if companion is None else _enum_value(
            Companion, companion, f"{name}.companion"),
        re_model=_str(raw, "re_model", name),
        dram_mb=_int(raw, "dram_mb", name, 1, 1 << 22),
        keepalive_interfaces=_names(raw.get("keepalive_interfaces", ()),
                                    f"{name}.keepalive_interfaces"),
        default_version=_str(raw, "default_version", name),
        chassis_serial=_opt_str(raw, "chassis_serial", name) or "",
        fpc_slots=_int(raw, "fpc_slots", name, 0, 64),
        modules=_modules(raw.get("modules", ()), f"{name}.modules"),
        dram_usable_mb=None if raw.get("dram_usable_mb") is None else _int(
            raw, "dram_usable_mb", name, 1, 1 << 22),
        re_model_keepalives=_re_model_keepalives(raw.get("re_model_keepalives"),
                                                 f"{name}.re_model_keepalives"),
    )
    _check_consistency(spec, name)
    return spec


# --------------------------------------------------------------------------- built-in data
def _m(name: str, version: str | None = None, part: str | None = None,
       serial: str | None = None, desc: str | None = None, model: str | None = None,
       clei: str | None = None, children: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """Return one inventory row in the plain-dict form (keeps the tables below readable)."""
    row: dict[str, Any] = {"name": name, "version": version, "part_number": part,
                           "serial_number": serial, "description": desc,
                           "model_number": model, "clei_code": clei}
    if children:
        row["modules"] = list(children)
    return {k: v for k, v in row.items() if v is not None}


def _pair(label: str, version: str, part: str, serials: tuple[str, str], desc: str
          ) -> list[dict[str, Any]]:
    return [_m(f"{label} {i}", version, part, s, desc) for i, s in enumerate(serials)]


_LEGACY_VERSION = "7.4R1.7"  # a release of the chapter's era that ran on every M/T platform

_M320_MODULES = [  # chapter, "Display the Router Hardware" sample
    _m("Midplane", "REV 05", "710-009120", "RB0662", "M320 Midplane"),
    _m("FPM GBUS", "REV 04", "710-005928", "HV7564", "M320 Board"),
    _m("FPM Display", "REV 05", "710-009351", "HY0996", "M320 FPM Display"),
    _m("CIP", "REV 04", "710-005926", "HV2440", "M320 CIP"),
    *[_m(f"PEM {i}", "Rev 03", "740-009148", s, "DC Power Entry Module")
      for i, s in enumerate(("QD17663", "QD17664", "QD17662", "QD16006"))],
    *_pair("Routing Engine", "REV 05", "740-008883", ("P11123900322", "P11123900311"), "RE-4.0"),
    *_pair("CB", "REV 07", "710-009115", ("HW8716", "HW8693"), "M320 Control Board"),
    _m("FPC 0", "REV 03", "710-010233", "HM4187", "M320 FPC Type 2",
       children=(_m("CPU", "REV 06", "710-010169", "HM6072", "M320 FPC CPU"),)),
    *[_m(f"SIB {i}", "REV 05", "710-009124", f"HV86{i:02d}", "M320 SIB") for i in range(4)],
]

_MX480_MODULES = [  # get-chassis-inventory.mx480-dual-re.pyez.xml (Xcvr rows shortened)
    _m("Midplane", "REV 05", "710-017414", "ACRD2907", "MX480 Midplane", "CHAS-BP-MX480-S"),
    _m("FPM Board", "REV 02", "710-017254", "CADZ7080", "Front Panel Display",
       "CRAFT-MX480-S"),
    _m("PEM 0", "Rev 10", "740-029970", "QCS1441U1AP", "PS 1.4-2.52kW; 90-264V AC in",
       "PWR-MX480-2520-AC-S"),
    _m("PEM 2", "Rev 10", "740-029970", "QCS1441U12W", "PS 1.4-2.52kW; 90-264V AC in",
       "PWR-MX480-2520-AC-S"),
    _m("Routing Engine 0", "REV 01", "740-051822", "9013088309", "RE-S-1800x4",
       "RE-S-1800X4-32G-S", "COUCATEBAA"),
    _m("Routing Engine 1", "REV 01", "740-051822", "9013086699", "RE-S-1800x4",
       "RE-S-1800X4-32G-S", "COUCATEBAA"),
    _m("CB 0", "REV 02", "750-055976", "CAEB8262", "Enhanced MX SCB 2", "SCBE2-MX-S",
       "COUCATYBAA"),
    _m("CB 1", "REV 02", "750-055976", "CAEB2945", "Enhanced MX SCB 2", "SCBE2-MX-S",
       "COUCATYBAA"),
    _m("FPC 0", "REV 56", "750-045715", "CADG7246", "MPC5E 3D Q 24XGE+6XLGE",
       "MPC5EQ-40G10G", "COUIBD3BAA", children=(
           _m("CPU", "REV 11", "711-045719", "CADC7757", "RMPC PMB"),
           _m("PIC 0", None, "BUILTIN", "BUILTIN", "12X10GE SFPP OTN", children=(
               _m("Xcvr 0", "REV 01", "740-031980", "MSR0YWA", "SFP+-10G-SR"),
               _m("Xcvr 1", "REV 01", "740-031980", "MSR0U4D", "SFP+-10G-SR"),
           )),
           _m("PIC 1", None, "BUILTIN", "BUILTIN", "12X10GE SFPP OTN"),
           _m("PIC 2", None, "BUILTIN", "BUILTIN", "3X40GE QSFPP"),
           _m("PIC 3", None, "BUILTIN", "BUILTIN", "3X40GE QSFPP"),
           _m("WAN MEZZ", "REV 13", "750-049136", "CADG6835", "MPC5E 24XGE OTN Mezz"),
       )),
    _m("FPC 1", "REV 61", "750-045715", "CAFL6036", "MPC5E 3D Q 24XGE+6XLGE",
       "MPC5EQ-40G10G", "COUIBD3BAA", children=(
           _m("CPU", "REV 12", "711-045719", "CAFK4005", "RMPC PMB"),
           _m("PIC 0", None, "BUILTIN", "BUILTIN", "12X10GE SFPP OTN"),
       )),
    _m("Fan Tray", desc="Enhanced Left Fan Tray", model="FFANTRAY-MX480-HC-S"),
]


def _mx_modules(model: str, midplane: str, fpm: str, pems: int) -> list[dict[str, Any]]:
    """MX240/MX960 rows in the MX480 sample's shape."""
    rows = [_m("Midplane", "REV 04", midplane, "ACRB7131", f"{model} Midplane",
               f"CHAS-BP-{model}-S"),
            _m("FPM Board", "REV 03", fpm, "CAAB4411", "Front Panel Display",
               f"CRAFT-{model}-S")]
    rows += [_m(f"PEM {i}", "Rev 10", "740-029970", f"QCS1441U2{i}X",
                "PS 1.4-2.52kW; 90-264V AC in", "PWR-MX480-2520-AC-S") for i in range(pems)]
    rows += [_m(f"Routing Engine {i}", "REV 01", "740-051822", f"90130883{i}0", "RE-S-1800x4",
                "RE-S-1800X4-32G-S", "COUCATEBAA") for i in range(2)]
    rows += [_m(f"CB {i}", "REV 02", "750-055976", f"CAEB82{i}1", "Enhanced MX SCB 2",
                "SCBE2-MX-S", "COUCATYBAA") for i in range(2)]
    rows.append(_m("FPC 0", "REV 56", "750-045715", "CADG7311", "MPC5E 3D Q 24XGE+6XLGE",
                   "MPC5EQ-40G10G", "COUIBD3BAA",
                   children=(_m("CPU", "REV 11", "711-045719", "CADC7801", "RMPC PMB"),)))
    rows.append(_m("Fan Tray", desc="Enhanced Fan Tray", model=f"FFANTRAY-{model}-HC-S"))
    return rows


def _t_modules(model: str, sibs: int) -> list[dict[str, Any]]:
    """T320/T640 rows in the M320 sample's shape (host subsystem: RE + CB)."""
    return [
        _m("Midplane", "REV 04", "710-002726", "AX5633", f"{model} Backplane"),
        _m("FPM GBUS", "REV 02", "710-002901", "HE3245", f"{model} FPM Board"),
        _m("FPM Display", "REV 02", "710-002897", "HE7860", "FPM Display"),
        _m("CIP", "REV 05", "710-002895", "HC0474", f"{model} CIP"),
        _m("PEM 0", "Rev 03", "740-002595", "MD21459", "Power Entry Module"),
        _m("PEM 1", "Rev 03", "740-002595", "MD21460", "Power Entry Module"),
        *_pair("Routing Engine", "REV 04", "740-005022", ("210865700363", "210865700364"),
               "RE-3.0"),
        *_pair("CB", "REV 06", "710-002728", ("HE3614", "HE3615"), f"{model} Control Board"),
        _m("FPC 0", "REV 01", "710-002385", "HE3009", "FPC Type 2",
           children=(_m("CPU", "REV 06", "710-001726", "HB1916", "FPC CPU"),)),
        *[_m(f"SIB {i}", "REV 07", "710-003980", f"HE30{i:02d}", "SIB-I8-F16")
          for i in range(sibs)],
        _m("SCG 0", "REV 04", "710-003423", "HF6042", f"{model} Sonet Clock Gen."),
    ]


def _mcs_modules(model: str) -> list[dict[str, Any]]:
    """M40e/M160 rows (host module: RE + MCS)."""
    return [
        _m("Midplane", "REV 02", "710-001245", "S/N AB4107", f"{model} Midplane"),
        _m("FPM CMB", "REV 01", "710-001642", "AB3287", "FPM CMB"),
        _m("FPM Display", "REV 01", "710-001647", "AB3013", "FPM Display"),
        _m("CIP", "REV 02", "710-001593", "AA9563", "CIP"),
        _m("PCG 0", "REV 01", "710-001568", "AB3180", "PCG"),
        _m("PCG 1", "REV 01", "710-001568", "AB3197", "PCG"),
        *_pair("Routing Engine", "REV 04", "740-005022", ("210865700372", "210865700373"),
               "RE-3.0"),
        *_pair("MCS", "REV 03", "710-001226", ("AB3246", "AB3252"), "MCS"),
        *[_m(f"SFM {i} SPP", "REV 04", "710-001228", f"AB28{i}9", "SFM SPP") for i in range(2)],
        _m("FPC 0", "REV 01", "710-001255", "AB2743", "FPC Type 1",
           children=(_m("CPU", "REV 02", "710-001217", "AB3260", "FPC CPU"),)),
    ]


def _small_modules(model: str, fwd: str, re_desc: str, res: int) -> list[dict[str, Any]]:
    """M5/M7i/M10/M10i/M20/M40 rows: backplane, power, RE(s), forwarding board(s), FPC 0."""
    rows = [_m("Midplane", "REV 03", "710-008920", "CA1234", f"{model} Midplane"),
            _m("Power Supply A", "Rev 04", "740-008537", "PD10272", "AC Power Supply"),
            _m("Display", "REV 04", "710-001995", "AE9523", "Front Panel Display")]
    rows += [_m(f"Routing Engine {i}", "REV 01", "740-011202", f"10006470{i}1", re_desc)
             for i in range(res)]
    rows.append(_m(fwd, "REV 06", "750-010463", "CB2277", f"{model} {fwd.split()[0]}"))
    rows.append(_m("FPC 0", None, None, None, "E-FPC"))
    return rows


def _platform(product: str, res: int, kind: str, companion: str | None, re_model: str,
              dram: int, keepalive: list[str], fpcs: int, modules: list[dict[str, Any]],
              version: str = _LEGACY_VERSION, serial: str = "", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "product_model": product.lower(), "description": product, "re_slots": res,
        "redundancy": kind, "companion": companion, "re_model": re_model, "dram_mb": dram,
        "keepalive_interfaces": keepalive, "default_version": version,
        "chassis_serial": serial, "fpc_slots": fpcs, "modules": modules,
    }
    data.update(extra)
    return data


_MX_VERSION = "15.1F5.15"  # the release of the MX480 dual-RE samples
_T_KEEPALIVES = {"RE-1600": ["em0", "bcm0"], "RE-4.0": ["em0", "bcm0"]}

_BUILTIN: dict[str, dict[str, Any]] = {
    "M5": _platform("M5", 1, "none", None, "RE-5.0", 768, [], 1,
                    _small_modules("M5", "FEB", "RE-5.0", 1), serial="50123"),
    "M7i": _platform("M7i", 1, "none", None, "RE-400", 256, [], 1,
                     _small_modules("M7i", "CFEB", "RE-400", 1), serial="31377"),
    "M10": _platform("M10", 1, "none", None, "RE-5.0", 768, [], 2,
                     _small_modules("M10", "FEB", "RE-5.0", 1), serial="50431"),
    "M40": _platform("M40", 1, "none", None, "RE-2.0", 256, [], 8,
                     _small_modules("M40", "SCB", "RE-2.0", 1), serial="40213"),
    "M10i": _platform("M10i", 2, "routing-engine", "HCM", "RE-5.0", 768, ["fxp1"], 2,
                      _small_modules("M10i", "HCM slot 0", "RE-5.0", 2) + [
                          _m("HCM slot 1", "REV 06", "750-010463", "CB2278", "M10i HCM")],
                      serial="31566"),
    "M20": _platform("M20", 2, "routing-engine", "SSB", "RE-3.0", 2048, ["fxp1"], 4,
                     _small_modules("M20", "SSB slot 0", "RE-3.0", 2) + [
                         _m("SSB slot 1", "REV 06", "750-010463", "CB2279", "M20 SSB")],
                     serial="20482"),
    "M40e": _platform("M40e", 2, "host-module", "MCS", "RE-3.0", 2048, ["fxp1", "fxp2"], 8,
                      _mcs_modules("M40e"), serial="40755"),
    "M160": _platform("M160", 2, "host-module", "MCS", "RE-3.0", 2048, ["fxp1", "fxp2"], 8,
                      _mcs_modules("M160"), serial="101"),
    "M320": _platform("M320", 2, "host-subsystem", "CB", "RE-4.0", 2048, ["em0", "bcm0"], 8,
                      _M320_MODULES, serial="65565"),
    "T320": _platform("T320", 2, "host-subsystem", "CB", "RE-600", 2048, ["fxp1", "fxp2"], 8,
                      _t_modules("T320", 3), serial="16245",
                      re_model_keepalives=_T_KEEPALIVES),
    "T640": _platform("T640", 2, "host-subsystem", "CB", "RE-600", 2048, ["fxp1", "fxp2"], 8,
                      _t_modules("T640", 5), serial="58432",
                      re_model_keepalives=_T_KEEPALIVES),
    "MX240": _platform("MX240", 2, "routing-engine", "SCB", "RE-S-1800x4", 32768, ["em0"], 3,
                       _mx_modules("MX240", "710-021041", "710-021059", 2), version=_MX_VERSION,
                       serial="JN11D2A5EAFA", dram_usable_mb=32719),
    "MX480": _platform("MX480", 2, "routing-engine", "SCB", "RE-S-1800x4", 32768, ["em0"], 6,
                       _MX480_MODULES, version=_MX_VERSION, serial="JN1249018AFB",
                       dram_usable_mb=32719),
    "MX960": _platform("MX960", 2, "routing-engine", "SCB", "RE-S-1800x4", 32768, ["em0"], 12,
                       _mx_modules("MX960", "750-047853", "710-014974", 4), version=_MX_VERSION,
                       serial="JN11C9B3AAFA", dram_usable_mb=32719),
}


# --------------------------------------------------------------------------- the catalogue
class PlatformCatalogue:
    """An immutable name -> :class:`PlatformSpec` table with case-insensitive lookup."""

    __slots__ = ("_raw", "_specs")

    def __init__(self, raw: Mapping[str, Mapping[str, Any]]) -> None:
        """Parse every entry of ``raw``.  Raises PlatformSpecError on the first bad entry."""
        self._raw: dict[str, dict[str, Any]] = {name: dict(d) for name, d in raw.items()}
        self._specs: dict[str, PlatformSpec] = {
            name.casefold(): parse_platform(name, d) for name, d in self._raw.items()
        }

    def get(self, name: str) -> PlatformSpec:
        """Return the platform called ``name`` (any case).  Raises UnknownPlatformError."""
        spec = self._specs.get(name.casefold())
        if spec is None:
            raise UnknownPlatformError(name, self.names())
        return spec

    def names(self) -> tuple[str, ...]:
        """Return the platform names in their canonical spelling, sorted."""
        return tuple(sorted((s.name for s in self._specs.values()), key=_name_key))

    def extended(self, mapping: Mapping[str, Any]) -> PlatformCatalogue:
        """Return a new catalogue with ``mapping``'s platforms added or overridden.

        An entry whose name exists (any case), or which says ``base: <name>``, starts from
        that platform's data and replaces only the keys it gives.
        Raises PlatformSpecError (with the key path) and UnknownPlatformError (bad ``base``).
        """
        raw = dict(self._raw)
        for name, value in _as_mapping(mapping, "platforms").items():
            entry = dict(_as_mapping(value, name))
            key, start = self._start(name, entry)
            raw = {k: v for k, v in raw.items() if k.casefold() != key.casefold()}
            raw[key] = {**start, **{k: v for k, v in entry.items() if k != "base"}}
            parse_platform(key, raw[key])  # fail before anything is swapped in
        return PlatformCatalogue(raw)

    def _start(self, name: str, entry: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Return (key to store under, data to start from): an override keeps the existing
        spelling, ``base:`` copies another platform, a new name starts empty."""
        base = entry.get("base")
        if base is not None and not isinstance(base, str):
            raise _fail(f"{name}.base", "a platform name", base)
        wanted = (base or name).casefold()
        for existing, data in self._raw.items():
            if existing.casefold() == wanted:
                return (existing if base is None else name), data
        if base is not None:
            raise UnknownPlatformError(base, self.names())
        _check_keys(entry, name, new=True)
        return name, {}


def _name_key(name: str) -> tuple[str, int, str]:
    """Sort M5 < M10 < M320 < MX240 < T320 (family, then number)."""
    match = re.match(r"([A-Za-z]*)(\d*)", name)
    letters, digits = match.groups() if match else ("", "")
    return letters.upper(), int(digits or 0), name


def builtin_catalogue() -> PlatformCatalogue:
    """Return a fresh catalogue holding only the built-in platforms."""
    return PlatformCatalogue(_BUILTIN)


_active: PlatformCatalogue = builtin_catalogue()


def get_platform(name: str) -> PlatformSpec:
    """Return the platform ``name`` (case-insensitive) from the active catalogue.

    Raises UnknownPlatformError, whose message lists the known names.
    """
    return _active.get(name)


def platform_names() -> tuple[str, ...]:
    """Return the names of every platform in the active catalogue."""
    return _active.names()


def extend_catalogue(mapping: Mapping[str, Any]) -> tuple[str, ...]:
    """Add or override platforms from plain dicts (a testbed's ``platforms:`` section).

    All-or-nothing: on any error the active catalogue is unchanged.  Returns the names added or
    overridden.  Raises PlatformSpecError naming the key path, or UnknownPlatformError.
    """
    global _active
    _active = _active.extended(mapping)
    log.info("platform catalogue extended with %s", ", ".join(mapping))
    return tuple(mapping)


def restore_builtin_catalogue() -> None:
    """Drop every platform added by :func:`extend_catalogue` (tests and server reset)."""
    global _active
    _active = builtin_catalogue()


# --------------------------------------------------------------------------- software
_PACKAGES_15 = (  # names and comments of get-software-information (MX480 15.1F5 sample)
    ("os-kernel", "JUNOS OS Kernel 64-bit  [20160321.324471_builder_stable_10]"),
    ("os-libs", "JUNOS OS libs [20160321.324471_builder_stable_10]"),
    ("os-runtime", "JUNOS OS runtime [20160321.324471_builder_stable_10]"),
    ("junos-runtime", "JUNOS runtime [{version}]"),
    ("junos-platform", "JUNOS platform support [{version}]"),
    ("junos-daemons", "JUNOS daemons [{version}]"),
)
_PACKAGES_LEGACY = (  # pre-15.1 releases list jbase/jkernel/... with the release in brackets
    ("junos", "JUNOS Base OS boot [{version}]"),
    ("jbase", "JUNOS Base OS Software Suite [{version}]"),
    ("jkernel", "JUNOS Kernel Software Suite [{version}]"),
    ("jroute", "JUNOS Routing Software Suite [{version}]"),
)


def junos_release(version: str) -> tuple[int, int]:
    """Return (major, minor) of a Junos version string (``15.1F5.15`` -> (15, 1)); (0, 0) if
    the string does not start with ``N.N``."""
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def software_packages(version: str) -> tuple[tuple[str, str], ...]:
    """Return ``(name, comment)`` pairs of ``show version`` for Junos ``version``.

    15.1 and later list the FreeBSD-10 style packages (and a ``<junos-version>`` element);
    older releases list ``junos``/``jbase``/``jkernel``/``jroute`` with the release in brackets.
    """
    table = _PACKAGES_15 if junos_release(version) >= (15, 1) else _PACKAGES_LEGACY
    return tuple((name, comment.format(version=version)) for name, comment in table)
