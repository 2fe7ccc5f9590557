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
  ``get-chassis-inventory.mx480-dual-re.pyez.xml``; the MX960 and MX240 rows take their part
  numbers and descriptions from public ``show chassis hardware`` captures of those chassis
  (Enhanced MX960 Backplane 750-047849, RE-S-1800x4 740-031116, Enhanced MX SCB 750-031391,
  MPCE Type 1 3D 750-038489, MPC3E NG 750-063181).  The other M/T rows are plausible
  inventions in the chapter's shapes, each platform with part numbers of its own: no row is
  shared between two platforms.  Serial numbers here are templates: each router shows serials
  of its own in the same shape (:mod:`emulator.model.serials`).
* Timing profiles: docs/emulator-model.md, "Timing" (sources and the reason for each number).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from emulator.model.platform_spec import (
    Companion,
    Era,
    ModuleSpec,
    PlatformSpec,
    RedundancyKind,
    TimingProfile,
)

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

_MX960_MODULES = [  # part numbers and descriptions of a public MX960 capture
    _m("Midplane", "REV 44", "750-047849", "ACRJ8153", "Enhanced MX960 Backplane",
       "CHAS-BP3-MX960-S"),
    _m("FPM Board", "REV 03", "711-058968", "CAJC6039", "Front Panel Display",
       "CRAFT-MX960-S"),
    _m("PDM", "Rev 01", "740-063049", "QCS21195066", "Power Distribution Module",
       "PDM-MX960"),
    *[_m(f"PEM {i}", "Rev 01", "740-063047", f"QCS2112N0{i}T", "PS 4.1kW; 200-240V AC in",
         "PWR-MX960-4100-AC-S") for i in range(3)],
    *[_m(f"Routing Engine {i}", "REV 08", "740-031116", f"900912696{i}", "RE-S-1800x4",
         "RE-S-1800X4-16G-S") for i in range(2)],
    *[_m(f"CB {i}", "REV 08", "750-055976", f"CAFD313{i}", "Enhanced MX SCB 2", "SCBE2-MX-S")
      for i in range(2)],
    _m("FPC 0", "REV 26", "750-063181", "CASL4704", "MPC3E NG PQ & Flex Q",
       "MX-MPC3E-3D-NG-Q", children=(
           _m("CPU", "REV 13", "711-045719", "CASL2647", "RMPC PMB"),
           _m("MIC 1", "REV 27", "750-028392", "CABA7666", "3D 20x 1GE(LAN) SFP",
              "MIC-3D-20GE-SFP"),
       )),
    _m("Fan Tray 0", desc="Enhanced Fan Tray", model="FFANTRAY-MX960-HC-S"),
    _m("Fan Tray 1", desc="Enhanced Fan Tray", model="FFANTRAY-MX960-HC-S"),
]

_MX240_MODULES = [  # part numbers of public MX240/MX480 captures (Enhanced MX SCB, MPCE)
    _m("Midplane", "REV 07", "711-030012", "ACRB6170", "MX240 Backplane", "CHAS-BP-MX240-S"),
    _m("FPM Board", "REV 04", "710-017254", "KX2431", "Front Panel Display", "CRAFT-MX240-S"),
    *[_m(f"PEM {i}", "Rev 05", "740-027736", f"QCS1416T0V{i}", "DC 2.4kW Power Entry Module",
         "PWR-MX480-2400-DC-S") for i in range(2)],
    *[_m(f"Routing Engine {i}", "REV 10", "740-031116", f"900920063{i}", "RE-S-1800x4",
         "RE-S-1800X4-32G-S") for i in range(2)],
    *[_m(f"CB {i}", "REV 24", "750-031391", f"CAEA904{i}", "Enhanced MX SCB", "SCBE-MX-S")
      for i in range(2)],
    _m("FPC 0", "REV 18", "750-038489", "CACZ0351", "MPCE Type 1 3D", "MX-MPC1E-3D",
       children=(_m("CPU", "REV 06", "711-038484", "CACZ0826", "MPCE PMB 2G"),)),
    _m("Fan Tray 0", desc="Enhanced Fan Tray", model="FFANTRAY-MX240-HC-S"),
]


