"""From a recording of a live router to an emulated router: the clone's testbed and state.

:func:`plan_clone` decides, fact by fact, where each goes (docs/clone.md has the table):

* platform: the catalogue entry whose product model (``show version``) or chassis description
  (``show chassis hardware``) the router gives; a platform the catalogue lacks is a new one
  (``emulator.platform.base``: the nearest catalogue platform of the same family);
* inventory and chassis serial: ``emulator.platform.modules`` / ``chassis_serial``, as read;
  memory and RE slots, where they differ from the catalogue's;
* per RE: Junos version, RE model, serial number (``emulator.versions`` / ``re_models`` /
  ``serials``);
* per RE: the committed configuration and the mastership log (the state directory the testbed's
  ``emulator.state_dir`` names), the clock at recording;
* the timing a lab run measured (:mod:`emulator.clone.timing`): ``emulator.boot_time`` and, where
  the contract has it, ``emulator.platform.timing``.

Everything not carried is a line of the :class:`~emulator.clone.report.CloneReport`.
"""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass, field
from typing import Any

from emulator.clone.configs import carry_config
from emulator.clone.errors import CloneError
from emulator.clone.logs import parse_log
from emulator.clone.readers import RouteEngineFacts
from emulator.clone.record import Recording
from emulator.clone.report import CloneReport
from emulator.clone.timing import Measured, timing_fields
from emulator.model.config import host_name, parse_text
from emulator.model.platforms import PlatformSpec, get_platform, platform_names
from emulator.netconf.messages import BASE_1_1
from re_contract.platform import InventoryModule
from re_contract.records import RouterSpec

__all__ = ["CONTROL_USER", "ClonePlan", "plan_clone"]

#: The emulator-only control user of every clone (the lab router has none).
CONTROL_USER = ("re-control", "re-control")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_FAMILY = re.compile(r"^([A-Za-z]+)(\d*)")


@dataclass(frozen=True, slots=True)
class ClonePlan:
    """What the clone writes: the testbed (YAML data), and the recorded state per RE slot
    (``configs``: curly text, ``logs``: (time, text) lines) with the clock, and the report."""

    router: str
    testbed: dict[str, Any]
    clock: float
    configs: dict[int, str] = field(default_factory=dict)
    logs: dict[int, list[tuple[float, str]]] = field(default_factory=dict)
    report: CloneReport = field(default_factory=lambda: CloneReport("", ""))
    #: The RE that was master when the router was read (None: none said so).
    master: str | None = None


def _stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def plan_clone(rec: Recording, measured: Measured | None = None, *,
               state_dir: str = "state") -> ClonePlan:
    """Return the clone of the router ``rec`` recorded (and of the timing ``measured``, when a
    report of a lab run was given); ``state_dir`` is the state directory the testbed names,
    relative to it.

    Raises CloneError when a reached RE's configuration cannot be read as one.
    """
    spec = rec.spec
    report = CloneReport(spec.name, spec.origin.source)
    offset, zone = rec.zone
    clock = rec.now + offset
    report.carry(f"router clock: {_stamp(clock)} as the router shows it"
                 + (f" ({zone}, shown by the clone as UTC)" if zone != "UTC" else ""))
    for error in rec.errors:
        report.miss(error)
    for name, r in rec.res.items():
        for error in r.errors:
            report.miss(f"{name}: {error}" if not error.startswith(name) else error)
    name, platform, override = _platform(rec, report)
    emulator: dict[str, Any] = {"time": "virtual"}
    per_re = _per_re(rec, report)
    configs = _configs(rec, report)
    hostname = _hostname(configs, rec)
    if hostname:
        emulator["hostname"] = hostname
    emulator.update(per_re)
    if _hello(rec, report):
        emulator["netconf_base_1_1"] = True
    logs = _logs(rec, clock, report)
    if measured is not None:
        _timing(measured, platform, override, emulator, report)
    if override:
        emulator["platform"] = override
    emulator["state_dir"] = state_dir
    _standing(rec, report)
    router = {"platform": name, "emulated": True, "allow_disruptive": True,
              **_endpoints(spec), "credentials": _credentials(spec, report),
              "control": _control(spec),
              "host_keys": {"policy": "ignore"},
              "timeouts": dataclasses.asdict(spec.timeouts),
              "budgets": dataclasses.asdict(spec.budgets), "emulator": emulator}
    testbed = {"testbed": {"name": f"clone-{spec.name}",
                           "description": f"re-emulator clone of {spec.name} "
                                          f"({spec.origin.source}) read at {_stamp(clock)}"},
               "routers": {spec.name: router}}
    return ClonePlan(spec.name, testbed, clock, configs, logs, report, rec.master)


