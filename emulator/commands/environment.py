"""``show chassis environment`` and ``show chassis temperature-thresholds`` (NAPALM
``get_environment``): one sensor list built from the model, rendered as XML and text.

Sensors come from the chassis as the model knows it: the power supplies (``PEM n``), the
control boards (``CB n``) and fan trays of the platform's inventory, each Routing Engine (its
temperature and CPU temperature, the numbers ``show chassis routing-engine`` shows), the boards
of the switch plane and each FPC (offline while the PFE re-initialises).  Shapes: the
``<environment-information>`` of a real Junos 18.2R3 reply (``environment-item``: name, class,
status, ``temperature junos:celsius`` or a fan's ``comment``) and NAPALM's
``get-temperature-threshold-information`` mocks; text: genie's ``show chassis environment``
sample (``Class Item ... Status Measurement``).

Only the master answers: the chapter says a backup RE "does not ... communicate with ...
chassis components", and real Junos answers the backup's ``show chassis hardware`` with
"Aborted! This command can only be used on the master routing engine." (same ``<output>``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from lxml import etree

from emulator.commands import chassis_cmds as cc
from emulator.commands import render_chassis as rc
from emulator.commands.context import CommandContext, Result
from emulator.model.routing_engine import REState

__all__ = [
    "Sensor",
    "environment_information",
    "power_usage_detail",
    "sensors",
    "temperature_thresholds",
]

Args = Mapping[str, str | bool]


@dataclass(frozen=True, slots=True)
class Sensor:
    """One line of ``show chassis environment``; ``thresholds`` are (yellow, red, fire) in C."""

    name: str
    cls: str
    status: str
    celsius: int | None = None
    comment: str | None = None
    thresholds: tuple[int, int, int] = (75, 85, 95)


#: Alarm thresholds by component (the values of NAPALM's MX10003 mock; choice).
_RE_THRESHOLDS = (85, 100, 102)
_BOARD_THRESHOLDS = (75, 85, 95)
#: Fixed sensor readings of boards the model has no temperature for (choice): name suffix and
#: degrees above the 25 C room.
_CB_SENSORS = (("Intake", 5), ("Exhaust A", 8), ("Exhaust B", 10))
_FPC_SENSORS = (("Intake", 7), ("Exhaust A", 15), ("Exhaust B", 18))
_ROOM = 25
#: The switch plane: the chapter's SSB (M20), SCB (M40) and SFM (M40e/M160), and the SIBs of
#: the M320/T series.  "Once a Routing Engine becomes master, it resets the switch plane ...
#: and downloads its current version of the microkernel to the Packet Forwarding Engine
#: components": offline with the FPCs when the PFE re-initialises; choice: back with the
#: first FPC (the FPCs need it).
_SWITCH_PLANE = ("SSB", "SCB", "SFM", "SIB")
_SPINNING = "Spinning at normal speed"


def _inventory(ctx: CommandContext, prefix: str) -> list[str]:
    return [m.name for m in ctx.router.platform.modules if m.name.startswith(prefix)]


def _board(name: str, slot: int, readings: tuple[tuple[str, int], ...]) -> Iterator[Sensor]:
    for suffix, rise in readings:
        yield Sensor(f"{name} {suffix}", "Temp", "OK", _ROOM + rise + slot, None,
                     _BOARD_THRESHOLDS)


def sensors(ctx: CommandContext) -> list[Sensor]:
    """Return every sensor of the chassis, in the order Junos lists them (power, temperatures
    of the REs, boards and FPCs, then fans)."""
    model = ctx.router
    # MX480-class chassis list their power supplies among the temperatures (genie's
    # "Temp  PSM 0" samples); the power itself is ``show chassis power detail``.
    out = [Sensor(name, "Temp", "OK", _ROOM + 12, None, _BOARD_THRESHOLDS)
           for name in _inventory(ctx, "PEM ")]
    for view in cc.route_engine_views(model).routing_engines:
        name = f"Routing Engine {view.slot}"
        if view.temperature_c is None:
            absent = model.chassis.re(view.slot).state is REState.ABSENT
            out.append(Sensor(name, "Temp", "Absent" if absent else "Present"))
            continue
        out.append(Sensor(name, "Temp", "OK", view.temperature_c, None, _RE_THRESHOLDS))
        out.append(Sensor(f"{name} CPU", "Temp", "OK", view.cpu_temperature_c, None,
                          _RE_THRESHOLDS))
    for name in _inventory(ctx, "CB "):
        out += _board(name, int(name.split()[1]), _CB_SENSORS)
    fpcs = list(model.chassis.fpc_states())
    plane_reset = bool(fpcs) and not any(online for _, online, _ in fpcs)
    for name in (n for prefix in _SWITCH_PLANE for n in _inventory(ctx, prefix)):
        slot = int(next((w for w in name.split() if w.isdigit()), "0"))
        out += [Sensor(name, "Temp", "Offline")] if plane_reset else \
            _board(name, slot, _CB_SENSORS)
    for slot, online, _ in fpcs:
        if online:
            out += _board(f"FPC {slot}", slot, _FPC_SENSORS)
        else:
            out.append(Sensor(f"FPC {slot}", "Temp", "Offline"))
    out += [Sensor(name, "Fans", "OK", comment=_SPINNING) for name in _inventory(ctx, "Fan Tray")]
    return out


def _measurement(sensor: Sensor) -> str:
    if sensor.celsius is not None:
        return rc.format_temperature(sensor.celsius)
    return sensor.comment or ""


def environment_information(ctx: CommandContext, args: Args) -> Result:
    """``show chassis environment`` (get-environment-information), on the master only."""
    refused = cc.not_master_answer(ctx)
    if refused is not None:
        return refused
    ns = rc.chassis_ns(ctx.version)
    junos = rc.junos_ns(ctx.version)
    root = etree.Element(f"{{{ns}}}environment-information", nsmap={None: ns, "junos": junos})
    lines = [f"{'Class Item':<37}{'Status':<11}Measurement"]
    previous = ""
    for sensor in sensors(ctx):
        item = etree.SubElement(root, f"{{{ns}}}environment-item")
        for tag, text in (("name", sensor.name), ("class", sensor.cls),
                          ("status", sensor.status)):
            etree.SubElement(item, f"{{{ns}}}{tag}").text = text
        if sensor.celsius is not None:
            temp = etree.SubElement(item, f"{{{ns}}}temperature")
            temp.set(f"{{{junos}}}celsius", str(sensor.celsius))
            temp.text = rc.format_temperature(sensor.celsius)
        elif sensor.comment:
            etree.SubElement(item, f"{{{ns}}}comment").text = sensor.comment
        shown_class = sensor.cls if sensor.cls != previous else ""
        previous = sensor.cls
        lines.append(f"{shown_class:<6}{sensor.name:<31}{sensor.status:<11}"
                     f"{_measurement(sensor)}".rstrip())
    return Result([root], "\n".join(lines) + "\n")


def temperature_thresholds(ctx: CommandContext, args: Args) -> Result:
    """``show chassis temperature-thresholds`` (get-temperature-threshold-information): the
    alarm thresholds of every temperature sensor, on the master only."""
    refused = cc.not_master_answer(ctx)
    if refused is not None:
        return refused
    root = etree.Element("temperature-threshold-information")
    lines = [f"{'':<28}{'Yellow alarm':>14}{'Red alarm':>12}{'Fire Shutdown':>16}",
             f"{'Item':<28}{'(degrees C)':>14}{'(degrees C)':>12}{'(degrees C)':>16}"]
    for sensor in sensors(ctx):
        if sensor.celsius is None:
            continue
        yellow, red, fire = sensor.thresholds
        el = etree.SubElement(root, "temperature-threshold")
        for tag, value in (("name", sensor.name), ("yellow-alarm", yellow),
                           ("red-alarm", red), ("fire-shutdown", fire)):
            etree.SubElement(el, tag).text = str(value)
        lines.append(f"{sensor.name:<28}{yellow:>14}{red:>12}{fire:>16}")
    return Result([root], "\n".join(lines) + "\n")


#: ``show chassis power detail`` (choice, docs/emulator-model.md): each power supply's capacity
#: (the 2.52 kW of the MX480's PEM description), and the chassis load shared evenly between
#: the supplies: a base for the chassis and fans, each running RE, each online FPC.
PEM_CAPACITY_W = 2520
_BASE_W, _RE_W, _FPC_W, _VOLTS = 350, 90, 360, 12


def power_usage_detail(ctx: CommandContext, args: Args) -> Result:
    """``show chassis power detail`` (get-power-usage-information-detail; NAPALM's power
    supplies), on the master only."""
    refused = cc.not_master_answer(ctx)
    if refused is not None:
        return refused
    model = ctx.router
    pems = _inventory(ctx, "PEM ")
    load = _BASE_W + _RE_W * sum(1 for r in model.chassis.res.values() if r.alive) \
        + _FPC_W * sum(1 for _, online, _ in model.chassis.fpc_states() if online)
    share = load // max(len(pems), 1)
    root = etree.Element("power-usage-information")
    lines: list[str] = []
    for name in pems:
        item = etree.SubElement(root, "power-usage-item")
        etree.SubElement(item, "name").text = name
        etree.SubElement(item, "state").text = "Online"
        capacity = etree.SubElement(item, "pem-capacity-detail")
        for tag in ("capacity-actual", "capacity-max"):
            etree.SubElement(capacity, tag).text = str(PEM_CAPACITY_W)
        dc = etree.SubElement(item, "dc-output-detail")
        percent = share * 100 // PEM_CAPACITY_W
        for tag, value in (("dc-power", share), ("zone", 0), ("dc-current", share // _VOLTS),
                           ("dc-voltage", _VOLTS), ("dc-load", percent)):
            etree.SubElement(dc, tag).text = str(value)
        lines += [f"{name}:", f"  {'State:':<27}Online",
                  f"  {'Capacity:':<27}{PEM_CAPACITY_W} W (maximum {PEM_CAPACITY_W} W)",
                  f"  {'DC output:':<27}{share} W (zone 0, {share // _VOLTS} A at {_VOLTS} V, "
                  f"{percent}% of capacity)"]
    return Result([root], "\n".join(lines) + "\n")
