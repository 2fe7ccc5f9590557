"""The built-in platform catalogue, as data: one immutable :class:`PlatformSpec` per platform.

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

from collections.abc import Mapping
from types import MappingProxyType

from emulator.model.platform_spec import Companion, ModuleSpec, PlatformSpec, RedundancyKind

__all__ = ["BUILTIN"]


def _m(name: str, version: str | None = None, part: str | None = None,
       serial: str | None = None, desc: str | None = None, model: str | None = None,
       clei: str | None = None, children: tuple[ModuleSpec, ...] = ()) -> ModuleSpec:
    """Return one inventory row (positional arguments keep the tables below readable)."""
    return ModuleSpec(name, version, part, serial, desc, clei, model, children)


def _pair(label: str, version: str, part: str, serials: tuple[str, str], desc: str
          ) -> list[ModuleSpec]:
    """Return the two rows of a redundant pair (RE 0/1, CB 0/1, ...)."""
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


def _mx_modules(model: str, midplane: str, fpm: str, pems: int) -> list[ModuleSpec]:
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


def _t_modules(model: str, sibs: int) -> list[ModuleSpec]:
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


def _mcs_modules(model: str) -> list[ModuleSpec]:
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


def _small_modules(model: str, fwd: str, re_desc: str, res: int) -> list[ModuleSpec]:
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
              dram: int, keepalive: list[str], fpcs: int, modules: list[ModuleSpec],
              version: str = _LEGACY_VERSION, serial: str = "",
              re_model_keepalives: dict[str, list[str]] | None = None,
              dram_usable_mb: int | None = None) -> PlatformSpec:
    """Return one catalogue entry (positional arguments keep the table below readable)."""
    return PlatformSpec(
        name=product, product_model=product.lower(), description=product, re_slots=res,
        redundancy=RedundancyKind(kind), companion=None if companion is None else Companion(
            companion), re_model=re_model, dram_mb=dram, keepalive_interfaces=tuple(keepalive),
        default_version=version, chassis_serial=serial, fpc_slots=fpcs, modules=tuple(modules),
        dram_usable_mb=dram_usable_mb, re_model_keepalives=tuple(
            (model, tuple(names)) for model, names in (re_model_keepalives or {}).items()),
    )


_MX_VERSION = "15.1F5.15"  # the release of the MX480 dual-RE samples
_T_KEEPALIVES = {"RE-1600": ["em0", "bcm0"], "RE-4.0": ["em0", "bcm0"]}

_BUILTIN: dict[str, PlatformSpec] = {
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


#: The built-in platforms by name, read-only.
BUILTIN: Mapping[str, PlatformSpec] = MappingProxyType(_BUILTIN)