# --------------------------------------------------------------------------- platform
def _product(rec: Recording) -> str:
    ordered = sorted(rec.res.values(), key=lambda r: r.name != rec.master)
    return next((r.software.product_model for r in ordered
                 if r.software is not None and r.software.product_model), "")


def _catalogue_name(*names: str) -> str | None:
    wanted = {n.casefold() for n in names if n}
    for name in platform_names():
        spec = get_platform(name)
        if name.casefold() in wanted or spec.product_model.casefold() in wanted:
            return name
    return None


def _nearest(name: str, re_slots: int) -> PlatformSpec:
    """Return the catalogue platform closest to ``name``: same RE slots, same family (letters),
    nearest model number."""
    match = _FAMILY.match(name)
    letters, digits = (match.group(1).upper(), int(match.group(2) or 0)) if match else ("", 0)
    specs = [get_platform(n) for n in platform_names()]
    same = [s for s in specs if s.re_slots == re_slots] or specs

    def distance(spec: PlatformSpec) -> tuple[int, int]:
        other = _FAMILY.match(spec.name)
        family = other.group(1).upper() if other else ""
        number = int(other.group(2) or 0) if other else 0
        return (family != letters, abs(number - digits))

    return min(same, key=distance)


def _platform(rec: Recording, report: CloneReport
              ) -> tuple[str, PlatformSpec, dict[str, Any]]:
    """Return the platform name, its catalogue entry (or base) and the override to write."""
    product = _product(rec)
    described = rec.inventory.description if rec.inventory else None
    # The router's own answer names the platform; the testbed's word only when it gave none.
    found = (_catalogue_name(product, described or "") if product or described
             else _catalogue_name(rec.spec.platform))
    res = len(rec.engines) or len(rec.spec.endpoints)
    override: dict[str, Any] = {}
    if product and rec.spec.platform.casefold() not in (product.casefold(),
                                                        (described or "").casefold()):
        report.miss(f"platform: the lab testbed says {rec.spec.platform}, the router "
                    f"{product}; the clone is what the router says")
    if found is not None:
        name, base = found, get_platform(found)
        report.carry(f"platform: {name} (catalogue; product model {product or '?'})")
    else:
        name = product.upper() or described or rec.spec.platform
        base = _nearest(name, res)
        override.update(base=base.name, product_model=product or name.lower(),
                        description=described or name)
        report.carry(f"platform: {name}, new, based on the catalogue's {base.name}")
        report.miss(f"platform {name}: not in the emulator's catalogue; redundancy kind, "
                    f"companion boards and keepalive interfaces are {base.name}'s")
    if res != base.re_slots:
        override.update(re_slots=res, redundancy="none" if res == 1 else "routing-engine")
        report.carry(f"RE slots: {res} ({base.name} has {base.re_slots})")
    _memory(rec, base, override, report)
    _inventory(rec, base, override, report)
    return name, base, override


def _memory(rec: Recording, base: PlatformSpec, override: dict[str, Any],
            report: CloneReport) -> None:
    engine = next((e for e in rec.engines if e.dram_mb), None)
    if engine is None or engine.dram_mb is None:
        return
    if engine.dram_mb != base.dram_mb:
        override["dram_mb"] = engine.dram_mb
    usable = engine.dram_usable_mb
    if usable is not None and usable != (base.dram_usable_mb or engine.dram_mb):
        override["dram_usable_mb"] = usable
    report.carry(f"RE memory: {engine.dram_mb} MB"
                 + (f" ({engine.dram_usable_mb} MB usable)" if engine.dram_usable_mb else ""))