def _t_modules(model: str, parts: tuple[str, str, str], sibs: int, re_serials: tuple[str, str]
               ) -> list[ModuleSpec]:
    """T320/T640 rows in the M320 sample's shape (host subsystem: RE + CB); ``parts`` are the
    platform's midplane, control board and FPC part numbers."""
    midplane, cb, fpc = parts
    return [
        _m("Midplane", "REV 04", midplane, "AX5633", f"{model} Backplane"),
        _m("FPM GBUS", "REV 02", "710-002901", "HE3245", f"{model} FPM Board"),
        _m("FPM Display", "REV 02", "710-002897", "HE7860", f"{model} FPM Display"),
        _m("CIP", "REV 05", "710-002895", "HC0474", f"{model} CIP"),
        *[_m(f"PEM {i}", "Rev 03", "740-002595", f"MD2145{i}", f"{model} Power Entry Module")
          for i in range(2)],
        *_pair("Routing Engine", "REV 04", "740-004964", re_serials, "RE-600"),
        *_pair("CB", "REV 06", cb, ("HE3614", "HE3615"), f"{model} Control Board"),
        _m("FPC 0", "REV 01", fpc, "HE3009", f"{model} FPC Type 2",
           children=(_m("CPU", "REV 06", "710-001726", "HB1916", f"{model} FPC CPU"),)),
        *[_m(f"SIB {i}", "REV 07", "710-003980", f"HE30{i:02d}", f"{model} SIB-I8-F16")
          for i in range(sibs)],
        _m("SCG 0", "REV 04", "710-003423", "HF6042", f"{model} Sonet Clock Gen."),
    ]


def _mcs_modules(model: str, parts: tuple[str, str], re_serials: tuple[str, str]
                 ) -> list[ModuleSpec]:
    """M40e/M160 rows (host module: RE + MCS); ``parts``: midplane and FPC part numbers."""
    midplane, fpc = parts
    return [
        _m("Midplane", "REV 02", midplane, "AB4107", f"{model} Midplane"),
        _m("FPM CMB", "REV 01", "710-001642", "AB3287", f"{model} FPM CMB"),
        _m("FPM Display", "REV 01", "710-001647", "AB3013", f"{model} FPM Display"),
        _m("CIP", "REV 02", "710-001593", "AA9563", f"{model} CIP"),
        *[_m(f"PCG {i}", "REV 01", "710-001568", f"AB31{8 + i}0", f"{model} PCG")
          for i in range(2)],
        *_pair("Routing Engine", "REV 04", "740-005022", re_serials, "RE-3.0"),
        *_pair("MCS", "REV 03", "710-001226", ("AB3246", "AB3252"), f"{model} MCS"),
        *[_m(f"SFM {i} SPP", "REV 04", "710-001228", f"AB28{i}9", f"{model} SFM SPP")
          for i in range(2)],
        _m("FPC 0", "REV 01", fpc, "AB2743", f"{model} FPC Type 1",
           children=(_m("CPU", "REV 02", "710-001217", "AB3260", f"{model} FPC CPU"),)),
    ]


def _small_modules(model: str, fwd: str, re_part: str, re_desc: str, res: int,
                   midplane: str) -> list[ModuleSpec]:
    """M5/M7i/M10/M10i/M20/M40 rows: backplane, power, RE(s), forwarding board(s), FPC 0."""
    rows = [_m("Midplane", "REV 03", midplane, "CA1234", f"{model} Midplane"),
            _m("Power Supply A", "Rev 04", "740-008537", "PD10272", f"{model} AC Power Supply"),
            _m("Display", "REV 04", "710-001995", "AE9523", f"{model} Front Panel Display")]
    rows += [_m(f"Routing Engine {i}", "REV 01", re_part, f"P10006470{i}1", re_desc)
             for i in range(res)]
    rows.append(_m(fwd, "REV 06", "750-010463", "CB2277", f"{model} {fwd.split()[0]}"))
    rows.append(_m("FPC 0", None, None, None, f"{model} E-FPC"))
    return rows