def _fpcs(rows: tuple[InventoryModule, ...]) -> list[int]:
    return sorted(int(r.name.split()[1]) for r in rows
                  if r.name.startswith("FPC ") and r.name.split()[1].isdigit())


def _inventory(rec: Recording, base: PlatformSpec, override: dict[str, Any],
               report: CloneReport) -> None:
    inv = rec.inventory
    if inv is None:
        report.miss("inventory (show chassis hardware): not read (no master answered it); "
                    f"the clone shows {base.name}'s catalogue rows and serial numbers")
        return
    override["modules"] = [row.model_dump(mode="json", exclude_defaults=True)
                           for row in inv.modules]
    if inv.serial:
        override["chassis_serial"] = inv.serial
    if inv.description and inv.description != base.description:
        override["description"] = inv.description
    fpcs = _fpcs(inv.modules)
    if fpcs and fpcs[-1] >= base.fpc_slots:
        override["fpc_slots"] = fpcs[-1] + 1
    report.carry(f"inventory: {len(inv.modules)} modules, chassis serial {inv.serial or '?'}, "
                 f"FPCs {', '.join(map(str, fpcs)) or 'none'}")


# --------------------------------------------------------------------------- per RE
def _engine(rec: Recording, slot: int) -> RouteEngineFacts | None:
    return next((e for e in rec.engines if e.slot == slot), None)


def _re_row(rec: Recording, slot: int) -> InventoryModule | None:
    rows = rec.inventory.modules if rec.inventory else ()
    return next((r for r in rows if r.name == f"Routing Engine {slot}"), None)


def _per_re(rec: Recording, report: CloneReport) -> dict[str, dict[str, str]]:
    """Return ``versions``, ``re_models`` and ``serials`` per RE, as read."""
    out: dict[str, dict[str, str]] = {"versions": {}, "re_models": {}, "serials": {}}
    for re_name in rec.spec.endpoints:
        slot = int(re_name[2:])
        r, engine, row = rec.res.get(re_name), _engine(rec, slot), _re_row(rec, slot)
        version = r.software.version if r is not None and r.software is not None else None
        model = (engine.model if engine else None) or (row.description if row else None)
        serial = (engine.serial if engine else None) or (row.serial_number if row else None)
        for key, value, what in (("versions", version, "Junos version"),
                                 ("re_models", model, "RE model"),
                                 ("serials", serial, "serial number")):
            if value:
                out[key][re_name] = value
            else:
                report.miss(f"{re_name} {what}: not read; the clone shows the catalogue's")
        report.carry(f"{re_name}: Junos {version or '?'}, {model or '?'}, serial {serial or '?'}")
    return {key: value for key, value in out.items() if value}


def _configs(rec: Recording, report: CloneReport) -> dict[int, str]:
    configs: dict[int, str] = {}
    for re_name, r in rec.res.items():
        if r.config is None:
            report.miss(f"{re_name} configuration: not read; the clone's {re_name} starts with "
                        "the emulator's initial configuration")
            continue
        try:
            carried = carry_config(r.config)
        except CloneError as exc:
            raise CloneError(f"{rec.spec.name} {re_name} configuration: {exc}") from exc
        configs[int(re_name[2:])] = carried.text
        lines = carried.text.count("\n")
        report.carry(f"{re_name} committed configuration: {lines} lines"
                     + (f" ({len(carried.dropped)} statement(s) left out)"
                        if carried.dropped else ""))
        for line in carried.dropped:
            report.miss(f"{re_name} configuration {line}")
    return configs


def _hostname(configs: dict[int, str], rec: Recording) -> str | None:
    """Return ``system host-name`` of the master's (else any) carried configuration, or the
    router's name for itself in ``show version``."""
    order = sorted(configs, key=lambda slot: f"re{slot}" != rec.master)
    for slot in order:
        name = host_name(parse_text(configs[slot]).tree)
        if name and _NAME.match(name):
            return name
    return None


def _logs(rec: Recording, clock: float, report: CloneReport
          ) -> dict[int, list[tuple[float, str]]]:
    logs: dict[int, list[tuple[float, str]]] = {}
    for re_name, r in rec.res.items():
        if r.log is None:
            report.miss(f"{re_name} mastership log: not read; the clone's {re_name} log starts "
                        "with the emulator's own boot lines")
            continue
        parsed = parse_log(r.log[0], clock)
        logs[int(re_name[2:])] = list(parsed.lines)
        report.carry(f"{re_name} mastership log: {len(parsed.lines)} lines")
        if parsed.unstamped:
            report.miss(f"{re_name} mastership log: {parsed.unstamped} line(s) without a time "
                        "stamp, kept with the time of the line before (the clone stamps them)")
    return logs


def _hello(rec: Recording, report: CloneReport) -> bool:
    """Return True when the router's NETCONF hello offered base:1.1 (the clone's then does)."""
    offered = [r.capabilities for r in rec.res.values() if r.reached]
    base_1_1 = any(BASE_1_1 in caps for caps in offered)
    report.carry("NETCONF hello: " + ("base:1.0 and base:1.1, as the router's" if base_1_1
                                      else "base:1.0 only, as the router's"))
    return base_1_1


# --------------------------------------------------------------------------- timing
def _timing(measured: Measured, platform: PlatformSpec, override: dict[str, Any],
            emulator: dict[str, Any], report: CloneReport) -> None:
    """Carry the measured timing: ``boot`` as ``emulator.boot_time``, the other phases as
    ``emulator.platform.timing`` over the platform's profile; a phase the run did not measure
    is reported."""
    if measured.empty():
        report.miss(f"timing: the report {measured.source} holds no switchover, reboot or "
                    f"power-on of {measured.router}")
        return
    names = ([m["name"] for m in override["modules"]] if "modules" in override
             else [m.name for m in platform.modules])
    # The model resets the populated FPCs, FPC 0 and 1 when the inventory shows none.
    fpcs = sum(1 for n in names if n.startswith("FPC ")) or 2
    fields, notes = timing_fields(measured, dataclasses.asdict(platform.timing), fpcs)
    boot = fields.pop("boot", None)
    if boot is not None:
        emulator["boot_time"] = max(boot, 1.0)
    if fields:
        override["timing"] = fields
    for note in notes:
        phase = note.split(" ", 1)[0].removeprefix("timing.").rstrip(":")
        if phase in fields or phase == "boot":
            report.carry(note)
        else:
            report.miss(note)


# --------------------------------------------------------------------------- the rest
def _standing(rec: Recording, report: CloneReport) -> None:
    """Note what a clone never carries: the facts the emulator computes itself."""
    starts = {f"re{e.slot}": e.start_time for e in rec.engines if e.start_time is not None}
    if starts:
        report.miss("RE start times and uptimes: "
                    + ", ".join(f"{n} up since {_stamp(t)}" for n, t in starts.items())
                    + "; the clone's REs have been up the emulator's default time when it "
                      "starts")
    report.miss("CPU load, memory use, temperatures, FPC and interface counters: the "
                "emulator's own")


def _endpoints(spec: RouterSpec) -> dict[str, Any]:
    loopback = {"host": "127.0.0.1", "port": 0}
    out: dict[str, Any] = {name: dict(loopback) for name in spec.endpoints}
    if spec.master_only is not None:
        out["master_only"] = dict(loopback)
    if spec.console:
        out["console"] = {name: dict(loopback) for name in spec.console}
    return out


def _control(spec: RouterSpec) -> dict[str, str]:
    """Return the clone's control user: :data:`CONTROL_USER`, renamed when the lab's login has
    that name (one name cannot be both)."""
    name, password = CONTROL_USER
    if spec.credentials.username.casefold() == name.casefold():
        name = f"{name}-clone"
    return {"username": name, "password": password}


def _credentials(spec: RouterSpec, report: CloneReport) -> dict[str, Any]:
    """Return the clone's login: the lab's user name and password source; a key-only login
    gets a password (the emulator logs users in by password only)."""
    c = spec.credentials
    if c.password_env is not None:
        return {"username": c.username, "password_env": c.password_env}
    if c.secret is not None:
        return {"username": c.username, "password": c.secret}
    report.miss(f"login: {c.username} logs in to the lab router by key; the clone takes "
                "password 'clone' (the emulator logs users in by password only)")
    return {"username": c.username, "password": "clone"}