def _platform(product: str, res: int, kind: str, companion: str | None, re_model: str,
              dram: int, keepalive: list[str], fpcs: int, modules: list[ModuleSpec],
              timing: TimingProfile, version: str = _LEGACY_VERSION, serial: str = "",
              re_model_keepalives: dict[str, list[str]] | None = None,
              dram_usable_mb: int | None = None, era: Era = Era.M_SERIES) -> PlatformSpec:
    """Return one catalogue entry (positional arguments keep the table below readable)."""
    return PlatformSpec(
        name=product, product_model=product.lower(), description=product, re_slots=res,
        redundancy=RedundancyKind(kind), companion=None if companion is None else Companion(
            companion), re_model=re_model, dram_mb=dram, keepalive_interfaces=tuple(keepalive),
        default_version=version, chassis_serial=serial, fpc_slots=fpcs, modules=tuple(modules),
        dram_usable_mb=dram_usable_mb, re_model_keepalives=tuple(
            (model, tuple(names)) for model, names in (re_model_keepalives or {}).items()),
        era=era, timing=timing,
    )


def _t(resolution: tuple[float, float], master_ready: tuple[float, float],
       fpc: tuple[float, float], sync: tuple[float, float], boot: float,
       gres_keepalive: float = 2.0) -> TimingProfile:
    """Return a timing profile: (without, with GRES) pairs, FPC (boot, stagger), backup sync
    (after a switchover, after a boot), RE boot; docs/emulator-model.md "Timing"."""
    return TimingProfile(
        resolution=resolution[0], resolution_gres=resolution[1],
        master_ready=master_ready[0], master_ready_gres=master_ready[1],
        fpc_boot=fpc[0], fpc_stagger=fpc[1],
        backup_sync_switchover=sync[0], backup_sync_boot=sync[1],
        boot=boot, gres_keepalive=gres_keepalive)


_SINGLE = (0.0, 0.0)
_MX_VERSION = "15.1F5.15"  # the release of the MX480 dual-RE samples
_T_KEEPALIVES = {"RE-1600": ["em0", "bcm0"], "RE-4.0": ["em0", "bcm0"]}
_MX = Era.MX

_BUILTIN: dict[str, PlatformSpec] = {
    "M5": _platform("M5", 1, "none", None, "RE-5.0", 768, [], 1,
                    _small_modules("M5", "FEB", "740-003239", "RE-5.0", 1, "710-002650"),
                    _t(_SINGLE, _SINGLE, (60, 0), _SINGLE, 180), serial="50123"),
    "M7i": _platform("M7i", 1, "none", None, "RE-400", 256, [], 1,
                     _small_modules("M7i", "CFEB", "740-011202", "RE-400", 1, "710-008761"),
                     _t(_SINGLE, _SINGLE, (45, 0), _SINGLE, 150), serial="31377"),
    "M10": _platform("M10", 1, "none", None, "RE-5.0", 768, [], 2,
                     _small_modules("M10", "FEB", "740-003240", "RE-5.0", 1, "710-001950"),
                     _t(_SINGLE, _SINGLE, (60, 8), _SINGLE, 180), serial="50431"),
    "M40": _platform("M40", 1, "none", None, "RE-2.0", 256, [], 8,
                     _small_modules("M40", "SCB", "740-001117", "RE-2.0", 1, "710-000073"),
                     _t(_SINGLE, _SINGLE, (90, 10), _SINGLE, 240), serial="40213"),
    "M10i": _platform("M10i", 2, "routing-engine", "HCM", "RE-5.0", 768, ["fxp1"], 2,
                      _small_modules("M10i", "HCM slot 0", "740-008846", "RE-5.0", 2,
                                     "710-008920") + [
                          _m("HCM slot 1", "REV 06", "750-010463", "CB2278", "M10i HCM")],
                      _t((5, 2), (25, 4), (60, 8), (90, 240), 210), serial="31566"),
    "M20": _platform("M20", 2, "routing-engine", "SSB", "RE-3.0", 2048, ["fxp1"], 4,
                     _small_modules("M20", "SSB slot 0", "740-005022", "RE-3.0", 2,
                                    "710-001517") + [
                         _m("SSB slot 1", "REV 06", "750-010463", "CB2279", "M20 SSB")],
                     # GRES keepalive: 4 s on the M20 (Juniper, GRES concepts).
                     _t((5, 3), (30, 4), (75, 10), (120, 240), 240, gres_keepalive=4.0),
                     serial="20482"),
    "M40e": _platform("M40e", 2, "host-module", "MCS", "RE-3.0", 2048, ["fxp1", "fxp2"], 8,
                      _mcs_modules("M40e", ("710-005071", "710-005197"),
                                   ("P10865700372", "P10865700373")),
                      _t((6, 3), (40, 6), (90, 12), (150, 300), 240), serial="40755"),
    "M160": _platform("M160", 2, "host-module", "MCS", "RE-3.0", 2048, ["fxp1", "fxp2"], 8,
                      _mcs_modules("M160", ("710-001245", "710-001255"),
                                   ("P10865701859", "P10865701860")),
                      _t((6, 3), (40, 6), (90, 12), (150, 300), 240), serial="10187"),
    "M320": _platform("M320", 2, "host-subsystem", "CB", "RE-4.0", 2048, ["em0", "bcm0"], 8,
                      _M320_MODULES,
                      _t((6, 3), (45, 6), (100, 10), (180, 360), 270), serial="65565"),
    "T320": _platform("T320", 2, "host-subsystem", "CB", "RE-600", 2048, ["fxp1", "fxp2"], 8,
                      _t_modules("T320", ("710-002726", "710-002728", "710-002385"), 3,
                                 ("210929000142", "210929000143")),
                      _t((6, 3), (45, 6), (110, 10), (180, 360), 300), serial="16245",
                      re_model_keepalives=_T_KEEPALIVES),
    "T640": _platform("T640", 2, "host-subsystem", "CB", "RE-600", 2048, ["fxp1", "fxp2"], 8,
                      _t_modules("T640", ("710-002606", "710-002759", "710-013037"), 5,
                                 ("210865700363", "210865700364")),
                      _t((7, 3), (50, 6), (120, 12), (300, 420), 300), serial="58432",
                      re_model_keepalives=_T_KEEPALIVES),
    "MX240": _platform("MX240", 2, "routing-engine", "SCB", "RE-S-1800x4", 32768, ["em0"], 3,
                       _MX240_MODULES, _t((4, 2), (25, 4), (150, 15), (120, 300), 330),
                       version=_MX_VERSION, serial="JN11D2A5EAFA", dram_usable_mb=32719,
                       era=_MX),
    "MX480": _platform("MX480", 2, "routing-engine", "SCB", "RE-S-1800x4", 32768, ["em0"], 6,
                       _MX480_MODULES, _t((4, 2), (30, 5), (165, 15), (120, 300), 330),
                       version=_MX_VERSION, serial="JN1249018AFB", dram_usable_mb=32719,
                       era=_MX),
    "MX960": _platform("MX960", 2, "routing-engine", "SCB", "RE-S-1800x4", 16384, ["em0"], 12,
                       _MX960_MODULES, _t((5, 2), (40, 5), (180, 20), (150, 300), 360),
                       version=_MX_VERSION, serial="JN11E9CD7AFA", dram_usable_mb=16322,
                       era=_MX),
}


#: The built-in platforms by name, read-only.
BUILTIN: Mapping[str, PlatformSpec] = MappingProxyType(_BUILTIN)
